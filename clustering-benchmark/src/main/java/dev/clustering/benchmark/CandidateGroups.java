package dev.clustering.benchmark;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import dev.clustering.benchmark.CandidateProcess.Line;
import dev.clustering.test.LoopbackCluster;

import static dev.clustering.benchmark.ElectionStats.SETTLE_TIMEOUT;

/**
 * The candidate processes of a {@link CandidateScenario}: each side's group of {@value #CANDIDATES},
 * {@code n1} to {@code n3}, launched by the scenario's {@link Registry} and again after each run
 * (every incarnation with its own log files in the scenario's log directory), awaited until they are
 * ready and settle on one leader, and all killed at the end or should the benchmark exit first.
 */
final class CandidateGroups {

	static final int CANDIDATES = 3;

	/** What a scenario's registry does for its candidates. */
	interface Registry {

		/**
		 * Starts a new process of a candidate.
		 * @param side its side
		 * @param name its name, {@code n1} to {@code n3}
		 * @param incarnation how often it was started, this time included
		 * @param log the path of its log files, without the extension
		 * @return the process
		 * @throws IOException if it cannot be started
		 */
		CandidateProcess launch(CandidateSide side, String name, int incarnation, Path log) throws IOException;

		/**
		 * Whether a candidate just started is ready. Asked until it is, for at most a minute.
		 * @param side its side
		 * @param candidate the candidate
		 * @return whether it is ready
		 */
		boolean ready(CandidateSide side, CandidateProcess candidate);

		/**
		 * Whether the registry has every candidate of a side in its election, and the leader as the
		 * one that holds it.
		 * @param side the side
		 * @param group its candidates, by name
		 * @param leader the one that says it leads
		 * @return whether they are
		 * @throws Exception if the registry cannot be asked
		 */
		boolean queued(CandidateSide side, Map<String, CandidateProcess> group, CandidateProcess leader)
				throws Exception;

	}

	private final Registry registry;

	private final List<CandidateSide> sides;

	/** Each side's running candidates, by name. */
	private final Map<CandidateSide, Map<String, CandidateProcess>> groups = new LinkedHashMap<>();

	/** How often each candidate was started, for its log files' names. */
	private final Map<String, Integer> starts = new LinkedHashMap<>();

	final Path logs;

	/**
	 * The log directory is emptied of an earlier run's logs; nothing starts yet.
	 * @param logDirectory the log directory's name, next to the benchmark's log
	 */
	CandidateGroups(Registry registry, List<CandidateSide> sides, String logDirectory) throws IOException {
		this.registry = registry;
		this.sides = List.copyOf(sides);
		this.logs = emptyLogDirectory(logDirectory);
	}

	/** The leader of a settled group, and its fencing token (-1 where there is none). */
	record Settled(CandidateProcess leader, long token) {
	}

	/** The candidates' names. */
	static List<String> names() {
		List<String> names = new ArrayList<>();
		for (int i = 1; i <= CANDIDATES; i++) {
			names.add("n" + i);
		}
		return names;
	}

	/** Starts every candidate of both sides, all together; then each must be ready. */
	void startAll() throws IOException {
		for (CandidateSide side : this.sides) {
			this.groups.put(side, new LinkedHashMap<>());
			for (String name : names()) {
				launch(side, name);
			}
		}
		for (CandidateSide side : this.sides) {
			for (String name : names()) {
				awaitReady(side, name);
			}
		}
	}

	/** A side's running candidates, by name. */
	Map<String, CandidateProcess> group(CandidateSide side) {
		return this.groups.get(side);
	}

	/** Starts a new process for a candidate (whose old one has exited) and waits until it is ready. */
	void restart(CandidateSide side, String name) throws IOException {
		launch(side, name);
		awaitReady(side, name);
	}

	/**
	 * Waits until every candidate of the side runs (and answers, where it does), exactly one leads,
	 * the registry has all three in its election and, for the engine, every node has the other two
	 * as members and all agree on the leader's token.
	 */
	Settled awaitSettled(CandidateSide side) {
		Settled[] settled = new Settled[1];
		LoopbackCluster.within(SETTLE_TIMEOUT, () -> {
			settled[0] = settled(side);
			if (settled[0] == null) {
				sleep(20);
			}
			return settled[0] != null;
		});
		return settled[0];
	}

	private Settled settled(CandidateSide side) {
		List<CandidateProcess> leaders = new ArrayList<>();
		List<Long> tokens = new ArrayList<>();
		Map<String, CandidateProcess> group = this.groups.get(side);
		for (CandidateProcess candidate : group.values()) {
			if (!side.answersStatus()) {
				// it leads from its first LEADER line on, and has no token
				if (candidate.first("LEADER", 0).isPresent()) {
					leaders.add(candidate);
				}
				tokens.add(-1L);
				continue;
			}
			Line status = candidate.status(Duration.ofSeconds(1)).orElse(null);
			if (status == null) {
				return null;
			}
			if (Boolean.parseBoolean(status.fields().get(0))) {
				leaders.add(candidate);
				tokens.add(0, status.longField(1));
			}
			else {
				tokens.add(status.longField(2));
			}
			if (side.hasTokens() && status.longField(3) != CANDIDATES - 1) {
				return null;
			}
		}
		if (leaders.size() != 1 || (side.hasTokens() && tokens.stream().distinct().count() != 1)) {
			return null;
		}
		try {
			if (!this.registry.queued(side, group, leaders.get(0))) {
				return null;
			}
		}
		catch (Exception ex) {
			return null;
		}
		return new Settled(leaders.get(0), tokens.get(0));
	}

	private void launch(CandidateSide side, String name) throws IOException {
		int incarnation = this.starts.merge(side.kind() + "-" + name, 1, Integer::sum);
		CandidateProcess candidate = this.registry.launch(side, name, incarnation,
				this.logs.resolve(side.kind() + "-" + name + "-" + incarnation));
		this.groups.get(side).put(name, candidate);
	}

	private void awaitReady(CandidateSide side, String name) throws IOException {
		CandidateProcess candidate = this.groups.get(side).get(name);
		if (!LoopbackCluster.within(Duration.ofSeconds(60), () -> this.registry.ready(side, candidate))) {
			throw new IOException(side.letter() + " candidate " + name + " did not start within 60 s; see " + this.logs);
		}
	}

	/** Kills every candidate, and the processes they started; again is harmless. */
	synchronized void stopAll() {
		this.groups.values().forEach((group) -> group.values().forEach(CandidateProcess::killAll));
		this.groups.clear();
	}

	/** The directory next to the benchmark's log, emptied of an earlier run's logs. */
	private static Path emptyLogDirectory(String name) throws IOException {
		String log = System.getProperty("benchmark.log");
		Path logs = Files.createDirectories(((log != null) ? Path.of(log).toAbsolutePath().getParent()
				: Path.of(System.getProperty("java.io.tmpdir"))).resolve(name));
		try (Stream<Path> old = Files.list(logs)) {
			for (Path file : old.toList()) {
				Files.delete(file);
			}
		}
		return logs;
	}

	static void sleep(long millis) {
		try {
			Thread.sleep(millis);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
	}

}
