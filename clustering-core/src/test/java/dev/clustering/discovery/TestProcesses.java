package dev.clustering.discovery;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * What the tests' server processes (ZooKeeper, Consul) do alike when they stop: kill by PID, delete
 * their temporary directory, drop their shutdown hook.
 */
public final class TestProcesses {

	private TestProcesses() {
	}

	/**
	 * Kills a process with SIGKILL, as a crash would, and waits until it is gone.
	 * @param process the process, or {@code null}
	 */
	public static void kill(Process process) {
		if (process != null) {
			process.destroyForcibly();
			try {
				process.waitFor(10, TimeUnit.SECONDS);
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
			}
		}
	}

	/**
	 * Deletes a temporary directory and what it holds, quietly.
	 * @param directory the directory
	 */
	public static void deleteTree(Path directory) {
		try (Stream<Path> files = Files.walk(directory)) {
			files.sorted(Comparator.reverseOrder()).map(Path::toFile).forEach(File::delete);
		}
		catch (IOException ex) {
			// a temporary directory
		}
	}

	/**
	 * Removes a shutdown hook, unless the JVM is shutting down (then the hook is running).
	 * @param hook the hook
	 */
	public static void removeShutdownHook(Thread hook) {
		try {
			Runtime.getRuntime().removeShutdownHook(hook);
		}
		catch (IllegalStateException ex) {
			// shutting down: this is the hook
		}
	}

}
