package dev.clustering.node;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import dev.clustering.leadership.LeaderInfo;
import dev.clustering.membership.LeaveReason;
import dev.clustering.singleton.SingletonInfo;
import dev.clustering.singleton.SingletonSpec;
import dev.clustering.singleton.StartType;
import dev.clustering.singleton.StopReason;
import dev.clustering.test.LoopbackCluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * What users trust the engine with, across real nodes in one JVM: a stalled event loop loses
 * leadership and its singletons by the clock, a graceful stop hands singletons over at once, a
 * cluster that shrinks gracefully keeps a leader, and views agree after a heal.
 */
class SafetyTests {

	@RegisterExtension
	final ClusterFixture fixture = new ClusterFixture();

	private final RecordingSingleton.Log log = new RecordingSingleton.Log();

	@AfterEach
	void stopSampling() {
		this.log.stopSampling();
	}

	// fast failure detection and keep-majority with a quorum of 1, the kit's defaults
	private LoopbackCluster start(SingletonSpec spec, String... names) {
		return this.fixture.start(LoopbackCluster.nodes(names).customize(this.log.hosting(spec)));
	}

	private static List<ClusterNode> nodes(LoopbackCluster cluster) {
		return cluster.names().stream().map(cluster::node).toList();
	}

	private static ClusterNode leaderOf(List<ClusterNode> nodes) {
		return nodes.stream().filter((n) -> n.leadership().isLeader()).findFirst().orElse(null);
	}

	@Test
	void aStalledEventLoopStopsLeadingAndRunningOnTimeAndNoOneElseStartsBefore() {
		SingletonSpec spec = new SingletonSpec("distro", List.of(), Duration.ofMillis(500), false, Duration.ZERO);
		LoopbackCluster cluster = start(spec, "abc", "bcd", "def");
		List<ClusterNode> nodes = nodes(cluster);
		cluster.await("a leader, every member and a run of distro", () -> leaderOf(nodes) != null
				&& this.log.lastStart() != null && nodes.stream().allMatch((n) -> n.members().size() == 2));
		this.log.startSampling();
		ClusterNode leader = leaderOf(nodes);
		String runner = this.log.lastStart().node();
		ClusterNode stalled = cluster.node(runner);
		// stall the event loop of the node running the singleton for 4 s: nothing it owns can act
		Duration stall = Duration.ofSeconds(4);
		long stalledAt = System.nanoTime();
		cluster.pause(runner, stall);
		// asked from this thread, while its loop cannot run: within a lease it neither leads nor runs
		await().atMost(Duration.ofSeconds(2)).until(() -> !stalled.leadership().isLeader()
				&& this.log.validNow().stream().noneMatch((v) -> v.startsWith(runner + "#")));
		long invalidAfter = System.nanoTime() - stalledAt;
		// the watchdog, not the stalled loop, calls its stop: it comes while the loop is still stalled
		await().atMost(Duration.ofSeconds(1)).until(() -> this.log.entries.stream()
			.anyMatch((e) -> !e.start() && e.node().equals(runner) && e.reason() == StopReason.QUORUM_LOST));
		assertThat(this.log.entries).filteredOn((e) -> !e.start() && e.node().equals(runner))
			.first()
			.satisfies((e) -> assertThat(e.nanos() - stalledAt).isLessThan(stall.toNanos()));
		// the others elect a leader and start the singleton, never while the stalled node believes it runs it
		await().atMost(Duration.ofSeconds(10)).until(() -> !this.log.lastStart().node().equals(runner));
		// once the stall ends, every node agrees on the leader and its token
		cluster.awaitLeader();
		assertThat(this.log.overlaps).as("moments with two valid runs").isEmpty();
		assertThat(nodes).filteredOn((n) -> n.leadership().isLeader()).hasSize(1);
		assertThat(invalidAfter).isLessThan(TimeUnit.SECONDS.toNanos(2));
		assertThat(leader).isNotNull();
	}

