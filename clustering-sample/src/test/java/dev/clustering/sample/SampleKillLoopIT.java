package dev.clustering.sample;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Three sample processes running the {@code distro} singleton while nodes are killed (SIGKILL) or
 * stopped (SIGTERM) and restarted at random, one at a time so a quorum stays up. Every start and stop
 * goes to a file outside the nodes; the history must show no two instances at once, no gap longer
 * than the failover timeout plus detection, and fencing tokens that only grow.
 */
class SampleKillLoopIT {

	private static final Duration FAILOVER = Duration.ofSeconds(2);

	// the gap allowed on top of the failover timeout: detection (a closed socket is seen at once),
	// the restart of the singleton's JVM thread, and scheduling on a loaded 2-core machine
	private static final Duration SLACK = Duration.ofMillis(2500);

	private final Map<String, NodeProcess> nodes = new HashMap<>();

	private final Map<Long, Long> killedAt = new HashMap<>();

	@AfterEach
	void stopAll() throws Exception {
		for (NodeProcess node : this.nodes.values()) {
			node.close();
		}
	}

	@Test
	void singletonSurvivesRandomKillsAndRestarts() throws Exception {
		Path record = Files.createTempFile(Path.of("target"), "distro-", ".log");
		int[] ports = new int[6];
		List<ServerSocket> sockets = new ArrayList<>();
		for (int i = 0; i < 6; i++) {
			sockets.add(new ServerSocket(0));
			ports[i] = sockets.get(i).getLocalPort();
		}
		for (ServerSocket socket : sockets) {
			socket.close();
		}
		String[] names = { "abc", "bcd", "def" };
		String hosts = "127.0.0.1:" + ports[0] + ",127.0.0.1:" + ports[1] + ",127.0.0.1:" + ports[2];
		for (int i = 0; i < 3; i++) {
			start(names[i], ports[3 + i], ports[i], hosts, record);
		}
		await().atMost(Duration.ofSeconds(90)).until(() -> lines(record).stream().anyMatch((l) -> l.contains(" start "))
				&& this.nodes.values().stream().allMatch((n) -> {
					Map<String, String> members = n.members();
					return members != null && members.size() == 2;
				}));

		Random random = new Random(20261122);
		long deadline = System.nanoTime() + Duration.ofSeconds(75).toNanos();
		int rounds = 0;
		while (System.nanoTime() < deadline) {
			int victim = random.nextInt(3);
			NodeProcess node = this.nodes.get(names[victim]);
			boolean crash = random.nextBoolean();
			this.killedAt.put(node.pid(), System.currentTimeMillis());
			if (crash) {
				node.kill();
			}
			else {
				node.stopGracefully();
			}
			Thread.sleep(500 + random.nextInt(3000));
			start(names[victim], ports[3 + victim], ports[victim], hosts, record);
			// wait for the restarted node to be back before the next round, so a quorum stays up
			NodeProcess restarted = this.nodes.get(names[victim]);
			await().atMost(Duration.ofSeconds(60)).until(() -> {
				Map<String, String> members = restarted.members();
				return members != null && members.size() == 2 && !members.containsValue("UNREACHABLE");
			});
			rounds++;
		}
		Thread.sleep(FAILOVER.plus(SLACK).toMillis());
		check(lines(record), rounds);
	}

	private void start(String name, int httpPort, int clusterPort, String hosts, Path record) throws Exception {
		NodeProcess process = NodeProcess.start(name, httpPort, clusterPort, "kill-loop", hosts,
				"--cluster.singletons.distro.nodes[0]=abc", "--cluster.singletons.distro.nodes[1]=bcd,def",
				"--cluster.singletons.distro.failover-timeout=" + FAILOVER.toMillis() + "ms",
				"--sample.record-file=" + record.toAbsolutePath());
		this.nodes.put(name, process);
	}

	private static List<String> lines(Path record) {
		try {
			return Files.readAllLines(record);
		}
		catch (IOException ex) {
			throw new IllegalStateException(ex);
		}
	}

	private void check(List<String> lines, int rounds) {
		// intervals during which each process ran the singleton
		record Interval(long pid, long from, long to, long token) {
		}
		List<Interval> intervals = new ArrayList<>();
		Map<Long, long[]> open = new HashMap<>();
		long previousToken = 0;
		for (String line : lines) {
			String[] f = line.split(" ");
			long at = Long.parseLong(f[0]);
			long pid = Long.parseLong(f[1]);
			// a process killed with SIGKILL writes no stop line: it stopped when it was killed
			open.entrySet().removeIf((e) -> {
				Long killed = this.killedAt.get(e.getKey());
				if (killed != null && killed <= at && e.getKey() != pid) {
					intervals.add(new Interval(e.getKey(), e.getValue()[0], killed, e.getValue()[1]));
					return true;
				}
				return false;
			});
			if (f[2].equals("start")) {
				long token = Long.parseLong(f[4]);
				assertThat(token).as("fencing tokens strictly increase: %s", line).isGreaterThan(previousToken);
				previousToken = token;
				assertThat(open).as("no second start while %s runs: %s", open.keySet(), line).isEmpty();
				open.put(pid, new long[] { at, token });
			}
			else {
				long[] started = open.remove(pid);
				if (started != null) {
					intervals.add(new Interval(pid, started[0], at, started[1]));
				}
			}
		}
		open.forEach((pid, started) -> intervals.add(new Interval(pid, started[0], Long.MAX_VALUE, started[1])));
		intervals.sort(Comparator.comparingLong(Interval::from));
		System.out.printf("kill loop: %d rounds, %d singleton starts%n", rounds, intervals.size());
		assertThat(rounds).isGreaterThanOrEqualTo(3);
		assertThat(intervals.size()).isGreaterThan(1);
		long longestGap = 0;
		for (int i = 1; i < intervals.size(); i++) {
			Interval before = intervals.get(i - 1);
			Interval after = intervals.get(i);
			assertThat(after.from()).as("never two at once: %s then %s", before, after).isGreaterThanOrEqualTo(before.to());
			longestGap = Math.max(longestGap, after.from() - before.to());
		}
		System.out.printf("kill loop: longest time without a running singleton %d ms%n", longestGap);
		assertThat(Duration.ofMillis(longestGap)).isLessThanOrEqualTo(FAILOVER.plus(SLACK));
	}

}
