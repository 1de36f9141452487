package dev.clustering.node;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import dev.clustering.leadership.LeaderInfo;
import dev.clustering.leadership.SplitBrainStrategy;
import dev.clustering.membership.NodeAddress;
import dev.clustering.membership.LeaveReason;
import dev.clustering.singleton.SingletonInfo;
import dev.clustering.singleton.SingletonSpec;
import dev.clustering.singleton.StartType;
import dev.clustering.singleton.StopReason;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * What users trust the engine with, across real nodes in one JVM: a stalled event loop loses
 * leadership and its singletons by the clock, a graceful stop hands singletons over at once, a
 * cluster that shrinks gracefully keeps a leader, and views agree after a heal.
 */
class SafetyTests {

	private final TestCluster cluster = new TestCluster();

	private final RecordingSingleton.Log log = new RecordingSingleton.Log();

	@AfterEach
	void close() {
		this.log.stopSampling();
		this.cluster.close();
	}

	private ClusterNode node(String name, int port, List<NodeAddress> hosts, SingletonSpec spec) {
		return this.cluster.start(name, port, hosts, (builder) -> builder.failureDetector(TestCluster.FAST)
			.splitBrain(SplitBrainStrategy.KEEP_MAJORITY, 1)
			.singletonSpec(spec)
			.singleton(spec.name(), new RecordingSingleton(name, this.log)));
	}

	private static ClusterNode leaderOf(List<ClusterNode> nodes) {
		return nodes.stream().filter((n) -> n.leadership().isLeader()).findFirst().orElse(null);
	}

