package dev.clustering.benchmark;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.retry.ExponentialBackoffRetry;

import dev.clustering.benchmark.CandidateProcess.Line;
import dev.clustering.benchmark.ZooKeeperReport.Side;
import dev.clustering.discovery.zookeeper.ZooKeeperProcess;
import dev.clustering.test.LoopbackCluster;

import static dev.clustering.benchmark.ElectionStats.SETTLE_TIMEOUT;
import static dev.clustering.benchmark.ZooKeeperScenario.CANDIDATES;
import static dev.clustering.benchmark.ZooKeeperScenario.TICK_MILLIS;

/**
 * The {@link ZooKeeperScenario}'s processes: its own ZooKeeper server, an admin client that reads the
 * election queues, and each side's group of candidate processes, launched again after each run (every
 * incarnation with its own log files in {@code zookeeper-candidates}), awaited until they answer and
 * settle on one leader, and all stopped at the end or should the benchmark exit first.
 */
final class CandidateGroups {

	private final BenchmarkOptions options;

	private final ZooKeeperReport r;

	/** Each side's running candidates, by name. */
	private final Map<Side, Map<String, CandidateProcess>> groups = new EnumMap<>(Side.class);

	/** Each engine candidate's transport port, kept over its restarts. */
	private final Map<String, Integer> ports = new LinkedHashMap<>();

	/** How often each candidate was started, for its log files' names. */
	private final Map<String, Integer> starts = new LinkedHashMap<>();

	final Path logs;

	private ZooKeeperProcess server;

	private CuratorFramework admin;

	/** The log directory is emptied of an earlier run's logs; nothing starts yet. */
	CandidateGroups(BenchmarkOptions options, ZooKeeperReport r) throws IOException {
		this.options = options;
		this.r = r;
		this.logs = emptyLogDirectory();
	}

	/** The leader of a settled group, and its fencing token (-1 where there is none). */
	record Settled(CandidateProcess leader, long token) {
	}

	/** Starts ZooKeeper from this jar too; its log next to the candidates' (the benchmark's logback.xml). */
	void startServer() throws IOException {
		this.server = ZooKeeperProcess.start(TICK_MILLIS, (options, main) -> CandidateProcess.java(Stream
			.concat(options.stream(), Stream.of("-Dbenchmark.log=" + this.logs.resolve("zookeeper.log")))
			.toList(), main));
		this.r.server = this.server.toString();
	}

	/** Starts the admin client and every candidate of both sides, all six JVMs together; then each must answer. */
	void startAll() throws IOException {
		this.admin = CuratorFrameworkFactory.newClient(this.server.connectString(),
				new ExponentialBackoffRetry(50, 10));
		this.admin.start();
		for (int port : freePorts()) {
			this.ports.put("n" + (this.ports.size() + 1), port);
		}
		for (Side side : Side.values()) {
			this.groups.put(side, new LinkedHashMap<>());
			for (String name : this.ports.keySet()) {
				launch(side, name);
			}
		}
		for (Side side : Side.values()) {
			for (String name : this.ports.keySet()) {
				awaitReady(side, name);
			}
		}
	}

	/** A side's running candidates, by name. */
	Map<String, CandidateProcess> group(Side side) {
		return this.groups.get(side);
	}

	/** Starts a new process for a candidate (whose old one has exited) and waits until it answers. */
	void restart(Side side, String name) throws IOException {
		launch(side, name);
		awaitReady(side, name);
	}

	/**
	 * Waits until every candidate of the side runs and answers, exactly one leads, all three are in
	 * ZooKeeper's election queue and, for the engine, every node has the other two as members and
	 * all agree on the leader's token.
	 */
	Settled awaitSettled(Side side) {
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

	private Settled settled(Side side) {
		List<CandidateProcess> leaders = new ArrayList<>();
		List<Long> tokens = new ArrayList<>();
		for (CandidateProcess candidate : this.groups.get(side).values()) {
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
			if (side.hasTokens && status.longField(3) != CANDIDATES - 1) {
				return null;
			}
		}
		if (leaders.size() != 1 || (side.hasTokens && tokens.stream().distinct().count() != 1)) {
			return null;
		}
		try {
			if (this.admin.getChildren().forPath(side.electionPath).size() != CANDIDATES) {
				return null;
			}
		}
		catch (Exception ex) {
			return null;
		}
		return new Settled(leaders.get(0), tokens.get(0));
	}

	private void launch(Side side, String name) throws IOException {
		List<String> args = List.of(side.kind, name, this.server.connectString(),
				String.valueOf(this.options.zkSession.toMillis()), String.valueOf(this.ports.get(name)));
		int incarnation = this.starts.merge(side.kind + "-" + name, 1, Integer::sum);
		CandidateProcess candidate = CandidateProcess.start(name,
				this.logs.resolve(side.kind + "-" + name + "-" + incarnation), args);
		this.groups.get(side).put(name, candidate);
	}

	private void awaitReady(Side side, String name) throws IOException {
		CandidateProcess candidate = this.groups.get(side).get(name);
		if (!LoopbackCluster.within(Duration.ofSeconds(60), () -> candidate.first("READY", 0).isPresent())) {
			throw new IOException(side.letter + " candidate " + name + " did not start within 60 s; see " + this.logs);
		}
		long granted = candidate.first("READY", 0).orElseThrow().longField(0);
		if (granted != this.r.sessionMillis) {
			this.r.problems.add(side.letter + " candidate " + name + " was granted a " + granted + " ms session, not "
					+ this.r.sessionMillis + " ms");
		}
	}

	/** Kills every candidate, then closes the admin client and stops ZooKeeper; again is harmless. */
	synchronized void stopAll() {
		this.groups.values().forEach((group) -> group.values().forEach(CandidateProcess::kill));
		this.groups.clear();
		if (this.admin != null) {
			this.admin.close();
			this.admin = null;
		}
		if (this.server != null) {
			this.server.close();
			this.server = null;
		}
	}

	/** {@code zookeeper-candidates} next to the benchmark's log, emptied of an earlier run's logs. */
	private static Path emptyLogDirectory() throws IOException {
		String log = System.getProperty("benchmark.log");
		Path logs = Files.createDirectories(((log != null) ? Path.of(log).toAbsolutePath().getParent()
				: Path.of(System.getProperty("java.io.tmpdir"))).resolve("zookeeper-candidates"));
		try (Stream<Path> old = Files.list(logs)) {
			for (Path file : old.toList()) {
				Files.delete(file);
			}
		}
		return logs;
	}

	private static List<Integer> freePorts() throws IOException {
		try (ServerSocket a = new ServerSocket(0); ServerSocket b = new ServerSocket(0);
				ServerSocket c = new ServerSocket(0)) {
			return List.of(a.getLocalPort(), b.getLocalPort(), c.getLocalPort());
		}
	}

	private static void sleep(long millis) {
		try {
			Thread.sleep(millis);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
	}

}