	@Test
	void aGracefulStopHandsTheSingletonOverAtOnceAndNothingIsPlacedOnTheLeavingNode() {
		// a failover timeout far longer than the test: only a hand-over can move it in time
		SingletonSpec spec = new SingletonSpec("distro", List.of(List.of("abc"), List.of("bcd", "def")),
				Duration.ofSeconds(60), false, Duration.ZERO);
		LoopbackCluster cluster = start(spec, "abc", "bcd", "def");
		ClusterNode abc = cluster.node("abc");
		cluster.await("abc leads and runs distro", () -> this.log.lastStart() != null
				&& this.log.lastStart().node().equals("abc") && abc.leadership().isLeader());
		this.log.startSampling();
		long closing = System.nanoTime();
		cluster.stop("abc");
		await().atMost(Duration.ofSeconds(5)).until(() -> !this.log.lastStart().node().equals("abc"));
		RecordingSingleton.Entry moved = this.log.lastStart();
		assertThat(moved.type()).isEqualTo(StartType.HANDOVER);
		assertThat(moved.from()).isEqualTo("abc@127.0.0.1");
		assertThat(moved.nanos() - closing).isLessThan(TimeUnit.SECONDS.toNanos(5));
		assertThat(this.log.starts()).filteredOn((e) -> e.node().equals("abc") && e.nanos() > closing).isEmpty();
		assertThat(this.log.entries).anyMatch((e) -> !e.start() && e.node().equals("abc")
				&& e.reason() == StopReason.SHUTDOWN);
		await().atMost(Duration.ofSeconds(5))
			.until(() -> cluster.node("bcd").leadership().isLeader() || cluster.node("def").leadership().isLeader());
		cluster.awaitEvent("bcd", EngineEvent.MemberLeft.class, (e) -> e.member().name().equals("abc@127.0.0.1"));
		assertThat(cluster.events("bcd", EngineEvent.MemberLeft.class)).extracting(EngineEvent.MemberLeft::reason)
			.containsExactly(LeaveReason.LEFT);
		assertThat(this.log.overlaps).isEmpty();
		assertThat(this.log.maxRunning.get()).isEqualTo(1);
	}