	@Test
	void aStalledEventLoopStopsLeadingAndRunningOnTimeAndNoOneElseStartsBefore() throws Exception {
		int[] ports = TestCluster.freePorts(3);
		List<NodeAddress> hosts = TestCluster.addresses(ports);
		SingletonSpec spec = new SingletonSpec("distro", List.of(), Duration.ofMillis(500), false, Duration.ZERO);
		List<ClusterNode> nodes = new ArrayList<>();
		for (String name : List.of("abc", "bcd", "def")) {
			nodes.add(node(name, ports[nodes.size()], hosts, spec));
		}
		await().atMost(Duration.ofSeconds(15)).until(() -> leaderOf(nodes) != null && this.log.lastStart() != null
				&& nodes.stream().allMatch((n) -> n.members().size() == 2));
		this.log.startSampling();
		ClusterNode leader = leaderOf(nodes);
		String runner = this.log.lastStart().node();
		ClusterNode stalled = nodes.stream().filter((n) -> n.self().name().startsWith(runner + "@")).findFirst().get();
		// stall the event loop of the node running the singleton for 4 s: nothing it owns can act
		CountDownLatch release = new CountDownLatch(1);
		long stalledAt = System.nanoTime();
		stalled.eventLoop().execute(() -> {
			try {
				release.await(4, TimeUnit.SECONDS);
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
			}
		});
		// asked from this thread, while its loop cannot run: within a lease it neither leads nor runs
		await().atMost(Duration.ofSeconds(2)).until(() -> !stalled.leadership().isLeader()
				&& this.log.validNow().stream().noneMatch((v) -> v.startsWith(runner + "#")));
		long invalidAfter = System.nanoTime() - stalledAt;
		// the watchdog, not the stalled loop, calls its stop
		await().atMost(Duration.ofSeconds(1)).until(() -> this.log.entries.stream()
			.anyMatch((e) -> !e.start() && e.node().equals(runner) && e.reason() == StopReason.QUORUM_LOST));
		assertThat(release.getCount()).isEqualTo(1);
		// the others elect a leader and start the singleton, never while the stalled node believes it runs it
		await().atMost(Duration.ofSeconds(10)).until(() -> !this.log.lastStart().node().equals(runner));
		release.countDown();
		await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
			LeaderInfo view = nodes.get(0).leadership().leader().orElseThrow();
			for (ClusterNode node : nodes) {
				assertThat(node.leadership().leader()).hasValueSatisfying((l) -> {
					assertThat(l.name()).isEqualTo(view.name());
					assertThat(l.fencingToken()).isEqualTo(view.fencingToken());
				});
			}
		});
		assertThat(this.log.overlaps).as("moments with two valid runs").isEmpty();
		assertThat(IntStream.range(0, nodes.size()).filter((i) -> nodes.get(i).leadership().isLeader())).hasSize(1);
		assertThat(invalidAfter).isLessThan(TimeUnit.SECONDS.toNanos(2));
		assertThat(leader).isNotNull();
	}

	@Test
	void aGracefulStopHandsTheSingletonOverAtOnceAndNothingIsPlacedOnTheLeavingNode() {
		int[] ports = TestCluster.freePorts(3);
		List<NodeAddress> hosts = TestCluster.addresses(ports);
		// a failover timeout far longer than the test: only a hand-over can move it in time
		SingletonSpec spec = new SingletonSpec("distro", List.of(List.of("abc"), List.of("bcd", "def")),
				Duration.ofSeconds(60), false, Duration.ZERO);
		ClusterNode abc = node("abc", ports[0], hosts, spec);
		ClusterNode bcd = node("bcd", ports[1], hosts, spec);
		ClusterNode def = node("def", ports[2], hosts, spec);
		await().atMost(Duration.ofSeconds(15)).until(() -> this.log.lastStart() != null
				&& this.log.lastStart().node().equals("abc") && abc.leadership().isLeader());
		this.log.startSampling();
		long closing = System.nanoTime();
		abc.close();
		await().atMost(Duration.ofSeconds(5)).until(() -> !this.log.lastStart().node().equals("abc"));
		RecordingSingleton.Entry moved = this.log.lastStart();
		assertThat(moved.type()).isEqualTo(StartType.HANDOVER);
		assertThat(moved.from()).isEqualTo("abc@127.0.0.1");
		assertThat(moved.nanos() - closing).isLessThan(TimeUnit.SECONDS.toNanos(5));
		assertThat(this.log.starts()).filteredOn((e) -> e.node().equals("abc") && e.nanos() > closing).isEmpty();
		assertThat(this.log.entries).anyMatch((e) -> !e.start() && e.node().equals("abc")
				&& e.reason() == StopReason.SHUTDOWN);
		await().atMost(Duration.ofSeconds(5)).until(() -> bcd.leadership().isLeader() || def.leadership().isLeader());
		assertThat(this.cluster.events.get("bcd@127.0.0.1")).filteredOn(EngineEvent.MemberLeft.class::isInstance)
			.extracting((e) -> ((EngineEvent.MemberLeft) e).reason())
			.containsExactly(LeaveReason.LEFT);
		assertThat(this.log.overlaps).isEmpty();
		assertThat(this.log.maxRunning.get()).isEqualTo(1);
	}

	@Test
	void nodesThatSayGoodbyeLeaveTheQuorumSoTheRestKeepALeaderAndTheSingleton() {
		int[] ports = TestCluster.freePorts(5);
		List<NodeAddress> hosts = TestCluster.addresses(ports);
		SingletonSpec spec = new SingletonSpec("distro", List.of(), Duration.ofSeconds(1), false, Duration.ZERO);
		List<ClusterNode> nodes = new ArrayList<>();
		for (String name : List.of("a", "b", "c", "d", "e")) {
			nodes.add(node(name, ports[nodes.size()], hosts, spec));
		}
		await().atMost(Duration.ofSeconds(15)).until(() -> leaderOf(nodes) != null && this.log.lastStart() != null
				&& nodes.stream().allMatch((n) -> n.members().size() == 4));
		// stop three, one after the other, gracefully (the leader among them, whichever it is)
		for (int i = 0; i < 3; i++) {
			ClusterNode leaving = nodes.remove(0);
			leaving.close();
			await().atMost(Duration.ofSeconds(10)).until(() -> nodes.stream().allMatch((n) -> n.members().size()
					== nodes.size() - 1));
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
		int[] ports = TestCluster.freePorts(5);
		List<NodeAddress> hosts = TestCluster.addresses(ports);
		SingletonSpec spec = new SingletonSpec("distro", List.of(List.of("d"), List.of("a", "b", "c", "e")),
				Duration.ofMillis(500), false, Duration.ZERO);
		String[] names = { "a", "b", "c", "d", "e" };
		List<ClusterNode> nodes = new ArrayList<>();
		for (String name : names) {
			nodes.add(node(name, ports[nodes.size()], hosts, spec));
		}
		await().atMost(Duration.ofSeconds(15)).until(() -> agreed(nodes) && this.log.lastStart() != null);
		this.log.startSampling();
		for (int round = 0; round < 3; round++) {
			// a different 3|2 each round
			for (int i = 0; i < 5; i++) {
				this.cluster.sides.put(names[i], ((i + round) % 5 < 3) ? 1 : 2);
			}
			await().atMost(Duration.ofSeconds(15)).until(() -> nodes.stream()
				.filter((n) -> this.cluster.sides.get(n.self().name().substring(0, 1)) == 1)
				.allMatch((n) -> n.leadership().leader().isPresent()
						&& n.singletons().get("distro").node() != null));
			this.cluster.sides.clear();
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
		int[] ports = TestCluster.freePorts(3);
		List<NodeAddress> hosts = TestCluster.addresses(ports);
		SingletonSpec spec = new SingletonSpec("distro", List.of(List.of("bcd"), List.of("abc", "def")),
				Duration.ofMillis(500), false, Duration.ZERO);
		List<ClusterNode> nodes = new ArrayList<>();
		for (String name : List.of("abc", "bcd", "def")) {
			nodes.add(node(name, ports[nodes.size()], hosts, spec));
		}
		await().atMost(Duration.ofSeconds(15)).until(() -> agreed(nodes) && this.log.lastStart() != null);
		ClusterNode leader = leaderOf(nodes);
		assertThat(leader.self().name()).isNotEqualTo("bcd@127.0.0.1");
		assertThat(this.log.lastStart().node()).isEqualTo("bcd");
		this.log.startSampling();
		// the leader still hears bcd, but bcd no longer hears the leader: bcd's permit runs out, so the
		// leader must not keep it (or place it again) there, and starts it where it is renewed
		this.cluster.oneWay.add(leader.self().name().substring(0, 3) + ">bcd");
		await().atMost(Duration.ofSeconds(10)).until(() -> !this.log.lastStart().node().equals("bcd"));
		RecordingSingleton.Entry moved = this.log.lastStart();
		assertThat(moved.type()).isEqualTo(StartType.FAILOVER);
		assertThat(this.log.entries).anySatisfy((e) -> {
			assertThat(e.start()).isFalse();
			assertThat(e.node()).isEqualTo("bcd");
		});
		assertThat(leader.leadership().isLeader()).isTrue();
		this.cluster.oneWay.clear();
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
		int[] ports = TestCluster.freePorts(3);
		List<NodeAddress> hosts = TestCluster.addresses(ports);
		SingletonSpec spec = SingletonSpec.defaults("distro");
		List<ClusterNode> nodes = new ArrayList<>();
		for (String name : List.of("abc", "bcd", "def")) {
			nodes.add(node(name, ports[nodes.size()], hosts, spec));
		}
		await().atMost(Duration.ofSeconds(15)).until(() -> leaderOf(nodes) != null);
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
