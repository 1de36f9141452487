package dev.clustering.node;

import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import dev.clustering.leadership.LeaderInfo;
import dev.clustering.leadership.RevocationReason;
import dev.clustering.singleton.SingletonSpec;
import dev.clustering.singleton.StopReason;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The engine with a registry that runs the election (a fake one here; etcd in its own tests):
 * leadership follows the registry, a crash is reported so the registry can move on at once, and a
 * node that loses its registry gives up leadership and its singletons.
 */
class RegistryElectionTests {

	private final TestCluster cluster = new TestCluster();

	private final FakeRegistry registry = new FakeRegistry();

	private final RecordingSingleton.Log log = new RecordingSingleton.Log();

	@AfterEach
	void close() {
		this.cluster.close();
	}

	private ClusterNode node(String name, int port) {
		SingletonSpec spec = new SingletonSpec("distro", List.of(), Duration.ofMillis(500), false, Duration.ZERO);
		return this.cluster.start(name, port, List.of(), (builder) -> builder.failureDetector(TestCluster.FAST)
			.topology("prod", "fake-registry", this.registry.strategy(), Duration.ofSeconds(1))
			.singletonSpec(spec)
			.singleton("distro", new RecordingSingleton(name, this.log)));
	}

	@Test
	void leadershipFollowsTheRegistryAndACrashIsReportedToIt() {
		int[] ports = TestCluster.freePorts(3);
		ClusterNode abc = node("abc", ports[0]);
		ClusterNode bcd = node("bcd", ports[1]);
		ClusterNode def = node("def", ports[2]);
		await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
			for (ClusterNode node : List.of(abc, bcd, def)) {
				assertThat(node.members()).hasSize(2);
				assertThat(node.leadership().leader()).map(LeaderInfo::name).hasValue("abc@127.0.0.1");
			}
		});
		assertThat(abc.leadership().isLeader()).isTrue();
		long first = abc.leadership().fencingToken();
		assertThat(bcd.leadership().leader().get().fencingToken()).isEqualTo(first);

		abc.halt();
		await().atMost(Duration.ofSeconds(5)).until(() -> bcd.leadership().isLeader());
		assertThat(this.registry.crashReports).contains("abc@127.0.0.1");
		assertThat(bcd.leadership().fencingToken()).isGreaterThan(first);
		await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertThat(def.leadership().leader())
			.map(LeaderInfo::name).hasValue("bcd@127.0.0.1"));
	}

	@Test
	void losingTheRegistryRevokesLeadershipAndStopsSingletonsAtOnce() {
		int[] ports = TestCluster.freePorts(2);
		ClusterNode abc = node("abc", ports[0]);
		ClusterNode bcd = node("bcd", ports[1]);
		await().atMost(Duration.ofSeconds(10)).until(() -> abc.leadership().isLeader()
				&& this.log.lastStart() != null && bcd.members().size() == 1);
		String runner = this.log.lastStart().node();
		this.registry.expire("abc@127.0.0.1");
		await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> {
			assertThat(abc.leadership().isLeader()).isFalse();
			assertThat(this.cluster.events.get("abc@127.0.0.1")).anySatisfy((e) -> assertThat(e)
				.isInstanceOfSatisfying(EngineEvent.RegistryDisconnected.class, (d) -> assertThat(d.topology()).isEqualTo("prod")));
			assertThat(this.cluster.events.get("abc@127.0.0.1")).anySatisfy((e) -> assertThat(e)
				.isInstanceOfSatisfying(EngineEvent.LeadershipRevoked.class,
						(r) -> assertThat(r.reason()).isEqualTo(RevocationReason.REGISTRY_LOST)));
			assertThat(bcd.leadership().isLeader()).isTrue();
		});
		if (runner.equals("abc")) {
			assertThat(this.log.entries).anyMatch((e) -> !e.start() && e.node().equals("abc")
					&& e.reason() == StopReason.QUORUM_LOST);
			// abc is no longer registered, so bcd may take it over after the failover timeout
			await().atMost(Duration.ofSeconds(5)).until(() -> this.log.lastStart().node().equals("bcd"));
		}
		// the transport membership is kept
		assertThat(abc.members()).hasSize(1);
		assertThat(this.log.maxRunning.get()).isEqualTo(1);
	}

}
