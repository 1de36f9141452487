package dev.clustering.node;

import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import dev.clustering.leadership.LeaderInfo;
import dev.clustering.leadership.SplitBrainStrategy;
import dev.clustering.singleton.SingletonSpec;
import dev.clustering.singleton.StartType;
import dev.clustering.singleton.StopReason;
import dev.clustering.test.LoopbackCluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Leadership and singletons across real nodes in one JVM: the Erlang walkthrough, and a partition.
 */
class SingletonTests {

	@RegisterExtension
	final ClusterFixture fixture = new ClusterFixture();

	private final RecordingSingleton.Log log = new RecordingSingleton.Log();

	// fast failure detection and a quorum of 1, the kit's defaults
	private LoopbackCluster start(SplitBrainStrategy splitBrain, SingletonSpec spec, String... names) {
		return this.fixture
			.start(LoopbackCluster.nodes(names).splitBrain(splitBrain, 1).customize(this.log.hosting(spec)));
	}

	// every node sees it running there, and that node's instance has started
	private void awaitRunsOn(LoopbackCluster cluster, String name) {
		cluster.awaitSingletonOn("distro", name);
		cluster.await(name + "'s instance of distro started",
				() -> this.log.lastStart() != null && this.log.lastStart().node().equals(name));
	}

	// abc, bcd and def with distro on abc first, then on bcd or def (takeover on), once it runs on abc
	private LoopbackCluster startOnAbc(SplitBrainStrategy splitBrain, Duration failoverTimeout,
			Duration takeoverDelay) {
		SingletonSpec spec = new SingletonSpec("distro", List.of(List.of("abc"), List.of("bcd", "def")),
				failoverTimeout, true, takeoverDelay);
		LoopbackCluster cluster = start(splitBrain, spec, "abc", "bcd", "def");
		awaitRunsOn(cluster, "abc");
		return cluster;
	}

	// abc, bcd and def with distro placed by default, once abc leads and every node follows it
	private LoopbackCluster startWithAbcLeading() {
		LoopbackCluster cluster = start(SplitBrainStrategy.KEEP_MAJORITY, SingletonSpec.defaults("distro"), "abc",
				"bcd", "def");
		cluster.await("abc leads", () -> cluster.node("abc").leadership().isLeader());
		assertThat(cluster.awaitLeader().name()).isEqualTo("abc@127.0.0.1");
		return cluster;
	}

	private static String runsOn(ClusterNode node) {
		return node.singletons().get("distro").node();
	}

	@Test
	void erlangWalkthroughFailoverAndTakeover() {
		LoopbackCluster cluster = startOnAbc(SplitBrainStrategy.OFF, Duration.ofSeconds(1), Duration.ofMillis(500));
		assertThat(this.log.lastStart().type()).isEqualTo(StartType.NORMAL);
		assertThat(cluster.node("abc").singletons().get("distro").nodes()).containsExactly(List.of("abc"),
				List.of("bcd", "def"));

		// kill abc: after the failover timeout, distro starts on bcd or def
		long killed = System.nanoTime();
		cluster.kill("abc");
		this.log.crashed("abc");
		await().atMost(Duration.ofSeconds(10)).until(() -> !this.log.lastStart().node().equals("abc"));
		RecordingSingleton.Entry failover = this.log.lastStart();
		assertThat(failover.node()).isIn("bcd", "def");
		assertThat(failover.type()).isEqualTo(StartType.FAILOVER);
		assertThat(failover.from()).isEqualTo("abc@127.0.0.1");
		assertThat(Duration.ofNanos(failover.nanos() - killed)).isGreaterThanOrEqualTo(Duration.ofSeconds(1));

		// kill that one: it moves to the last
		String second = failover.node();
		String last = second.equals("bcd") ? "def" : "bcd";
		cluster.kill(second);
		this.log.crashed(second);
		await().atMost(Duration.ofSeconds(10)).until(() -> this.log.lastStart().node().equals(last));
		assertThat(this.log.lastStart().type()).isEqualTo(StartType.FAILOVER);

		// abc comes back and takes it over: stop on the last node completes before the start on abc
		cluster.restart("abc");
		await().atMost(Duration.ofSeconds(10)).until(() -> this.log.lastStart().node().equals("abc"));
		RecordingSingleton.Entry takeover = this.log.lastStart();
		assertThat(takeover.type()).isEqualTo(StartType.TAKEOVER);
		assertThat(takeover.from()).isEqualTo(last + "@127.0.0.1");
		RecordingSingleton.Entry stop = this.log.entries.get(this.log.entries.indexOf(takeover) - 1);
		assertThat(stop.start()).isFalse();
		assertThat(stop.node()).isEqualTo(last);
		assertThat(stop.reason()).isEqualTo(StopReason.TAKEOVER);
		await().atMost(Duration.ofSeconds(5))
			.untilAsserted(() -> assertThat(runsOn(cluster.node(last))).isEqualTo("abc@127.0.0.1"));
		assertThat(runsOn(cluster.node("abc"))).isEqualTo("abc@127.0.0.1");

		// never two at once, and every start carries a larger fencing token than the one before
		assertThat(this.log.maxRunning.get()).isEqualTo(1);
		List<Long> tokens = this.log.starts().stream().map(RecordingSingleton.Entry::token).toList();
		assertThat(tokens).isSorted().doesNotHaveDuplicates();
	}

