package dev.clustering.faults;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

/**
 * Five sample processes, each in its own namespace of a {@link LabNetwork}, sharing a cookie made
 * for this run and recording their history under the run's directory; plus the driver's log and
 * the readers of their views. Closing it kills the processes and removes the network.
 */
final class Lab implements AutoCloseable {

	static final int SIZE = 5;

	private static final Duration POLL = Duration.ofMillis(100);

	private final LabNetwork network;

	private final List<NodeProcess> nodes;

	private final DriverLog driver;

	private final ClusterViews views = new ClusterViews(Duration.ofSeconds(1));

	private final Path historyDir;

	// the run's cookie, for the attacker's fake member; never logged
	private final char[] cookie;

	private Lab(LabNetwork network, List<NodeProcess> nodes, DriverLog driver, Path historyDir, char[] cookie) {
		this.network = network;
		this.nodes = List.copyOf(nodes);
		this.driver = driver;
		this.historyDir = historyDir;
		this.cookie = cookie;
	}

	/**
	 * Builds the network and starts the nodes (it does not wait for them).
	 * @param failoverTimeout the {@code distro} singleton's failover timeout
	 */
	static Lab start(Path sampleJar, Path runDir, Duration failoverTimeout) {
		if (!Files.isRegularFile(sampleJar)) {
			throw new LabException("sample jar not found at " + sampleJar
					+ "; build it with: mvn -q -o -pl clustering-sample -am package -DskipTests");
		}
		Path historyDir = runDir.resolve("history");
		try {
			Files.createDirectories(historyDir);
		}
		catch (IOException ex) {
			throw new LabException("cannot create " + historyDir + ": " + ex.getMessage(), ex);
		}
		LabNetwork network = LabNetwork.create(SIZE, runDir);
		try {
			String hosts = IntStream.rangeClosed(1, SIZE)
				.mapToObj((i) -> network.address(i) + ":9400")
				.collect(Collectors.joining(","));
			String cookie = newCookie();
			String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
			List<NodeProcess> nodes = new ArrayList<>();
			for (int i = 1; i <= SIZE; i++) {
				List<String> command = List.of(java, "-Xmx160m", "-XX:TieredStopAtLevel=1", "-jar",
						sampleJar.toAbsolutePath().toString(), "--server.port=8080", "--cluster.node.name=n" + i,
						"--cluster.node.host=" + network.address(i), "--cluster.node.port=9400", "--cluster.cookie=" + cookie,
						"--cluster.topologies.lab.strategy=static", "--cluster.topologies.lab.static.hosts=" + hosts,
						"--cluster.topologies.lab.poll-interval=1s", "--cluster.split-brain.strategy=keep-majority",
						"--cluster.singletons.distro.failover-timeout=" + failoverTimeout.toMillis() + "ms",
						"--sample.history-dir=" + historyDir.toAbsolutePath());
				nodes.add(new NodeProcess(i, "n" + i, network.namespace(i), network.address(i), command,
						runDir.resolve("n" + i + ".log")));
			}
			Lab lab = new Lab(network, nodes, new DriverLog(runDir.resolve("driver.log")), historyDir,
					cookie.toCharArray());
			lab.driver.note("lab " + network.id() + " on 10.231." + network.id() + ".0/24, impairment by "
					+ network.impairmentMethod().replace(' ', '_'));
			for (NodeProcess node : nodes) {
				lab.spawn(node);
			}
			return lab;
		}
		catch (RuntimeException ex) {
			network.close();
			throw ex;
		}
	}

	/** A new cookie per run: 32 random bytes, URL-safe Base64 (43 characters). */
	private static String newCookie() {
		byte[] bytes = new byte[32];
		new SecureRandom().nextBytes(bytes);
		return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
	}

	LabNetwork network() {
		return this.network;
	}

	List<NodeProcess> nodes() {
		return this.nodes;
	}

	/** Node {@code i}, counting from 1. */
	NodeProcess node(int i) {
		return this.nodes.get(i - 1);
	}

	/** The cookie the nodes were given (a copy). */
	char[] cookie() {
		return this.cookie.clone();
	}

	DriverLog driver() {
		return this.driver;
	}

	Path historyDir() {
		return this.historyDir;
	}

