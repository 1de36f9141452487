package dev.clustering.test;

import java.net.ServerSocket;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import dev.clustering.discovery.staticlist.StaticStrategy;
import dev.clustering.leadership.LeaderInfo;
import dev.clustering.leadership.SplitBrainStrategy;
import dev.clustering.membership.LeaveReason;
import dev.clustering.membership.NodeAddress;
import dev.clustering.node.ClusterNode;
import dev.clustering.node.EngineEvent;
import dev.clustering.node.EventLoopPause;
import dev.clustering.singleton.ClusterSingleton;
import dev.clustering.singleton.SingletonContext;
import dev.clustering.singleton.StopReason;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Each fault of the kit does to the engine what it says, and each wait waits for what it says.
 */
class LoopbackClusterTests {

	private LoopbackCluster cluster;

	@AfterEach
	void close() {
		if (this.cluster != null) {
			this.cluster.close();
		}
	}

	private LoopbackCluster start(LoopbackClusterBuilder builder) {
		this.cluster = builder.build().start();
		return this.cluster;
	}

	@Test
	void nodesFormAClusterAndEveryNodeRecordsItsPeersJoining() {
		LoopbackCluster cluster = start(LoopbackCluster.nodes("abc", "bcd", "cde"));
		cluster.awaitMembers();
		for (String name : cluster.names()) {
			// the events follow the views a moment later, on each node's event thread
			cluster.await(name + " heard two joins", () -> cluster.events(name, EngineEvent.MemberJoined.class).size() >= 2);
			assertThat(cluster.events(name, EngineEvent.MemberJoined.class)).extracting((e) -> e.member().name())
				.hasSize(2)
				.noneMatch((member) -> member.startsWith(name + "@"));
		}
		assertThat(cluster.running()).containsExactly("abc", "bcd", "cde");
	}

	@Test
	void aKilledNodeIsSeenAsACrashAndARestartedOneRejoinsAsANewIncarnation() {
		LoopbackCluster cluster = start(LoopbackCluster.nodes(3));
		cluster.awaitMembers();
		long incarnation = cluster.node("n3").self().incarnation();
		long started = cluster.startedAt("n3");
		assertThat(started - cluster.startedAt("n1")).isPositive();
		cluster.kill("n3");
		cluster.awaitMembers(1);
		EngineEvent.MemberLeft left = cluster.awaitEvent("n1", EngineEvent.MemberLeft.class,
				(e) -> e.member().name().startsWith("n3@"));
		assertThat(left.reason()).isEqualTo(LeaveReason.CONNECTION_LOST);
		assertThat(cluster.events("n1", EngineEvent.MemberLeft.class)).hasSize(1);
		long restartedBefore = System.nanoTime();
		cluster.restart("n3");
		cluster.awaitMembers();
		assertThat(cluster.node("n3").self().incarnation()).isNotEqualTo(incarnation);
		assertThat(cluster.startedAt("n3") - restartedBefore).isPositive();
		assertThat(cluster.others("n3")).containsExactly("n1", "n2");
	}

	@Test
	void aPausedLeaderStopsLeadingByTheClockAndAnotherLeads() {
		LoopbackCluster cluster = start(LoopbackCluster.nodes(3));
		String leader = LoopbackCluster.shortName(cluster.awaitLeader().name());
		List<String> others = cluster.names().stream().filter((n) -> !n.equals(leader)).toList();
		cluster.pause(leader, Duration.ofSeconds(3));
		// asked from this thread while the leader's loop does nothing: its lease runs out by the clock
		cluster.awaitNotLeading(leader);
		LeaderInfo next = cluster.awaitLeader(others);
		assertThat(others).contains(LoopbackCluster.shortName(next.name()));
	}