	@Test
	void gracefulShutdownHandsOverAtOnce() {
		LoopbackCluster cluster = startOnAbc(SplitBrainStrategy.KEEP_MAJORITY, Duration.ofSeconds(5),
				Duration.ofMillis(500));
		long stopped = System.nanoTime();
		cluster.stop("abc");
		await().atMost(Duration.ofSeconds(3)).until(() -> !this.log.lastStart().node().equals("abc"));
		// well under the 5 s failover timeout: the clean stop was a hand-over
		assertThat(Duration.ofNanos(this.log.lastStart().nanos() - stopped)).isLessThan(Duration.ofSeconds(3));
		assertThat(this.log.entries).anyMatch((e) -> !e.start() && e.node().equals("abc")
				&& e.reason() == StopReason.SHUTDOWN);
		assertThat(this.log.maxRunning.get()).isEqualTo(1);
	}

	@Test
	void partitionedMinorityStopsItsSingletonAndLeaderAndTheMajorityKeepsBoth() {
		SingletonSpec spec = new SingletonSpec("distro", List.of(List.of("d"), List.of("a", "b", "c", "e")),
				Duration.ofSeconds(2), true, Duration.ofMillis(500));
		LoopbackCluster cluster = start(SplitBrainStrategy.KEEP_MAJORITY, spec, "a", "b", "c", "d", "e");
		List<String> majority = List.of("a", "b", "c");
		awaitRunsOn(cluster, "d");
		cluster.await("every node follows a", () -> ClusterFixture.follow(cluster, cluster.names(), "a"));
		// partition 3 | 2: a, b, c | d, e
		cluster.partition(majority, List.of("d", "e"));
		await().atMost(Duration.ofSeconds(15)).untilAsserted(() -> {
			assertThat(cluster.node("d").leadership().leader()).isEmpty();
			assertThat(cluster.node("e").leadership().leader()).isEmpty();
			assertThat(this.log.entries).anyMatch((e) -> !e.start() && e.node().equals("d")
					&& e.reason() == StopReason.QUORUM_LOST);
			assertThat(this.log.lastStart().node()).isIn(majority);
		});
		for (String name : majority) {
			assertThat(cluster.node(name).leadership().leader()).map(LeaderInfo::name).hasValue("a@127.0.0.1");
		}
		assertThat(this.log.maxRunning.get()).isEqualTo(1);

		// heal: one leader for everyone, and d takes its singleton back
		cluster.heal();
		cluster.awaitLeader();
		cluster.await("d runs distro again", () -> this.log.lastStart().node().equals("d"));
		assertThat(cluster.names()).filteredOn((name) -> cluster.node(name).leadership().isLeader()).hasSize(1);
		assertThat(this.log.maxRunning.get()).isEqualTo(1);
	}

