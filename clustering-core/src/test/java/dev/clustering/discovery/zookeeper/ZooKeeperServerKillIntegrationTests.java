package dev.clustering.discovery.zookeeper;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;

import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.retry.ExponentialBackoffRetry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import dev.clustering.discovery.RegistryTestNodes;
import dev.clustering.node.ClusterNode;
import dev.clustering.node.EngineEvent;

import static dev.clustering.discovery.RegistryTestNodes.leader;
import static dev.clustering.discovery.RegistryTestNodes.token;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The ZooKeeper server of Debian's {@code zookeeper} package, a process of its own, killed with
 * SIGKILL under three nodes and started again on the same data: while it is down nobody leads, every
 * node keeps running with its members, and hears its registry lost once its session has run out;
 * once it is back the nodes register again and one leads, with a larger token. Never two leaders at
 * once, checked all along.
 */
class ZooKeeperServerKillIntegrationTests {

	private static final int SESSION = 2000;

	private static final Duration BOUND = Duration.ofSeconds(30);

	private final RegistryTestNodes nodes = new RegistryTestNodes();

	private ZooKeeperProcess server;

	@BeforeEach
	void startServer() throws Exception {
		this.server = ZooKeeperProcess.startDebian(200);
	}

	@AfterEach
	void stopAll() {
		this.nodes.close();
		this.server.close();
	}

	private ClusterNode start(String host) {
		CuratorFramework client = CuratorFrameworkFactory.builder()
			.connectString(this.server.connectString())
			.sessionTimeoutMs(SESSION)
			.connectionTimeoutMs(1000)
			.retryPolicy(new ExponentialBackoffRetry(50, 29, 500))
			.build();
		client.start();
		ZooKeeperStrategy strategy = new ZooKeeperStrategy(client, new ZooKeeperSettings("/kill", "app"),
				Duration.ofMillis(SESSION / 5));
		return this.nodes.start(host, ZooKeeperStrategy.NAME, strategy, null, Map.of(), client, strategy);
	}

	@Test
	void whileTheKilledServerIsDownNobodyLeadsAndNoNodeStopsThenOneLeadsWithALargerToken() throws Exception {
		List<ClusterNode> cluster = List.of(start("127.0.0.2"), start("127.0.0.3"), start("127.0.0.4"));
		await().atMost(BOUND).until(() -> cluster.stream().allMatch((n) -> n.members().size() == 2)
				&& cluster.stream().filter((n) -> n.leadership().isLeader()).count() == 1
				&& cluster.stream().allMatch((n) -> leader(n) != null && token(n) == token(cluster.get(0))));
		long before = token(cluster.get(0));
		List<String> overlaps = new CopyOnWriteArrayList<>();
		AtomicBoolean watching = new AtomicBoolean(true);
		Thread checker = new Thread(() -> {
			while (watching.get()) {
				// one read of each node's leadership: its name and token belong together
				List<String> leading = cluster.stream()
					.flatMap((n) -> n.leadership().ownLeadership().stream())
					.map((lead) -> lead.name() + "#" + lead.fencingToken())
					.toList();
				if (leading.size() > 1) {
					overlaps.add(leading.toString());
				}
				LockSupport.parkNanos(500_000);
			}
		}, "two-leaders-check");
		checker.start();
		try {
			this.server.kill();
			await().atMost(BOUND).until(() -> cluster.stream().noneMatch((n) -> n.leadership().isLeader()));
			// the sessions run out while the server is down: each node hears its registry is lost
			await().atMost(BOUND).until(() -> cluster.stream()
				.allMatch((n) -> !this.nodes.events(n, EngineEvent.RegistryDisconnected.class).isEmpty()));
			assertThat(cluster).allSatisfy((n) -> {
				assertThat(n.isRunning()).isTrue();
				assertThat(n.members()).hasSize(2);
				assertThat(n.leadership().isLeader()).isFalse();
			});
			this.server.startAgain();
			await().atMost(BOUND).until(() -> cluster.stream()
				.allMatch((n) -> !this.nodes.events(n, EngineEvent.RegistryReconnected.class).isEmpty()));
			await().atMost(BOUND).until(() -> cluster.stream().filter((n) -> n.leadership().isLeader()).count() == 1
					&& cluster.stream().allMatch((n) -> leader(n) != null && token(n) == token(cluster.get(0))));
			assertThat(token(cluster.get(0))).isGreaterThan(before);
		}
		finally {
			watching.set(false);
			checker.join();
		}
		assertThat(overlaps).as("moments when two nodes led").isEmpty();
		assertThat(cluster).allSatisfy((n) -> assertThat(n.isRunning()).isTrue());
	}

}