	@Test
	void aOneWayCutStopsOnlyOneDirection() {
		LoopbackCluster cluster = start(LoopbackCluster.nodes(2).splitBrain(SplitBrainStrategy.OFF, 1));
		cluster.awaitMembers();
		cluster.cutOneWay("n1", "n2");
		// n2 hears nothing from n1 and judges it unreachable; n1 still hears n2
		cluster.await("n2 no longer sees n1", () -> cluster.node("n2").members().isEmpty());
		EngineEvent.MemberLeft left = cluster.awaitEvent("n2", EngineEvent.MemberLeft.class,
				(e) -> e.member().name().startsWith("n1@"));
		assertThat(left.reason()).isEqualTo(LeaveReason.UNREACHABLE);
		cluster.heal();
		cluster.awaitMembers();
	}

	@Test
	void aSingletonFollowsAGracefulStopAtOnce() {
		LoopbackCluster cluster = start(LoopbackCluster.nodes(3).singleton("billing", Idle::new));
		String runner = cluster.awaitSingletonOn("billing");
		cluster.stop(runner);
		String next = cluster.awaitSingletonOn("billing");
		assertThat(next).isNotEqualTo(runner);
		cluster.awaitSingletonOn("billing", next);
	}

	@Test
	void aWaitThatTimesOutSaysWhatItWaitedForAndWhatTheNodesSee() {
		LoopbackCluster cluster = start(LoopbackCluster.nodes(2).timeout(Duration.ofMillis(300)));
		assertThatThrownBy(() -> cluster.awaitSingletonOn("nothing")).isInstanceOf(AssertionError.class)
			.hasMessageContaining("singleton nothing")
			.hasMessageContaining("n1: up=");
	}

	@Test
	void unknownNodesAndBadNamesAreRefusedClearly() {
		LoopbackCluster cluster = start(LoopbackCluster.nodes(2));
		assertThatThrownBy(() -> cluster.kill("n9")).isInstanceOf(IllegalArgumentException.class)
			.hasMessageContaining("n9")
			.hasMessageContaining("[n1, n2]");
		assertThatThrownBy(() -> LoopbackCluster.nodes("a", "a")).isInstanceOf(IllegalArgumentException.class);
		assertThatThrownBy(() -> LoopbackCluster.nodes("a@host")).isInstanceOf(IllegalArgumentException.class);
	}

	@Test
	void theTimelineHasEveryNodesEventsInArrivalOrderWithTheirArrivalTime() {
		LoopbackCluster cluster = start(LoopbackCluster.nodes(3));
		cluster.awaitMembers();
		int mark = cluster.mark();
		long killedAt = System.nanoTime();
		cluster.kill("n3");
		cluster.awaitEvent("n1", EngineEvent.MemberLeft.class, (e) -> e.member().name().startsWith("n3@"));
		cluster.awaitEvent("n2", EngineEvent.MemberLeft.class, (e) -> e.member().name().startsWith("n3@"));
		List<RecordedEvent> since = cluster.since(mark);
		assertThat(since).filteredOn((r) -> r.event() instanceof EngineEvent.MemberLeft)
			.extracting(RecordedEvent::node)
			.containsExactlyInAnyOrder("n1", "n2");
		assertThat(since).allMatch((r) -> r.nanos() - killedAt > 0);
		List<RecordedEvent> timeline = cluster.timeline();
		// more may have come since: the timeline only grows
		assertThat(timeline.subList(mark, mark + since.size())).isEqualTo(since);
		for (int i = 1; i < timeline.size(); i++) {
			assertThat(timeline.get(i).nanos() - timeline.get(i - 1).nanos()).isNotNegative();
		}
	}

	@Test
	void onlyTheChosenEventsAreKeptButOwnListenersHearThemAll() {
		AtomicInteger joins = new AtomicInteger();
		LoopbackCluster cluster = start(LoopbackCluster.nodes(2)
			.recordEvents(EngineEvent.MemberLeft.class::isInstance)
			.customize((name, builder) -> builder.listener((event) -> {
				if (event instanceof EngineEvent.MemberJoined) {
					joins.incrementAndGet();
				}
			})));
		cluster.awaitMembers();
		cluster.await("both nodes heard the other join", () -> joins.get() == 2);
		assertThat(cluster.timeline()).isEmpty();
		assertThat(cluster.events("n1")).isEmpty();
		cluster.kill("n2");
		cluster.awaitEvent("n1", EngineEvent.MemberLeft.class, (e) -> true);
		assertThat(cluster.timeline()).extracting(RecordedEvent::node).containsExactly("n1");
	}