	@Test
	void nodesThatSayGoodbyeLeaveTheQuorumSoTheRestKeepALeaderAndTheSingleton() {
		SingletonSpec spec = new SingletonSpec("distro", List.of(), Duration.ofSeconds(1), false, Duration.ZERO);
		LoopbackCluster cluster = start(spec, "a", "b", "c", "d", "e");
		List<ClusterNode> nodes = new ArrayList<>(nodes(cluster));
		cluster.await("a leader, every member and a run of distro", () -> leaderOf(nodes) != null
				&& this.log.lastStart() != null && nodes.stream().allMatch((n) -> n.members().size() == 4));
		// stop three, one after the other, gracefully (the leader among them, whichever it is)
		for (String leaving : List.of("a", "b", "c")) {
			cluster.stop(leaving);
			nodes.remove(cluster.node(leaving));
			cluster.awaitMembers(nodes.size() - 1);
		}
		await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
			assertThat(leaderOf(nodes)).isNotNull();
			for (ClusterNode node : nodes) {
				SingletonInfo distro = node.singletons().get("distro");
				assertThat(distro.node()).isIn("d@127.0.0.1", "e@127.0.0.1");
			}
		});
		assertThat(this.log.maxRunning.get()).isEqualTo(1);
	}

	@Test
	void afterAHealEveryNodeShowsTheSameLeaderAndPlacementQuickly() {
		SingletonSpec spec = new SingletonSpec("distro", List.of(List.of("d"), List.of("a", "b", "c", "e")),
				Duration.ofMillis(500), false, Duration.ZERO);
		LoopbackCluster cluster = start(spec, "a", "b", "c", "d", "e");
		List<String> names = cluster.names();
		List<ClusterNode> nodes = nodes(cluster);
		cluster.await("every node shows the same leader and placement",
				() -> agreed(nodes) && this.log.lastStart() != null);
		this.log.startSampling();
		for (int round = 0; round < 3; round++) {
			// a different 3|2 each round
			List<String> majority = new ArrayList<>();
			List<String> minority = new ArrayList<>();
			for (int i = 0; i < 5; i++) {
				(((i + round) % 5 < 3) ? majority : minority).add(names.get(i));
			}
			cluster.partition(majority, minority);
			cluster.await("the majority " + majority + " sees a leader and distro placed",
					() -> majority.stream().map(cluster::node).allMatch((n) -> n.leadership().leader().isPresent()
							&& n.singletons().get("distro").node() != null));
			cluster.heal();
			long healed = System.nanoTime();
			await().atMost(Duration.ofSeconds(10)).until(() -> agreed(nodes));
			long took = System.nanoTime() - healed;
			System.out.printf("round %d: views agreed %d ms after the heal%n", round, took / 1_000_000);
		}
		assertThat(this.log.overlaps).isEmpty();
		assertThat(this.log.maxRunning.get()).isEqualTo(1);
	}

	@Test
	void aMemberThatNoLongerHearsTheLeaderLosesTheSingletonToANodeThatDoes() {
		SingletonSpec spec = new SingletonSpec("distro", List.of(List.of("bcd"), List.of("abc", "def")),
				Duration.ofMillis(500), false, Duration.ZERO);
		LoopbackCluster cluster = start(spec, "abc", "bcd", "def");
		List<ClusterNode> nodes = nodes(cluster);
		cluster.await("every node shows the same leader and placement",
				() -> agreed(nodes) && this.log.lastStart() != null);
		ClusterNode leader = leaderOf(nodes);
		assertThat(leader.self().name()).isNotEqualTo("bcd@127.0.0.1");
		assertThat(this.log.lastStart().node()).isEqualTo("bcd");
		this.log.startSampling();
		// the leader still hears bcd, but bcd no longer hears the leader: bcd's permit runs out, so the
		// leader must not keep it (or place it again) there, and starts it where it is renewed
		cluster.cutOneWay(LoopbackCluster.shortName(leader.self().name()), "bcd");
		await().atMost(Duration.ofSeconds(10)).until(() -> !this.log.lastStart().node().equals("bcd"));
		RecordingSingleton.Entry moved = this.log.lastStart();
		assertThat(moved.type()).isEqualTo(StartType.FAILOVER);
		assertThat(this.log.entries).anySatisfy((e) -> {
			assertThat(e.start()).isFalse();
			assertThat(e.node()).isEqualTo("bcd");
		});
		assertThat(leader.leadership().isLeader()).isTrue();
		cluster.heal();
		await().atMost(Duration.ofSeconds(10)).until(() -> agreed(nodes));
		assertThat(nodes.get(0).singletons().get("distro").node()).isEqualTo(moved.node() + "@127.0.0.1");
		assertThat(this.log.overlaps).as("moments with two valid runs").isEmpty();
		assertThat(this.log.maxRunning.get()).isEqualTo(1);
	}

	private static boolean agreed(List<ClusterNode> nodes) {
		LeaderInfo leader = nodes.get(0).leadership().leader().orElse(null);
		String runner = nodes.get(0).singletons().get("distro").node();
		if (leader == null || runner == null) {
			return false;
		}
		for (ClusterNode node : nodes) {
			LeaderInfo theirs = node.leadership().leader().orElse(null);
			if (theirs == null || !theirs.name().equals(leader.name()) || theirs.fencingToken() != leader.fencingToken()
					|| !runner.equals(node.singletons().get("distro").node())) {
				return false;
			}
		}
		return nodes.stream().filter((n) -> n.leadership().isLeader()).count() == 1;
	}

	@Test
	void leaderAndTokenAreReadTogether() {
		LoopbackCluster cluster = start(SingletonSpec.defaults("distro"), "abc", "bcd", "def");
		List<ClusterNode> nodes = nodes(cluster);
		cluster.await("a node leads", () -> leaderOf(nodes) != null);
		ClusterNode leader = leaderOf(nodes);
		LeaderInfo own = leader.leadership().ownLeadership().orElseThrow();
		assertThat(own.name()).isEqualTo(leader.self().name());
		assertThat(own.fencingToken()).isEqualTo(leader.leadership().fencingToken()).isPositive();
		assertThat(nodes.stream().filter((n) -> n != leader)).allSatisfy((n) -> {
			assertThat(n.leadership().ownLeadership()).isEmpty();
			assertThat(n.leadership().fencingToken()).isZero();
		});
		Map<String, LeaderInfo> views = new HashMap<>();
		nodes.forEach((n) -> views.put(n.self().name(), n.leadership().leader().orElseThrow()));
		assertThat(views.values()).extracting(LeaderInfo::fencingToken).containsOnly(own.fencingToken());
	}

}
