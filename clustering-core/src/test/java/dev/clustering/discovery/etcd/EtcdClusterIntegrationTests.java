package dev.clustering.discovery.etcd;

import java.time.Duration;
import java.util.List;

import io.etcd.jetcd.Client;
import io.etcd.jetcd.KeyValue;
import io.etcd.jetcd.options.GetOption;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;

import dev.clustering.discovery.NodeRecord;
import dev.clustering.node.ClusterNode;
import dev.clustering.node.EngineEvent;

import static dev.clustering.discovery.RegistryTestNodes.awaitFormed;
import static dev.clustering.discovery.RegistryTestNodes.leader;
import static dev.clustering.discovery.RegistryTestNodes.leaderOf;
import static dev.clustering.discovery.RegistryTestNodes.status;
import static dev.clustering.discovery.RegistryTestNodes.token;
import static dev.clustering.discovery.etcd.EtcdRuntime.bytes;
import static dev.clustering.discovery.etcd.EtcdRuntime.text;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Nodes that find each other through the {@code etcd} strategy and a real etcd, through the engine:
 * they become members of each other, a graceful leave and a crash are seen at once, leadership
 * follows etcd's election, and a node started before etcd joins once etcd is up.
 */
class EtcdClusterIntegrationTests extends SharedEtcd {

	private static final Duration BOUND = Duration.ofSeconds(20);

	private final EtcdTestNodes nodes = new EtcdTestNodes();

	private EtcdSettings settings;

	@BeforeEach
	void settings(TestInfo test) {
		this.settings = new EtcdSettings("/cluster-tests", test.getTestMethod().orElseThrow().getName(),
				EtcdSettings.MIN_TTL);
	}

	@AfterEach
	void stopNodes() {
		this.nodes.close();
	}

	private List<ClusterNode> three() {
		return List.of(this.nodes.start(etcd, this.settings, "127.0.0.2"),
				this.nodes.start(etcd, this.settings, "127.0.0.3"), this.nodes.start(etcd, this.settings, "127.0.0.4"));
	}

	private List<KeyValue> registrations() throws Exception {
		return admin
			.getKVClient()
			.get(bytes(this.settings.servicePrefix()), GetOption.builder().isPrefix(true).build())
			.get()
			.getKvs()
			.stream()
			.filter((kv) -> this.settings.nodeName(text(kv.getKey())) != null)
			.toList();
	}

	private static void figure(String what, long nanos) {
		System.out.printf("[etcd figure] %s: %.1f ms%n", what, nanos / 1_000_000.0);
	}

	@Test
	void threeNodesBecomeMembersOfEachOtherAndAgreeOnTheLeader() throws Exception {
		List<ClusterNode> cluster = three();
		awaitFormed(cluster, BOUND, false);
		// a node may become a member through the other's dial before its own watch reports it
		await().atMost(BOUND).untilAsserted(() -> {
			for (ClusterNode node : cluster) {
				assertThat(status(node).discovered()).containsExactlyInAnyOrderElementsOf(cluster.stream()
					.filter((n) -> n != node)
					.map((n) -> n.self().address())
					.toList());
				assertThat(status(node).lastError()).isNull();
				assertThat(node.members()).allSatisfy((m) -> assertThat(m.topologies()).containsExactly("prod"));
			}
		});
		assertThat(cluster.stream().filter((n) -> n.leadership().isLeader())).hasSize(1);
		List<KeyValue> candidacies = admin
			.getKVClient()
			.get(bytes(this.settings.electionPrefix()), GetOption.builder()
				.isPrefix(true)
				.withSortField(GetOption.SortTarget.CREATE)
				.build())
			.get()
			.getKvs();
		assertThat(text(candidacies.get(0).getValue())).isEqualTo(leader(cluster.get(0)));
		assertThat(token(cluster.get(0))).isEqualTo(candidacies.get(0).getCreateRevision());
		assertThat(registrations()).extracting((kv) -> NodeRecord.parse(text(kv.getValue())).name())
			.containsExactlyInAnyOrderElementsOf(cluster.stream().map((n) -> n.self().name()).toList());
	}

