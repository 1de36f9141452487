package dev.clustering.faults;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Lab ids and what runs leave behind: each lab writes its owner's PID to
 * {@code /run/clustering-faults/<id>}; namespaces ({@code cf<id>n<i>}) and links ({@code cf<id>br},
 * {@code cf<id>v<i>}) whose owner is no longer a live JVM are removed, with whatever still runs in
 * those namespaces, before a new lab picks a free id.
 */
final class LabLeftovers {

	private static final Path MARKERS = Path.of("/run/clustering-faults");

	private static final Pattern NAMESPACE = Pattern.compile("cf(\\d+)n\\d+");

	private static final Pattern LINK = Pattern.compile("\\d+: (cf(\\d+)(?:br|v\\d+))[@:]");

	private LabLeftovers() {
	}

	/** Records this JVM as the owner of the lab {@code id}. */
	static void mark(int id) throws IOException {
		Files.createDirectories(MARKERS);
		Files.writeString(MARKERS.resolve(Integer.toString(id)), Long.toString(ProcessHandle.current().pid()));
	}

	/** Kills what runs in the lab's namespaces, then removes them, its links and its marker. */
	static void remove(int id) {
		for (String ns : namespaces().getOrDefault(id, Set.of())) {
			Commands.Result pids = Commands.exec("ip", "netns", "pids", ns);
			if (pids.ok()) {
				for (String pid : pids.output().split("\\s+")) {
					if (!pid.isBlank()) {
						Commands.exec("kill", "-KILL", pid.strip());
					}
				}
			}
			Commands.exec("ip", "netns", "del", ns);
		}
		for (String link : links().getOrDefault(id, Set.of())) {
			Commands.exec("ip", "link", "del", link);
		}
		try {
			Files.deleteIfExists(MARKERS.resolve(Integer.toString(id)));
		}
		catch (IOException ex) {
			// a stale marker only makes the next run look for an owner that is gone
		}
	}

	/** Removes the namespaces and links of earlier runs whose JVM is gone. */
	static void removeStale() {
		Set<Integer> ids = new TreeSet<>(namespaces().keySet());
		ids.addAll(links().keySet());
		for (int id : ids) {
			if (!ownerAlive(id)) {
				remove(id);
			}
		}
	}

	private static boolean ownerAlive(int id) {
		try {
			Path marker = MARKERS.resolve(Integer.toString(id));
			if (!Files.exists(marker)) {
				return false;
			}
			long pid = Long.parseLong(Files.readString(marker).strip());
			return pid != ProcessHandle.current().pid() && ProcessHandle.of(pid)
				.filter(ProcessHandle::isAlive)
				.flatMap((p) -> p.info().command())
				.map((command) -> command.contains("java"))
				.orElse(false);
		}
		catch (IOException | NumberFormatException ex) {
			return false;
		}
	}

	static int pickId() {
		Set<Integer> used = new TreeSet<>(namespaces().keySet());
		used.addAll(links().keySet());
		Random random = new Random();
		for (int attempt = 0; attempt < 1000; attempt++) {
			int id = 1 + random.nextInt(254);
			if (!used.contains(id) && !Files.exists(MARKERS.resolve(Integer.toString(id)))) {
				return id;
			}
		}
		throw new LabException("no free lab id in 10.231.1-254.0/24");
	}

	private static Map<Integer, Set<String>> namespaces() {
		Map<Integer, Set<String>> found = new TreeMap<>();
		for (String line : Commands.run("ip", "netns", "list").split("\n")) {
			String name = line.strip().split("\\s+")[0];
			Matcher matcher = NAMESPACE.matcher(name);
			if (matcher.matches()) {
				found.computeIfAbsent(Integer.parseInt(matcher.group(1)), (k) -> new TreeSet<>()).add(name);
			}
		}
		return found;
	}

	private static Map<Integer, Set<String>> links() {
		Map<Integer, Set<String>> found = new TreeMap<>();
		Matcher matcher = LINK.matcher(Commands.run("ip", "-o", "link", "show"));
		while (matcher.find()) {
			found.computeIfAbsent(Integer.parseInt(matcher.group(2)), (k) -> new TreeSet<>()).add(matcher.group(1));
		}
		return found;
	}

}