	@Test
	void killedLeaderIsReplacedWithALargerTokenAndEveryNodeHearsIt() {
		LoopbackCluster cluster = startWithAbcLeading();
		ClusterNode bcd = cluster.node("bcd");
		long first = cluster.node("abc").leadership().fencingToken();
		assertThat(bcd.leadership().leader().get().fencingToken()).isEqualTo(first);
		cluster.kill("abc");
		await().atMost(Duration.ofSeconds(5)).until(() -> bcd.leadership().isLeader());
		assertThat(bcd.leadership().fencingToken()).isGreaterThan(first);
		await().atMost(Duration.ofSeconds(5)).until(() -> ClusterFixture.follow(cluster, List.of("def"), "bcd"));
		cluster.awaitEvent("def", EngineEvent.LeaderElected.class, (e) -> e.leader().equals("bcd@127.0.0.1"));
		assertThat(cluster.events("def", EngineEvent.LeaderElected.class)).extracting(EngineEvent.LeaderElected::leader)
			.containsExactly("abc@127.0.0.1", "bcd@127.0.0.1");
	}

	@Test
	void manualTakeoverMovesTheSingletonAndItStaysThere() {
		LoopbackCluster cluster = startOnAbc(SplitBrainStrategy.KEEP_MAJORITY, Duration.ofSeconds(1),
				Duration.ofMillis(200));
		// asked on a node that is not necessarily the leader; by name part
		assertThat(cluster.node("bcd").moveSingleton("distro", "def")).isNull();
		await().atMost(Duration.ofSeconds(5)).until(() -> this.log.lastStart().node().equals("def"));
		assertThat(this.log.lastStart().type()).isEqualTo(StartType.TAKEOVER);
		assertThat(this.log.lastStart().from()).isEqualTo("abc@127.0.0.1");
		// abc has the higher priority, but the operator's choice holds
		await().during(Duration.ofSeconds(1)).atMost(Duration.ofSeconds(3))
			.until(() -> this.log.lastStart().node().equals("def"));
		assertThat(cluster.node("abc").moveSingleton("distro", "nobody")).contains("not a live member");
		assertThat(cluster.node("abc").moveSingleton("nothing", "def")).contains("no singleton");
		assertThat(this.log.maxRunning.get()).isEqualTo(1);
	}

	@Test
	void aCutOffLeaderFollowsTheNewLeaderWhenTheLinkHeals() {
		LoopbackCluster cluster = startWithAbcLeading();
		ClusterNode abc = cluster.node("abc");
		long stale = abc.leadership().fencingToken();
		cluster.isolate("abc");
		String newLeader = cluster.awaitLeader(List.of("bcd", "def")).name();
		cluster.heal();
		// the old leader hears the claim made while it was cut off and does not take leadership back
		await().during(Duration.ofSeconds(3)).atMost(Duration.ofSeconds(8)).untilAsserted(() -> {
			for (String name : cluster.names()) {
				assertThat(cluster.node(name).leadership().leader()).map(LeaderInfo::name).hasValue(newLeader);
			}
			assertThat(abc.leadership().isLeader()).isFalse();
		});
		assertThat(abc.leadership().leader().get().fencingToken()).isGreaterThan(stale);
	}

	@Test
	void yieldHandsLeadershipToAnotherNode() {
		LoopbackCluster cluster = startWithAbcLeading();
		ClusterNode abc = cluster.node("abc");
		abc.leadership().yield();
		await().atMost(Duration.ofSeconds(5)).until(() -> cluster.node("bcd").leadership().isLeader());
		assertThat(abc.leadership().isLeader()).isFalse();
		assertThat(abc.leadership().leader()).map(LeaderInfo::name).hasValue("bcd@127.0.0.1");
	}

}