	@Test
	void gracefulLeaveIsSeenAtOnceAndALeavingLeaderIsReplacedAtOnce() throws Exception {
		List<ClusterNode> cluster = three();
		awaitFormed(cluster, BOUND, false);
		ClusterNode leader = leaderOf(cluster);
		long oldToken = token(leader);
		List<ClusterNode> survivors = cluster.stream().filter((n) -> n != leader).toList();
		long start = System.nanoTime();
		leader.close();
		long closed = System.nanoTime() - start;
		assertThat(registrations()).extracting((kv) -> text(kv.getKey())).doesNotContain(
				this.settings.nodeKey(leader.self().name()));
		await().pollInterval(Duration.ofMillis(1)).atMost(BOUND).until(() -> survivors.stream()
			.allMatch((n) -> leader(n) != null && !leader(n).equals(leader.self().name())));
		long took = System.nanoTime() - start;
		figure("engine: leader node close() to a new leader on every survivor (close itself " + closed / 1_000_000
				+ " ms)", took);
		awaitFormed(survivors, BOUND, false);
		assertThat(token(survivors.get(0))).isGreaterThan(oldToken);
		await().atMost(BOUND).until(() -> survivors.stream()
			.noneMatch((n) -> status(n).discovered().contains(leader.self().address())));
	}

	@Test
	void crashedLeaderIsReportedByTheEngineAndReplacedAtOnce() throws Exception {
		List<ClusterNode> cluster = three();
		awaitFormed(cluster, BOUND, false);
		ClusterNode leader = leaderOf(cluster);
		long oldToken = token(leader);
		List<ClusterNode> survivors = cluster.stream().filter((n) -> n != leader).toList();
		long start = System.nanoTime();
		this.nodes.crash(leader);
		// its connections closed: the survivors revoke its leases instead of waiting out the TTL
		await().pollInterval(Duration.ofMillis(1)).atMost(BOUND).until(() -> survivors.stream()
			.allMatch((n) -> leader(n) != null && !leader(n).equals(leader.self().name())));
		long took = System.nanoTime() - start;
		figure("engine: leader crash (client gone, connections closed) to a new leader on every survivor", took);
		awaitFormed(survivors, BOUND, false);
		assertThat(token(survivors.get(0))).isGreaterThan(oldToken);
		assertThat(took).isLessThan(this.settings.ttl().toNanos());
		await().atMost(Duration.ofSeconds(1)).until(() -> registrations().size() == 2);
	}

	@Test
	void nodeStartedBeforeEtcdJoinsOnceEtcdIsUp() throws Exception {
		try (EtcdServer late = EtcdServer.create()) {
			List<ClusterNode> cluster = List.of(this.nodes.start(late, this.settings, "127.0.0.2"),
					this.nodes.start(late, this.settings, "127.0.0.3"));
			await().atMost(BOUND).until(() -> cluster.stream().allMatch((n) -> status(n).lastError() != null));
			assertThat(cluster).allSatisfy((n) -> {
				assertThat(n.isRunning()).isTrue();
				assertThat(n.members()).isEmpty();
				assertThat(leader(n)).isNull();
			});
			late.startProcess();
			long start = System.nanoTime();
			awaitFormed(cluster, BOUND, false);
			figure("etcd up to two waiting nodes being members with a leader", System.nanoTime() - start);
			// each node's own discovery reads etcd again too (membership may come from the other's first)
			await().atMost(BOUND).until(() -> cluster.stream().allMatch((n) -> status(n).lastError() == null));
			figure("etcd up to both nodes' discovery answering again", System.nanoTime() - start);
			// a registration that was never in place was not lost: no disconnect and reconnect at start-up
			assertThat(cluster).allSatisfy((n) -> {
				assertThat(this.nodes.events(n, EngineEvent.RegistryDisconnected.class)).isEmpty();
				assertThat(this.nodes.events(n, EngineEvent.RegistryReconnected.class)).isEmpty();
			});
		}
	}

}
