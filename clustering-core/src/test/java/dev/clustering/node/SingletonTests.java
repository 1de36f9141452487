package dev.clustering.node;

import java.time.Duration;
import java.util.List;
import java.util.stream.IntStream;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import dev.clustering.leadership.LeaderInfo;
import dev.clustering.leadership.SplitBrainStrategy;
import dev.clustering.membership.NodeAddress;
import dev.clustering.singleton.SingletonSpec;
import dev.clustering.singleton.StartType;
import dev.clustering.singleton.StopReason;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Leadership and singletons across real nodes in one JVM: the Erlang walkthrough, and a partition.
 */
class SingletonTests {

	private final TestCluster cluster = new TestCluster();

	private final RecordingSingleton.Log log = new RecordingSingleton.Log();

	@AfterEach
	void close() {
		this.cluster.close();
	}

	private ClusterNode node(String name, int port, List<NodeAddress> hosts, SplitBrainStrategy splitBrain,
			SingletonSpec spec) {
		return this.cluster.start(name, port, hosts, (builder) -> builder.failureDetector(TestCluster.FAST)
			.splitBrain(splitBrain, 1)
			.singletonSpec(spec)
			.singleton(spec.name(), new RecordingSingleton(name, this.log)));
	}

	private static String runsOn(ClusterNode node) {
		return node.singletons().get("distro").node();
	}

