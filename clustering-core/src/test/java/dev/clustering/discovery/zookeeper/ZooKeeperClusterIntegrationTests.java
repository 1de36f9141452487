package dev.clustering.discovery.zookeeper;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.retry.ExponentialBackoffRetry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;

import dev.clustering.discovery.FreezableProxy;
import dev.clustering.discovery.RegistryTestNodes;
import dev.clustering.node.ClusterNode;
import dev.clustering.singleton.ClusterSingleton;
import dev.clustering.singleton.SingletonContext;
import dev.clustering.singleton.SingletonState;
import dev.clustering.singleton.StopReason;

import static dev.clustering.discovery.RegistryTestNodes.awaitFormed;
import static dev.clustering.discovery.RegistryTestNodes.leader;
import static dev.clustering.discovery.RegistryTestNodes.leaderOf;
import static dev.clustering.discovery.RegistryTestNodes.status;
import static dev.clustering.discovery.RegistryTestNodes.token;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Nodes that find each other through the {@code zookeeper} strategy and a real ZooKeeper server,
 * through the engine: they become members of each other, leadership and a singleton follow
 * ZooKeeper's election, a graceful leave is seen at once, and a crash is reported by the engine
 * (its connections closed) so the survivors delete the dead node's znodes and the next candidate
 * leads long before the dead node's session (4 s) would have expired.
 */
class ZooKeeperClusterIntegrationTests extends SharedZooKeeper {

	private static final int SESSION = 4000;

	private static final Duration BOUND = Duration.ofSeconds(20);

	private static final String SINGLETON = "reports";

	private final RegistryTestNodes nodes = new RegistryTestNodes();

	// every start of the singleton on any node: its node and fencing token
	private final List<String> starts = new CopyOnWriteArrayList<>();

	private ZooKeeperSettings settings;

	private CuratorFramework admin;

	@BeforeEach
	void settings(TestInfo test) {
		this.settings = new ZooKeeperSettings("/cluster-tests", test.getTestMethod().orElseThrow().getName());
		this.admin = CuratorFrameworkFactory.newClient(server.getConnectString(), new ExponentialBackoffRetry(50, 10));
		this.admin.start();
	}

	@AfterEach
	void stopNodes() {
		this.nodes.close();
		this.admin.close();
	}

	private ClusterNode start(String host) throws Exception {
		FreezableProxy proxy = proxy();
		CuratorFramework client = client(proxy, SESSION);
		ZooKeeperStrategy strategy = strategy(client, this.settings, SESSION);
		ClusterSingleton reports = new ClusterSingleton() {

			@Override
			public void start(SingletonContext context) {
				ZooKeeperClusterIntegrationTests.this.starts.add(host + "#" + context.fencingToken());
			}

			@Override
			public void stop(StopReason reason) {
			}

		};
		// a dead process: its client reaches ZooKeeper no more, without ending its session
		return this.nodes.start(host, ZooKeeperStrategy.NAME, strategy, () -> cutOff(proxy, client),
				Map.of(SINGLETON, reports), proxy, client, strategy);
	}

	private List<ClusterNode> three() throws Exception {
		return List.of(start("127.0.0.2"), start("127.0.0.3"), start("127.0.0.4"));
	}

	private static String runsOn(List<ClusterNode> cluster) {
		String[] where = new String[1];
		await().atMost(BOUND).until(() -> {
			List<String> seen = cluster.stream()
				.map((n) -> n.singletons().get(SINGLETON))
				.map((info) -> (info.state() == SingletonState.RUNNING) ? info.node() : null)
				.distinct()
				.toList();
			where[0] = (seen.size() == 1) ? seen.get(0) : null;
			return where[0] != null;
		});
		return where[0];
	}

	private long firstCandidacyZxid() throws Exception {
		long czxid = Long.MAX_VALUE;
		for (String child : this.admin.getChildren().forPath(this.settings.electionPath())) {
			czxid = Math.min(czxid,
					this.admin.checkExists().forPath(this.settings.electionPath() + "/" + child).getCzxid());
		}
		return czxid;
	}

	private static void figure(String what, long nanos) {
		System.out.printf("[zookeeper figure] %s: %.1f ms%n", what, nanos / 1_000_000.0);
	}

