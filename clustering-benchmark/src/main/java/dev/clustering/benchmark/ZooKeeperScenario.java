package dev.clustering.benchmark;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.retry.ExponentialBackoffRetry;

import dev.clustering.benchmark.CandidateProcess.Line;
import dev.clustering.discovery.zookeeper.ZooKeeperProcess;

import static dev.clustering.benchmark.CandidateGroups.CANDIDATES;
import static dev.clustering.benchmark.ClusterBenchmark.progress;

/**
 * The zookeeper scenario (see the README): one real ZooKeeper server, started for the run as a
 * process of its own, and two groups of three candidate processes ({@link ZooKeeperCandidate}) on it
 * with the same session timeout: (A) this project's engine with a {@code zookeeper} topology and (B)
 * Spring Integration's {@code LeaderInitiator}; an admin client reads their election queues. The
 * runs are {@link CandidateScenario}'s.
 */
final class ZooKeeperScenario extends CandidateScenario<ZooKeeperReport> {

	/** ZooKeeper's tick: sessions of 2 to 20 ticks are granted, so 1 s to 10 s. */
	static final int TICK_MILLIS = 500;

	/** Each engine candidate's transport port, kept over its restarts. */
	private final Map<String, Integer> ports = new LinkedHashMap<>();

	private ZooKeeperProcess server;

	private CuratorFramework admin;

	ZooKeeperScenario(BenchmarkOptions options, HiccupMonitor hiccups) {
		super("zookeeper", options, hiccups, new ZooKeeperReport(options.zkSession.toMillis()));
	}

	/** Starts ZooKeeper from this jar too, its log next to the candidates' (the benchmark's logback.xml); then the admin client. */
	@Override
	void startRegistry() throws IOException {
		progress("zookeeper: starting ZooKeeper (tick " + TICK_MILLIS + " ms)");
		this.server = ZooKeeperProcess.start(TICK_MILLIS, (options, main) -> CandidateProcess.java(Stream
			.concat(options.stream(), Stream.of("-Dbenchmark.log=" + this.candidates.logs.resolve("zookeeper.log")))
			.toList(), main));
		this.r.server = this.server.toString();
		this.admin = CuratorFrameworkFactory.newClient(this.server.connectString(),
				new ExponentialBackoffRetry(50, 10));
		this.admin.start();
		List<String> names = CandidateGroups.names();
		List<Integer> free = freePorts();
		for (int i = 0; i < names.size(); i++) {
			this.ports.put(names.get(i), free.get(i));
		}
	}

	@Override
	String started() {
		return this.r.server + "; 3 + 3 candidates, session " + Format.duration(this.options.zkSession);
	}

	@Override
	public CandidateProcess launch(CandidateSide side, String name, int incarnation, Path log) throws IOException {
		List<String> args = List.of(side.kind(), name, this.server.connectString(),
				String.valueOf(this.options.zkSession.toMillis()), String.valueOf(this.ports.get(name)));
		return CandidateProcess.start(name, log, ZooKeeperCandidate.class, args);
	}

	/** Ready once it says so; it must have been granted the session asked for. */
	@Override
	public boolean ready(CandidateSide side, CandidateProcess candidate) {
		Optional<Line> ready = candidate.first("READY", 0);
		if (ready.isEmpty()) {
			return false;
		}
		long granted = ready.get().longField(0);
		if (granted != this.r.sessionMillis) {
			this.r.problems.add(side.letter() + " candidate " + candidate.name + " was granted a " + granted
					+ " ms session, not " + this.r.sessionMillis + " ms");
		}
		return true;
	}

	/** Whether all three are queued in the side's election znode. */
	@Override
	public boolean queued(CandidateSide side, Map<String, CandidateProcess> group, CandidateProcess leader)
			throws Exception {
		String path = side.engine() ? ZooKeeperCandidate.ENGINE_SETTINGS.electionPath()
				: ZooKeeperCandidate.SPRING_NAMESPACE + ZooKeeperCandidate.SPRING_ROLE;
		return this.admin.getChildren().forPath(path).size() == CANDIDATES;
	}

	@Override
	Duration electionTimeout(CandidateSide side) {
		return this.options.electionTimeout(this.options.zkSession.multipliedBy(2).plusSeconds(2));
	}

	@Override
	Duration thawWatch() {
		return this.options.zkSession.plusSeconds(2);
	}

	/** Closes the admin client and stops ZooKeeper. */
	@Override
	void stopRegistry() {
		if (this.admin != null) {
			this.admin.close();
			this.admin = null;
		}
		if (this.server != null) {
			this.server.close();
			this.server = null;
		}
	}

	private static List<Integer> freePorts() throws IOException {
		try (ServerSocket a = new ServerSocket(0); ServerSocket b = new ServerSocket(0);
				ServerSocket c = new ServerSocket(0)) {
			return List.of(a.getLocalPort(), b.getLocalPort(), c.getLocalPort());
		}
	}

}