	@Test
	void formationIsTimedAndEventsAreCountedEvenWhenNoneIsRecorded() {
		long before = System.nanoTime();
		LoopbackCluster cluster = start(LoopbackCluster.nodes(3).recordEvents((event) -> false));
		cluster.await("every node heard the others join",
				() -> cluster.names().stream().allMatch((name) -> cluster.formedAt(name).isPresent()));
		assertThat(cluster.names()).allMatch((name) -> cluster.formedAt(name).getAsLong() - before > 0);
		assertThat(cluster.heard(EngineEvent.MemberJoined.class)).isEqualTo(6);
		cluster.await("the cluster is whole", cluster::whole);
		cluster.kill("n3");
		assertThat(cluster.whole()).isFalse();
		cluster.restart("n3");
		cluster.await("the cluster is whole again", cluster::whole);
		assertThat(cluster.heard(EngineEvent.MemberLeft.class)).isGreaterThanOrEqualTo(2);
		assertThat(cluster.heard(EngineEvent.class)).isGreaterThan(cluster.heard(EngineEvent.MemberJoined.class));
		assertThat(cluster.timeline()).isEmpty();
	}

	@Test
	void firstSinceTellsWhenEachNodeFirstHeardOfAFault() {
		LoopbackCluster cluster = start(LoopbackCluster.nodes(3));
		cluster.awaitMembers();
		int mark = cluster.mark();
		long stoppedAt = System.nanoTime();
		cluster.stop("n1");
		cluster.await("n2 and n3 heard n1 leave", () -> cluster
			.firstSince(mark, EngineEvent.MemberLeft.class, (e) -> e.member().name().startsWith("n1@"))
			.size() == 2);
		Map<String, RecordedEvent> first = cluster.firstSince(mark, EngineEvent.MemberLeft.class,
				(e) -> e.member().name().startsWith("n1@"));
		assertThat(first).containsOnlyKeys("n2", "n3");
		assertThat(first.values()).allMatch((r) -> r.nanos() - stoppedAt > 0);
		assertThat(cluster.firstSince(cluster.mark(), EngineEvent.MemberLeft.class, (e) -> true)).isEmpty();
	}

	@Test
	void aRestartWaitsForThePortTheOldProcessStillHolds() throws Exception {
		LoopbackCluster cluster = start(LoopbackCluster.nodes(2));
		cluster.awaitMembers();
		int port = cluster.node("n2").self().address().port();
		cluster.kill("n2");
		ServerSocket holder = new ServerSocket(port);
		CompletableFuture.runAsync(() -> {
			try {
				Thread.sleep(300);
				holder.close();
			}
			catch (Exception ex) {
				throw new IllegalStateException(ex);
			}
		});
		cluster.restart("n2");
		assertThat(holder.isClosed()).isTrue();
		assertThat(cluster.node("n2").self().address().port()).isEqualTo(port);
		cluster.awaitMembers();
	}

	@Test
	void aTopologyOfTheTestsChoiceIsMadeForEachNodeWithEveryAddress() {
		Map<String, List<NodeAddress>> made = new ConcurrentHashMap<>();
		LoopbackCluster cluster = start(LoopbackCluster.nodes("a", "b").topology("listed", (name, all) -> {
			made.put(name, all);
			return new StaticStrategy(all);
		}, Duration.ofMillis(100)));
		cluster.awaitMembers();
		assertThat(made).containsOnlyKeys("a", "b");
		assertThat(made.get("a")).hasSize(2).isEqualTo(made.get("b"));
		assertThat(made.get("a")).extracting(NodeAddress::port)
			.containsExactly(cluster.node("a").self().address().port(), cluster.node("b").self().address().port());
	}