	@Test
	void erlangWalkthroughFailoverAndTakeover() {
		int[] ports = TestCluster.freePorts(3);
		List<NodeAddress> hosts = TestCluster.addresses(ports);
		SingletonSpec spec = new SingletonSpec("distro", List.of(List.of("abc"), List.of("bcd", "def")),
				Duration.ofSeconds(1), true, Duration.ofMillis(500));
		ClusterNode abc = node("abc", ports[0], hosts, SplitBrainStrategy.OFF, spec);
		ClusterNode bcd = node("bcd", ports[1], hosts, SplitBrainStrategy.OFF, spec);
		ClusterNode def = node("def", ports[2], hosts, SplitBrainStrategy.OFF, spec);
		await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
			assertThat(this.log.lastStart()).isNotNull();
			assertThat(this.log.lastStart().node()).isEqualTo("abc");
			assertThat(List.of(abc, bcd, def)).allSatisfy((n) -> assertThat(runsOn(n)).isEqualTo("abc@127.0.0.1"));
		});
		assertThat(this.log.lastStart().type()).isEqualTo(StartType.NORMAL);
		assertThat(abc.singletons().get("distro").nodes()).containsExactly(List.of("abc"), List.of("bcd", "def"));

		// kill abc: after the failover timeout, distro starts on bcd or def
		long killed = System.nanoTime();
		abc.halt();
		this.log.crashed("abc");
		await().atMost(Duration.ofSeconds(10)).until(() -> !this.log.lastStart().node().equals("abc"));
		RecordingSingleton.Entry failover = this.log.lastStart();
		assertThat(failover.node()).isIn("bcd", "def");
		assertThat(failover.type()).isEqualTo(StartType.FAILOVER);
		assertThat(failover.from()).isEqualTo("abc@127.0.0.1");
		assertThat(Duration.ofNanos(failover.nanos() - killed)).isGreaterThanOrEqualTo(Duration.ofSeconds(1));

		// kill that one: it moves to the last
		ClusterNode second = failover.node().equals("bcd") ? bcd : def;
		ClusterNode last = (second == bcd) ? def : bcd;
		String lastName = (second == bcd) ? "def" : "bcd";
		second.halt();
		this.log.crashed(lastName.equals("def") ? "bcd" : "def");
		await().atMost(Duration.ofSeconds(10)).until(() -> this.log.lastStart().node().equals(lastName));
		assertThat(this.log.lastStart().type()).isEqualTo(StartType.FAILOVER);

		// abc comes back and takes it over: stop on the last node completes before the start on abc
		ClusterNode abcAgain = node("abc", ports[0], hosts, SplitBrainStrategy.OFF, spec);
		await().atMost(Duration.ofSeconds(10)).until(() -> this.log.lastStart().node().equals("abc"));
		RecordingSingleton.Entry takeover = this.log.lastStart();
		assertThat(takeover.type()).isEqualTo(StartType.TAKEOVER);
		assertThat(takeover.from()).isEqualTo(lastName + "@127.0.0.1");
		RecordingSingleton.Entry stop = this.log.entries.get(this.log.entries.indexOf(takeover) - 1);
		assertThat(stop.start()).isFalse();
		assertThat(stop.node()).isEqualTo(lastName);
		assertThat(stop.reason()).isEqualTo(StopReason.TAKEOVER);
		await().atMost(Duration.ofSeconds(5))
			.untilAsserted(() -> assertThat(runsOn(last)).isEqualTo("abc@127.0.0.1"));
		assertThat(runsOn(abcAgain)).isEqualTo("abc@127.0.0.1");

		// never two at once, and every start carries a larger fencing token than the one before
		assertThat(this.log.maxRunning.get()).isEqualTo(1);
		List<Long> tokens = this.log.starts().stream().map(RecordingSingleton.Entry::token).toList();
		assertThat(tokens).isSorted().doesNotHaveDuplicates();
	}

	@Test
	void gracefulShutdownHandsOverAtOnce() {
		int[] ports = TestCluster.freePorts(3);
		List<NodeAddress> hosts = TestCluster.addresses(ports);
		SingletonSpec spec = new SingletonSpec("distro", List.of(List.of("abc"), List.of("bcd", "def")),
				Duration.ofSeconds(5), true, Duration.ofMillis(500));
		ClusterNode abc = node("abc", ports[0], hosts, SplitBrainStrategy.KEEP_MAJORITY, spec);
		node("bcd", ports[1], hosts, SplitBrainStrategy.KEEP_MAJORITY, spec);
		node("def", ports[2], hosts, SplitBrainStrategy.KEEP_MAJORITY, spec);
		await().atMost(Duration.ofSeconds(10))
			.until(() -> this.log.lastStart() != null && this.log.lastStart().node().equals("abc"));
		long stopped = System.nanoTime();
		abc.close();
		await().atMost(Duration.ofSeconds(3)).until(() -> !this.log.lastStart().node().equals("abc"));
		// well under the 5 s failover timeout: the clean stop was a hand-over
		assertThat(Duration.ofNanos(this.log.lastStart().nanos() - stopped)).isLessThan(Duration.ofSeconds(3));
		assertThat(this.log.entries).anyMatch((e) -> !e.start() && e.node().equals("abc")
				&& e.reason() == StopReason.SHUTDOWN);
		assertThat(this.log.maxRunning.get()).isEqualTo(1);
	}

	@Test
	void partitionedMinorityStopsItsSingletonAndLeaderAndTheMajorityKeepsBoth() {
		int[] ports = TestCluster.freePorts(5);
		List<NodeAddress> hosts = TestCluster.addresses(ports);
		SingletonSpec spec = new SingletonSpec("distro", List.of(List.of("d"), List.of("a", "b", "c", "e")),
				Duration.ofSeconds(2), true, Duration.ofMillis(500));
		String[] names = { "a", "b", "c", "d", "e" };
		ClusterNode[] nodes = new ClusterNode[5];
		for (int i = 0; i < 5; i++) {
			nodes[i] = node(names[i], ports[i], hosts, SplitBrainStrategy.KEEP_MAJORITY, spec);
		}
		await().atMost(Duration.ofSeconds(15)).untilAsserted(() -> {
			assertThat(this.log.lastStart()).isNotNull();
			assertThat(this.log.lastStart().node()).isEqualTo("d");
			for (ClusterNode node : nodes) {
				assertThat(node.leadership().leader()).map(LeaderInfo::name).hasValue("a@127.0.0.1");
			}
		});
		// partition 3 | 2: a, b, c | d, e
		for (int i = 0; i < 5; i++) {
			this.cluster.sides.put(names[i], (i < 3) ? 1 : 2);
		}
		await().atMost(Duration.ofSeconds(15)).untilAsserted(() -> {
			assertThat(nodes[3].leadership().leader()).isEmpty();
			assertThat(nodes[4].leadership().leader()).isEmpty();
			assertThat(this.log.entries).anyMatch((e) -> !e.start() && e.node().equals("d")
					&& e.reason() == StopReason.QUORUM_LOST);
			assertThat(this.log.lastStart().node()).isIn("a", "b", "c");
		});
		for (int i = 0; i < 3; i++) {
			assertThat(nodes[i].leadership().leader()).map(LeaderInfo::name).hasValue("a@127.0.0.1");
		}
		assertThat(this.log.maxRunning.get()).isEqualTo(1);

		// heal: one leader for everyone, and d takes its singleton back
		this.cluster.sides.clear();
		await().atMost(Duration.ofSeconds(15)).untilAsserted(() -> {
			LeaderInfo leader = nodes[0].leadership().leader().orElseThrow();
			for (ClusterNode node : nodes) {
				assertThat(node.leadership().leader()).hasValueSatisfying((l) -> {
					assertThat(l.name()).isEqualTo(leader.name());
					assertThat(l.fencingToken()).isEqualTo(leader.fencingToken());
				});
			}
			assertThat(this.log.lastStart().node()).isEqualTo("d");
		});
		assertThat(IntStream.range(0, 5).filter((i) -> nodes[i].leadership().isLeader()).count()).isEqualTo(1);
		assertThat(this.log.maxRunning.get()).isEqualTo(1);
	}

	@Test
	void killedLeaderIsReplacedWithALargerTokenAndEveryNodeHearsIt() {
		int[] ports = TestCluster.freePorts(3);
		List<NodeAddress> hosts = TestCluster.addresses(ports);
		SingletonSpec spec = SingletonSpec.defaults("distro");
		ClusterNode abc = node("abc", ports[0], hosts, SplitBrainStrategy.KEEP_MAJORITY, spec);
		ClusterNode bcd = node("bcd", ports[1], hosts, SplitBrainStrategy.KEEP_MAJORITY, spec);
		ClusterNode def = node("def", ports[2], hosts, SplitBrainStrategy.KEEP_MAJORITY, spec);
		await().atMost(Duration.ofSeconds(10)).until(() -> abc.leadership().isLeader()
				&& bcd.leadership().leader().isPresent() && def.leadership().leader().isPresent());
		long first = abc.leadership().fencingToken();
		assertThat(bcd.leadership().leader().get().fencingToken()).isEqualTo(first);
		abc.halt();
		await().atMost(Duration.ofSeconds(5)).until(() -> bcd.leadership().isLeader());
		assertThat(bcd.leadership().fencingToken()).isGreaterThan(first);
		await().atMost(Duration.ofSeconds(5))
			.until(() -> def.leadership().leader().map(LeaderInfo::name).orElse("").equals("bcd@127.0.0.1"));
		assertThat(this.cluster.events.get("def@127.0.0.1")).filteredOn(EngineEvent.LeaderElected.class::isInstance)
			.extracting((e) -> ((EngineEvent.LeaderElected) e).leader())
			.containsExactly("abc@127.0.0.1", "bcd@127.0.0.1");
	}

	@Test
	void manualTakeoverMovesTheSingletonAndItStaysThere() {
		int[] ports = TestCluster.freePorts(3);
		List<NodeAddress> hosts = TestCluster.addresses(ports);
		SingletonSpec spec = new SingletonSpec("distro", List.of(List.of("abc"), List.of("bcd", "def")),
				Duration.ofSeconds(1), true, Duration.ofMillis(200));
		ClusterNode abc = node("abc", ports[0], hosts, SplitBrainStrategy.KEEP_MAJORITY, spec);
		ClusterNode bcd = node("bcd", ports[1], hosts, SplitBrainStrategy.KEEP_MAJORITY, spec);
		node("def", ports[2], hosts, SplitBrainStrategy.KEEP_MAJORITY, spec);
		await().atMost(Duration.ofSeconds(10))
			.until(() -> this.log.lastStart() != null && this.log.lastStart().node().equals("abc"));
		// asked on a node that is not necessarily the leader; by name part
		assertThat(bcd.moveSingleton("distro", "def")).isNull();
		await().atMost(Duration.ofSeconds(5)).until(() -> this.log.lastStart().node().equals("def"));
		assertThat(this.log.lastStart().type()).isEqualTo(StartType.TAKEOVER);
		assertThat(this.log.lastStart().from()).isEqualTo("abc@127.0.0.1");
		// abc has the higher priority, but the operator's choice holds
		await().during(Duration.ofSeconds(1)).atMost(Duration.ofSeconds(3))
			.until(() -> this.log.lastStart().node().equals("def"));
		assertThat(abc.moveSingleton("distro", "nobody")).contains("not a live member");
		assertThat(abc.moveSingleton("nothing", "def")).contains("no singleton");
		assertThat(this.log.maxRunning.get()).isEqualTo(1);
	}

	@Test
	void aCutOffLeaderFollowsTheNewLeaderWhenTheLinkHeals() {
		int[] ports = TestCluster.freePorts(3);
		List<NodeAddress> hosts = TestCluster.addresses(ports);
		SingletonSpec spec = SingletonSpec.defaults("distro");
		ClusterNode abc = node("abc", ports[0], hosts, SplitBrainStrategy.KEEP_MAJORITY, spec);
		ClusterNode bcd = node("bcd", ports[1], hosts, SplitBrainStrategy.KEEP_MAJORITY, spec);
		ClusterNode def = node("def", ports[2], hosts, SplitBrainStrategy.KEEP_MAJORITY, spec);
		await().atMost(Duration.ofSeconds(10)).until(() -> abc.leadership().isLeader()
				&& def.leadership().leader().map(LeaderInfo::name).orElse("").equals("abc@127.0.0.1"));
		long stale = abc.leadership().fencingToken();
		this.cluster.frozen.add("abc");
		await().atMost(Duration.ofSeconds(10)).until(() -> bcd.leadership().isLeader() || def.leadership().isLeader());
		String newLeader = bcd.leadership().isLeader() ? "bcd@127.0.0.1" : "def@127.0.0.1";
		this.cluster.frozen.remove("abc");
		// the old leader hears the claim made while it was cut off and does not take leadership back
		await().during(Duration.ofSeconds(3)).atMost(Duration.ofSeconds(8)).untilAsserted(() -> {
			for (ClusterNode node : List.of(abc, bcd, def)) {
				assertThat(node.leadership().leader()).map(LeaderInfo::name).hasValue(newLeader);
			}
			assertThat(abc.leadership().isLeader()).isFalse();
		});
		assertThat(abc.leadership().leader().get().fencingToken()).isGreaterThan(stale);
	}

	@Test
	void yieldHandsLeadershipToAnotherNode() {
		int[] ports = TestCluster.freePorts(3);
		List<NodeAddress> hosts = TestCluster.addresses(ports);
		SingletonSpec spec = SingletonSpec.defaults("distro");
		ClusterNode abc = node("abc", ports[0], hosts, SplitBrainStrategy.KEEP_MAJORITY, spec);
		ClusterNode bcd = node("bcd", ports[1], hosts, SplitBrainStrategy.KEEP_MAJORITY, spec);
		node("def", ports[2], hosts, SplitBrainStrategy.KEEP_MAJORITY, spec);
		await().atMost(Duration.ofSeconds(10)).until(() -> abc.leadership().isLeader());
		abc.leadership().yield();
		await().atMost(Duration.ofSeconds(5)).until(() -> bcd.leadership().isLeader());
		assertThat(abc.leadership().isLeader()).isFalse();
		assertThat(abc.leadership().leader()).map(LeaderInfo::name).hasValue("bcd@127.0.0.1");
	}

}
