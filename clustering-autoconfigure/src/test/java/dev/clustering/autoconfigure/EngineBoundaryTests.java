package dev.clustering.autoconfigure;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The engine (every package but {@code actuate} and {@code autoconfigure}) is plain Java: only the
 * Spring event classes, which must extend {@code ApplicationEvent} and keep their packages, use
 * Spring. This keeps the engine ready to live in a module of its own.
 */
class EngineBoundaryTests {

	private static final Path SOURCES = Path.of("src/main/java/dev/clustering");

	@Test
	void onlyTheSpringEventClassesOfTheEnginePackagesUseSpring() throws IOException {
		List<String> springUsers;
		try (Stream<Path> files = Files.walk(SOURCES)) {
			springUsers = files.filter((f) -> f.toString().endsWith(".java"))
				.filter((f) -> !f.startsWith(SOURCES.resolve("actuate")) && !f.startsWith(SOURCES.resolve("autoconfigure")))
				.filter(EngineBoundaryTests::importsSpring)
				.map((f) -> SOURCES.relativize(f).toString())
				.sorted()
				.toList();
		}
		assertThat(springUsers).isNotEmpty().allMatch((f) -> f.endsWith("Event.java"),
				"is a Spring event class (anything else of the engine must not use Spring)");
	}

	private static boolean importsSpring(Path file) {
		try {
			return Files.readString(file).contains("import org.springframework.");
		}
		catch (IOException ex) {
			throw new IllegalStateException(ex);
		}
	}

}