	@Test
	void threeNodesBecomeMembersOfEachOtherAndAgreeOnTheLeaderZooKeeperElected() throws Exception {
		List<ClusterNode> cluster = three();
		awaitFormed(cluster, BOUND, true);
		await().atMost(BOUND).untilAsserted(() -> {
			for (ClusterNode node : cluster) {
				// what the topology discovered, this node's own address aside
				assertThat(status(node).discovered()).containsExactlyInAnyOrderElementsOf(
						cluster.stream().filter((n) -> n != node).map((n) -> n.self().address()).toList());
				assertThat(status(node).lastError()).isNull();
			}
		});
		assertThat(token(cluster.get(0))).isEqualTo(firstCandidacyZxid());
		assertThat(this.admin.getChildren().forPath(this.settings.membersPath()))
			.containsExactlyInAnyOrderElementsOf(cluster.stream().map((n) -> n.self().name()).toList());
		assertThat(runsOn(cluster)).isNotNull();
	}

	@Test
	void aLeavingLeaderIsReplacedAtOnceAndItsZnodesGoWithIt() throws Exception {
		List<ClusterNode> cluster = three();
		awaitFormed(cluster, BOUND, true);
		ClusterNode leader = leaderOf(cluster);
		long oldToken = token(leader);
		List<ClusterNode> survivors = cluster.stream().filter((n) -> n != leader).toList();
		long start = System.nanoTime();
		leader.close();
		await().pollInterval(Duration.ofMillis(1)).atMost(BOUND).until(() -> survivors.stream()
			.allMatch((n) -> leader(n) != null && !leader(n).equals(leader.self().name())));
		figure("engine: leader node close() to a new leader on every survivor", System.nanoTime() - start);
		awaitFormed(survivors, BOUND, true);
		assertThat(token(survivors.get(0))).isGreaterThan(oldToken);
		assertThat(this.admin.checkExists().forPath(this.settings.memberPath(leader.self().name()))).isNull();
	}

	@Test
	void aCrashedLeaderIsReportedByTheEngineAndItsSingletonRunsElsewhereWithALargerToken() throws Exception {
		List<ClusterNode> cluster = three();
		awaitFormed(cluster, BOUND, true);
		ClusterNode leader = leaderOf(cluster);
		long oldToken = token(leader);
		String before = runsOn(cluster);
		ClusterNode runner = cluster.stream().filter((n) -> n.self().name().equals(before)).findFirst().orElseThrow();
		ClusterNode victim = runner;
		List<ClusterNode> survivors = cluster.stream().filter((n) -> n != victim).toList();
		int startsBefore = this.starts.size();
		long start = System.nanoTime();
		this.nodes.crash(victim);
		if (victim == leader) {
			// its connections closed: the survivors delete its znodes instead of waiting out its session
			await().pollInterval(Duration.ofMillis(1)).atMost(BOUND).until(() -> survivors.stream()
				.allMatch((n) -> leader(n) != null && !leader(n).equals(victim.self().name())));
			long took = System.nanoTime() - start;
			figure("engine: leader crash (client cut off, connections closed) to a new leader on every survivor",
					took);
			assertThat(took).isLessThan(Duration.ofMillis(SESSION).toNanos());
			assertThat(token(survivors.get(0))).isGreaterThan(oldToken);
		}
		awaitFormed(survivors, BOUND, true);
		String after = runsOn(survivors);
		assertThat(after).isNotEqualTo(victim.self().name());
		assertThat(this.starts.subList(startsBefore, this.starts.size())).hasSize(1);
		await().atMost(BOUND).until(() -> this.admin.getChildren().forPath(this.settings.membersPath()).size() == 2);
	}

	@Test
	void aCrashedFollowerIsReportedByTheEngineAndItsRegistrationGoesAtOnce() throws Exception {
		List<ClusterNode> cluster = three();
		awaitFormed(cluster, BOUND, true);
		ClusterNode follower = cluster.stream().filter((n) -> !n.leadership().isLeader()).findFirst().orElseThrow();
		long start = System.nanoTime();
		this.nodes.crash(follower);
		await().pollInterval(Duration.ofMillis(5)).atMost(BOUND).until(() -> this.admin.checkExists()
			.forPath(this.settings.memberPath(follower.self().name())) == null);
		long took = System.nanoTime() - start;
		figure("engine: follower crash to its registration deleted", took);
		assertThat(took).isLessThan(Duration.ofMillis(SESSION).toNanos());
	}

}