	long spawn(NodeProcess node) {
		long pid = node.start();
		this.driver.spawn(node.name, pid);
		return pid;
	}

	/** Sends a signal to a node's JVM, recording it first. */
	void signal(NodeProcess node, String signal) {
		this.driver.signal(node.name, node.pid(), signal);
		node.signal(signal);
	}

	Map<String, NodeView> views() {
		return this.views.read(this.nodes);
	}

	/** Waits until every node sees the others UP, one leader, and {@code distro} RUNNING on one node. */
	void awaitFormed(Duration timeout) {
		long deadline = System.nanoTime() + timeout.toNanos();
		Map<String, NodeView> last = Map.of();
		while (System.nanoTime() < deadline) {
			requireAlive();
			last = views();
			if (ClusterViews.disagreement(last) == null
					&& last.values().stream().allMatch((v) -> "RUNNING".equals(v.distroState()))) {
				return;
			}
			sleep(Duration.ofMillis(500));
		}
		throw new LabException("the cluster did not form in " + timeout.toSeconds() + " s: "
				+ ClusterViews.disagreement(last) + "\n  views: " + ClusterViews.describe(last));
	}

	/** Waits until a (re)started node answers HTTP. */
	void awaitAnswering(NodeProcess node, Duration timeout) {
		long deadline = System.nanoTime() + timeout.toNanos();
		while (System.nanoTime() < deadline) {
			if (!node.isAlive()) {
				throw new LabException(node.name + " exited while starting; its log ends with:\n" + node.logTail(30));
			}
			if (this.views.read(List.of(node)).get(node.name) != null) {
				return;
			}
			sleep(Duration.ofMillis(200));
		}
		throw new LabException(node.name + " did not answer in " + timeout.toSeconds() + " s; its log ends with:\n"
				+ node.logTail(30));
	}

	/**
	 * Polls every node's view every 100 ms from now (the heal) until they agree, recording the time in
	 * the driver log; after {@code settle} without agreement records the views instead.
	 * @return the milliseconds to agreement, or -1
	 */
	long awaitConvergence(String id, Duration settle) {
		long start = System.nanoTime();
		long deadline = start + settle.toNanos();
		Map<String, NodeView> last = Map.of();
		while (true) {
			long poll = System.nanoTime();
			last = views();
			if (ClusterViews.disagreement(last) == null) {
				long millis = (poll - start) / 1_000_000;
				this.driver.converged(id, millis);
				return millis;
			}
			if (poll > deadline) {
				this.driver.diverged(id, (poll - start) / 1_000_000,
						ClusterViews.disagreement(last) + " :: " + ClusterViews.describe(last));
				return -1;
			}
			requireAlive();
			sleep(Duration.ofNanos(Math.max(0, poll + POLL.toNanos() - System.nanoTime())));
		}
	}

	/** The node most views name as leader (or as running {@code distro}), or 0 if none. */
	int leaderIndex() {
		return majority(views(), true);
	}

	int distroIndex() {
		return majority(views(), false);
	}

	private static int majority(Map<String, NodeView> views, boolean leader) {
		Map<String, Integer> votes = new HashMap<>();
		for (NodeView view : views.values()) {
			String name = (view == null) ? null : (leader ? view.leaderName() : view.distroName());
			if (name != null) {
				votes.merge(name, 1, Integer::sum);
			}
		}
		return votes.entrySet().stream()
			.max(Map.Entry.comparingByValue())
			.map((e) -> Integer.parseInt(e.getKey().substring(1)))
			.orElse(0);
	}

	void requireAlive() {
		for (NodeProcess node : this.nodes) {
			if (!node.isAlive()) {
				throw new LabException(node.name + " died unexpectedly; its log ends with:\n" + node.logTail(30));
			}
		}
	}

	static void sleep(Duration duration) {
		try {
			Thread.sleep(duration.toMillis());
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new LabException("interrupted", ex);
		}
	}

	/** Kills every node, then removes the network. */
	@Override
	public void close() {
		List<NodeProcess> reversed = new ArrayList<>(this.nodes);
		Collections.reverse(reversed);
		for (NodeProcess node : reversed) {
			node.destroy();
		}
		this.network.close();
	}

}