	@Test
	void aHeldLeaderStopsLeadingByTheClockAndRunsAgainWhenReleased() {
		LoopbackCluster cluster = start(LoopbackCluster.nodes(3));
		String leader = LoopbackCluster.shortName(cluster.awaitLeader().name());
		List<String> others = cluster.others(leader);
		long before = System.nanoTime();
		EventLoopPause.Hold hold = cluster.hold(leader);
		assertThat(hold.stalledAt() - before).isNotNegative();
		cluster.awaitNotLeading(leader);
		LeaderInfo next = cluster.awaitLeader(others);
		long releasedAt = hold.release();
		assertThat(releasedAt - hold.stalledAt()).isPositive();
		// back, the held node follows a leader with the others (under load the new one may have been replaced)
		LeaderInfo after = cluster.awaitLeader(cluster.names());
		assertThat(after.fencingToken()).isGreaterThanOrEqualTo(next.fencingToken());
	}

	@Test
	void theViewsCanBeReadWithoutWaiting() {
		LoopbackCluster cluster = start(LoopbackCluster.nodes(3).singleton("billing", Idle::new));
		String runner = cluster.awaitSingletonOn("billing");
		LeaderInfo leader = cluster.awaitLeader();
		cluster.awaitMembers();
		assertThat(cluster.whole()).isTrue();
		assertThat(cluster.agreedLeader(cluster.names())).hasValueSatisfying(
				(l) -> assertThat(l.fencingToken()).isEqualTo(leader.fencingToken()));
		assertThat(cluster.placement("billing")).contains(runner);
		assertThat(cluster.placement("nothing")).isEmpty();
		cluster.kill("n3");
		assertThat(cluster.whole()).isFalse();
		assertThat(cluster.agreedLeader(cluster.names())).isEmpty();
	}

	@Test
	void nodesCloseSeveralAtATime() {
		LoopbackCluster cluster = start(LoopbackCluster.nodes(5));
		cluster.awaitMembers();
		List<ClusterNode> nodes = cluster.names().stream().map(cluster::node).toList();
		cluster.close(2);
		assertThat(nodes).noneMatch(ClusterNode::isRunning);
		assertThat(cluster.running()).isEmpty();
	}

	@Test
	void aRecordedSingletonTellsWhereAndWhenItRanAndThatItNeverRanTwice() {
		LoopbackCluster cluster = start(LoopbackCluster.nodes(3).recordedSingleton("billing"));
		String runner = cluster.awaitSingletonOn("billing");
		SingletonRecord record = cluster.singletonRecord("billing");
		assertThat(record.running()).containsExactly(runner);
		assertThat(record.runs()).singleElement().satisfies((run) -> {
			assertThat(run.node()).isEqualTo(runner);
			assertThat(run.start()).isTrue();
		});
		long killedAt = System.nanoTime();
		cluster.kill(runner);
		assertThat(record.running()).isEmpty();
		String next = cluster.awaitSingletonOn("billing");
		cluster.await("the next runner started it", () -> record.running().contains(next));
		assertThat(record.runs()).last().satisfies((run) -> {
			assertThat(run.node()).isEqualTo(next);
			assertThat(run.nanos() - killedAt).isPositive();
		});
		assertThat(record.overlaps()).isZero();
		assertThat(record.since(1)).extracting(SingletonRecord.Run::node).containsExactly(next);
		assertThatThrownBy(() -> cluster.singletonRecord("nothing")).isInstanceOf(IllegalArgumentException.class);
	}

	@Test
	void withinWaitsForAConditionAndTellsWhetherItHeldWithoutFailing() {
		long start = System.nanoTime();
		assertThat(LoopbackCluster.within(Duration.ofSeconds(5), () -> System.nanoTime() - start > 20_000_000)).isTrue();
		assertThat(System.nanoTime() - start).isLessThan(Duration.ofSeconds(5).toNanos());
		long before = System.nanoTime();
		assertThat(LoopbackCluster.within(Duration.ofMillis(50), () -> false)).isFalse();
		assertThat(System.nanoTime() - before).isGreaterThanOrEqualTo(Duration.ofMillis(50).toNanos());
	}

	static class Idle implements ClusterSingleton {

		@Override
		public void start(SingletonContext context) {
		}

		@Override
		public void stop(StopReason reason) {
		}

	}

}
