package dev.clustering.node;

import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import dev.clustering.leadership.LeaderInfo;
import dev.clustering.leadership.RevocationReason;
import dev.clustering.singleton.SingletonSpec;
import dev.clustering.singleton.StopReason;
import dev.clustering.test.LoopbackCluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The engine with a registry that runs the election (a fake one here; etcd in its own tests):
 * leadership follows the registry, a crash is reported so the registry can move on at once, and a
 * node that loses its registry gives up leadership and its singletons. The registry elects its
 * first candidate, and the nodes of a kit cluster start together, so which node that is depends on
 * their event loops: the tests follow the registry's choice.
 */
class RegistryElectionTests {

	@RegisterExtension
	final ClusterFixture fixture = new ClusterFixture();

	private final FakeRegistry registry = new FakeRegistry();

	private final RecordingSingleton.Log log = new RecordingSingleton.Log();

	// the registry is the only discovery: the kit's static topology is left out
	private LoopbackCluster start(String... names) {
		SingletonSpec spec = new SingletonSpec("distro", List.of(), Duration.ofMillis(500), false, Duration.ZERO);
		return this.fixture.start(LoopbackCluster.nodes(names).customize((name, builder) -> {
			builder.topologies.clear();
			builder.topology("prod", "fake-registry", this.registry.strategy(), Duration.ofSeconds(1));
			this.log.hosting(spec).accept(name, builder);
		}));
	}

	// the node the registry elected, once every node follows it (by short name)
	private String awaitRegistryLeader(LoopbackCluster cluster) {
		String[] leader = new String[1];
		cluster.await("every node follows the registry's leader", () -> {
			String elected = this.registry.leader();
			leader[0] = (elected != null) ? LoopbackCluster.shortName(elected) : null;
			return leader[0] != null && ClusterFixture.follow(cluster, cluster.names(), leader[0]);
		});
		return leader[0];
	}

	@Test
	void leadershipFollowsTheRegistryAndACrashIsReportedToIt() {
		LoopbackCluster cluster = start("abc", "bcd", "def");
		cluster.awaitMembers();
		String first = awaitRegistryLeader(cluster);
		ClusterNode leader = cluster.node(first);
		List<String> others = cluster.names().stream().filter((name) -> !name.equals(first)).toList();
		assertThat(leader.leadership().isLeader()).isTrue();
		long token = leader.leadership().fencingToken();
		assertThat(cluster.node(others.get(0)).leadership().leader().get().fencingToken()).isEqualTo(token);

		cluster.kill(first);
		await().atMost(Duration.ofSeconds(5)).until(() -> others.stream()
			.anyMatch((name) -> cluster.node(name).leadership().isLeader()));
		assertThat(this.registry.crashReports).contains(first + "@127.0.0.1");
		ClusterNode next = cluster.node(others.stream()
			.filter((name) -> cluster.node(name).leadership().isLeader())
			.findFirst()
			.orElseThrow());
		assertThat(next.leadership().fencingToken()).isGreaterThan(token);
		assertThat(next.self().name()).isEqualTo(this.registry.leader());
		await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> {
			for (String name : others) {
				assertThat(cluster.node(name).leadership().leader()).map(LeaderInfo::name)
					.hasValue(next.self().name());
			}
		});
	}

	@Test
	void losingTheRegistryRevokesLeadershipAndStopsSingletonsAtOnce() {
		LoopbackCluster cluster = start("abc", "bcd");
		cluster.awaitMembers();
		String lost = awaitRegistryLeader(cluster);
		String other = lost.equals("abc") ? "bcd" : "abc";
		ClusterNode leader = cluster.node(lost);
		cluster.await(lost + " leads and distro runs",
				() -> leader.leadership().isLeader() && this.log.lastStart() != null);
		String runner = this.log.lastStart().node();
		this.registry.expire(lost + "@127.0.0.1");
		await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> {
			assertThat(leader.leadership().isLeader()).isFalse();
			assertThat(cluster.events(lost, EngineEvent.RegistryDisconnected.class))
				.anySatisfy((d) -> assertThat(d.topology()).isEqualTo("prod"));
			assertThat(cluster.events(lost, EngineEvent.LeadershipRevoked.class))
				.anySatisfy((r) -> assertThat(r.reason()).isEqualTo(RevocationReason.REGISTRY_LOST));
			assertThat(cluster.node(other).leadership().isLeader()).isTrue();
		});
		if (runner.equals(lost)) {
			assertThat(this.log.entries).anyMatch((e) -> !e.start() && e.node().equals(lost)
					&& e.reason() == StopReason.QUORUM_LOST);
			// the old leader is no longer registered, so the other may take it over after the failover
			// timeout
			await().atMost(Duration.ofSeconds(5)).until(() -> this.log.lastStart().node().equals(other));
		}
		// the transport membership is kept
		assertThat(leader.members()).hasSize(1);
		assertThat(this.log.maxRunning.get()).isEqualTo(1);
	}

}
