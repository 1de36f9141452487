package dev.clustering.node;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

import org.junit.jupiter.api.Test;

import dev.clustering.node.Placement.Candidate;
import dev.clustering.node.Placement.Decision;
import dev.clustering.node.Placement.Fate;
import dev.clustering.node.Placement.Pending;
import dev.clustering.node.Placement.Start;
import dev.clustering.node.Placement.Stop;
import dev.clustering.node.Placement.Wait;
import dev.clustering.singleton.SingletonSpec;
import dev.clustering.singleton.SingletonState;
import dev.clustering.singleton.SingletonStatus;
import dev.clustering.singleton.StartType;
import dev.clustering.singleton.StopReason;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every rule of {@link Placement}, as a pure function of a picture and the clock. Times are plain
 * monotonic nanoseconds; unless a test says otherwise: the failover timeout is 5 s, the lease 3 s,
 * the new-leader wait a lease plus the failover timeout (8 s), this leader has led since 0 and it is
 * now 100 s, every known node reported, and the candidates are a, b and c, up since 0 and running
 * nothing else. Node z is one that no longer reports.
 */
class PlacementTests {

	private static final String JOB = "job";

	/** Stands for any {@link Wait} in a table row. */
	private static final Decision WAIT = new Wait("any");

	private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");

	private static long s(long seconds) {
		return seconds * 1_000_000_000L;
	}

	private static long ms(long millis) {
		return millis * 1_000_000L;
	}

	private static SingletonSpec spec(List<List<String>> nodes) {
		return new SingletonSpec(JOB, nodes, Duration.ofSeconds(5), true, Duration.ofSeconds(2));
	}

	private static SingletonSpec noTakeover(List<List<String>> nodes) {
		return new SingletonSpec(JOB, nodes, Duration.ofSeconds(5), false, Duration.ofSeconds(2));
	}

	private static SingletonStatus status(String node, SingletonState state, long token) {
		return new SingletonStatus(JOB, node, state, StartType.NORMAL, null, token, T0);
	}

	private static Candidate candidate(String name) {
		return new Candidate(name, 0, 0);
	}

	private static Candidate candidate(String name, long running) {
		return new Candidate(name, running, 0);
	}

	private static Candidate upSince(String name, long upSinceNanos) {
		return new Candidate(name, 0, upSinceNanos);
	}

	private static Start start(String target, StartType type, String from) {
		return new Start(target, type, from);
	}

	private static In in() {
		return new In();
	}

	/** One row of a table: at this time, this decision ({@link #WAIT} for any wait). */
	private record Row(long now, Decision expected) {
	}

	private static Row at(long now, Decision expected) {
		return new Row(now, expected);
	}

	private static void expect(In in, Row... rows) {
		for (Row row : rows) {
			Decision actual = Placement.decide(in.now(row.now()).build());
			if (row.expected() == WAIT) {
				assertThat(actual).as("at %d ns", row.now()).isInstanceOf(Wait.class);
			}
			else {
				assertThat(actual).as("at %d ns", row.now()).isEqualTo(row.expected());
			}
		}
	}

	private static Decision decide(In in) {
		return Placement.decide(in.build());
	}

	// rule 1: two runs at once

	@Test
	void twoActiveRunsStopTheOlderAsFailover() {
		assertThat(decide(in().live(status("a", SingletonState.RUNNING, 5), status("b", SingletonState.RUNNING, 7))))
			.isEqualTo(new Stop("a", StopReason.FAILOVER, null));
	}

	@Test
	void theOlderRunIsTheOneWithTheLowerFencingTokenWhateverTheOrder() {
		assertThat(decide(in().live(status("b", SingletonState.RUNNING, 7), status("a", SingletonState.STARTING, 5))))
			.isEqualTo(new Stop("a", StopReason.FAILOVER, null));
		assertThat(decide(in().live(status("b", SingletonState.STARTING, 7), status("a", SingletonState.RUNNING, 5))))
			.isEqualTo(new Stop("a", StopReason.FAILOVER, null));
	}

	@Test
	void aClaimWithALargerTokenThatThisLeaderDidNotIssueIsStoppedNotTheRunItStarted() {
		assertThat(decide(in().live(status("a", SingletonState.RUNNING, 5), status("z", SingletonState.RUNNING, 99))
			.vouched(5L))).isEqualTo(new Stop("z", StopReason.FAILOVER, null));
	}

	@Test
	void whenThisLeaderStartedNoneOfTwoRunsBothAreStopped() {
		Decision first = decide(in().live(status("a", SingletonState.RUNNING, 5), status("b", SingletonState.RUNNING, 7))
			.vouched());
		assertThat(first).isInstanceOf(Stop.class);
		assertThat(decide(in().live(status("a", SingletonState.STOPPING, 5), status("b", SingletonState.RUNNING, 7))
			.vouched())).isEqualTo(new Stop("b", StopReason.FAILOVER, null));
	}

	@Test
	void twoActiveRunsWaitWhenTheOlderIsAlreadyStopping() {
		assertThat(decide(in().live(status("a", SingletonState.STOPPING, 5), status("b", SingletonState.RUNNING, 7))))
			.isInstanceOf(Wait.class);
	}

	@Test
	void ofThreeActiveRunsAnOlderOneNotYetStoppingIsStopped() {
		assertThat(decide(in().live(status("a", SingletonState.STOPPING, 5), status("b", SingletonState.RUNNING, 6),
				status("c", SingletonState.RUNNING, 7))))
			.isEqualTo(new Stop("b", StopReason.FAILOVER, null));
	}

	@Test
	void aStoppedRunIsNotASecondRun() {
		assertThat(decide(in().live(status("a", SingletonState.STOPPED, 5), status("b", SingletonState.RUNNING, 7))))
			.isInstanceOf(Wait.class);
	}

	// rule 2: one run

	@Test
	void oneRunningRunStays() {
		// a runs fewer singletons than b, but is no higher priority: no move
		assertThat(decide(in().candidates(candidate("a", 0), candidate("b", 3), candidate("c", 0))
			.live(status("b", SingletonState.RUNNING, 7)))).isInstanceOf(Wait.class);
	}

	@Test
	void aRunThatIsStillStartingIsLeftAlone() {
		assertThat(decide(in().spec(spec(List.of(List.of("a"), List.of("b", "c"))))
			.live(status("b", SingletonState.STARTING, 7)))).isInstanceOf(Wait.class);
	}

	@Test
	void aHigherPriorityNodeTakesOverOnceUpForTheTakeoverDelay() {
		In in = in().spec(spec(List.of(List.of("a"), List.of("b", "c"))))
			.candidates(upSince("a", s(10)), upSince("b", 0), upSince("c", 0))
			.live(status("b", SingletonState.RUNNING, 7));
		expect(in, at(s(11), WAIT), at(s(12) - 1, WAIT), at(s(12), new Stop("b", StopReason.TAKEOVER, "a")),
				at(s(50), new Stop("b", StopReason.TAKEOVER, "a")));
	}

	@Test
	void noTakeoverWhenTakeoverIsOff() {
		assertThat(decide(in().spec(noTakeover(List.of(List.of("a"), List.of("b", "c"))))
			.live(status("b", SingletonState.RUNNING, 7)))).isInstanceOf(Wait.class);
	}

	@Test
	void noTakeoverFromANodeThatIsLeaving() {
		In in = in().spec(spec(List.of(List.of("a"), List.of("b", "c")))).live(status("b", SingletonState.RUNNING, 7));
		assertThat(decide(in)).isEqualTo(new Stop("b", StopReason.TAKEOVER, "a"));
		assertThat(decide(in.leaving("b"))).isInstanceOf(Wait.class);
	}

	@Test
	void noTakeoverWhileAnOrderIsInFlight() {
		assertThat(decide(in().spec(spec(List.of(List.of("a"), List.of("b", "c"))))
			.live(status("b", SingletonState.RUNNING, 7))
			.pending(new Pending(true, "b", null, s(200))))).isInstanceOf(Wait.class);
	}

	@Test
	void noTakeoverByANodeOfTheSamePriority() {
		assertThat(decide(in().spec(spec(List.of(List.of("a", "b"), List.of("c"))))
			.candidates(candidate("a", 0), candidate("b", 4), candidate("c", 0))
			.live(status("b", SingletonState.RUNNING, 7)))).isInstanceOf(Wait.class);
	}

	@Test
	void aRunOnANodeOutsideTheGroupsIsTakenOver() {
		assertThat(decide(in().spec(spec(List.of(List.of("b"), List.of("c")))).live(status("z", SingletonState.RUNNING, 7))))
			.isEqualTo(new Stop("z", StopReason.TAKEOVER, "b"));
	}

	@Test
	void thisNodeNeedsNoTakeoverDelay() {
		// Deadlines.NONE marks this node, which is always stable
		In in = in().spec(spec(List.of(List.of("a"), List.of("b"))))
			.candidates(new Candidate("a", 0, Deadlines.NONE), upSince("b", 0))
			.live(status("b", SingletonState.RUNNING, 7));
		expect(in, at(ms(1), new Stop("b", StopReason.TAKEOVER, "a")));
	}

	@Test
	void aTakeoverGoesToTheBestNodeThatIsStableAlready() {
		In in = in().spec(spec(List.of(List.of("a"), List.of("b"), List.of("c"))))
			.candidates(upSince("a", s(99)), upSince("b", s(10)), upSince("c", 0))
			.live(status("c", SingletonState.RUNNING, 7));
		expect(in, at(s(100), new Stop("c", StopReason.TAKEOVER, "b")));
	}

	@Test
	void aPinMovesItEvenWithoutTakeover() {
		assertThat(decide(in().live(status("b", SingletonState.RUNNING, 7)).pin("c")))
			.isEqualTo(new Stop("b", StopReason.TAKEOVER, "c"));
		assertThat(decide(in().spec(noTakeover(List.of())).live(status("b", SingletonState.RUNNING, 7)).pin("c")))
			.isEqualTo(new Stop("b", StopReason.TAKEOVER, "c"));
	}

	@Test
	void aPinOnTheRunnerKeepsItThereAgainstAHigherPriorityNode() {
		assertThat(decide(in().spec(spec(List.of(List.of("a"), List.of("b"))))
			.live(status("b", SingletonState.RUNNING, 7))
			.pin("b"))).isInstanceOf(Wait.class);
	}

	@Test
	void aPinThatIsNotACandidateDoesNotMoveIt() {
		assertThat(decide(in().live(status("b", SingletonState.RUNNING, 7)).pin("z"))).isInstanceOf(Wait.class);
	}

	@Test
	void aPinThatIsNotACandidateIsIgnoredWhenStarting() {
		assertThat(decide(in().pin("z"))).isEqualTo(start("a", StartType.NORMAL, null));
	}

	@Test
	void aPinThatIsNotACandidateDoesNotHoldBackATakeover() {
		assertThat(decide(in().spec(spec(List.of(List.of("a"), List.of("b", "c"))))
			.live(status("b", SingletonState.RUNNING, 7))
			.pin("z"))).isEqualTo(new Stop("b", StopReason.TAKEOVER, "a"));
	}

	@Test
	void aPinnedCandidateComesFirstWhenStarting() {
		assertThat(decide(in().spec(spec(List.of(List.of("a"), List.of("b", "c")))).pin("c")))
			.isEqualTo(start("c", StartType.NORMAL, null));
	}

	// orders in flight

	@Test
	void aPendingStartWaits() {
		// everything else says start now
		assertThat(decide(in().pending(new Pending(true, "b", null, s(200))))).isInstanceOf(Wait.class);
		assertThat(decide(in().pending(new Pending(true, "b", null, s(200)))
			.latest(status("z", SingletonState.RUNNING, 5))
			.fate(new Fate(Fate.Kind.ENDED, 0, Long.MIN_VALUE, false)))).isInstanceOf(Wait.class);
	}

	@Test
	void aPendingTakeoverStartsOnItsTargetOnceTheRunStopped() {
		In in = in().pending(new Pending(false, "a", "b", s(200)));
		assertThat(decide(in.live(status("b", SingletonState.STOPPING, 7)))).isInstanceOf(Wait.class);
		assertThat(decide(in.live(status("b", SingletonState.STOPPED, 7)).latest(status("b", SingletonState.STOPPED, 7))))
			.isEqualTo(start("a", StartType.TAKEOVER, "b"));
	}

	@Test
	void aTakeoverWhoseSourceWentSilentBeforeStoppingWaitsForTheFailoverRules() {
		// b was told to stop for a takeover but went quiet first: its run may still be going
		In in = in().pending(new Pending(false, "a", "b", s(200)))
			.latest(status("b", SingletonState.RUNNING, 7))
			.fate(new Fate(Fate.Kind.SILENT, s(100), s(99), false));
		long due = Placement.failoverAt(in.now(s(101)).build(), new Fate(Fate.Kind.SILENT, s(100), s(99), false));
		expect(in, at(s(101), WAIT), at(due - 1, WAIT), at(due, start("a", StartType.FAILOVER, "b")));
	}

	@Test
	void everyRunThatMayStillBeGoingMustBePastItsFailoverTimeNotOnlyTheLatest() {
		// the latest run (z, gone) may be failed over at s(20); an older run on a silent node, later
		Fate gone = new Fate(Fate.Kind.ENDED, s(10), s(9), false);
		Fate silent = new Fate(Fate.Kind.SILENT, s(20), s(19), false);
		In in = in().latest(status("z", SingletonState.RUNNING, 9))
			.fate(gone)
			.suspect(status("y", SingletonState.RUNNING, 5), silent);
		long due = Placement.failoverAt(in.now(s(100)).build(), silent);
		expect(in, at(due - 1, WAIT), at(due, start("a", StartType.FAILOVER, "z")));
	}

	@Test
	void aPendingTakeoverWhoseTargetIsGoneFallsBackToTheUsualChoice() {
		assertThat(decide(in().pending(new Pending(false, "z", "b", s(200)))
			.live(status("b", SingletonState.STOPPED, 7))
			.latest(status("b", SingletonState.STOPPED, 7)))).isEqualTo(start("a", StartType.FAILOVER, "b"));
	}

	@Test
	void aTakeoverStartKeepsTheStartSpacing() {
		In in = in().pending(new Pending(false, "a", "b", s(200)))
			.live(status("b", SingletonState.STOPPED, 7))
			.latest(status("b", SingletonState.STOPPED, 7))
			.lastStart(s(100) - ms(100));
		expect(in, at(s(100), WAIT), at(s(100) + ms(400), start("a", StartType.TAKEOVER, "b")));
	}

	// rule 3: hand-over

	@Test
	void aRunStoppedOnALeavingNodeIsHandedOverAtOnce() {
		// no spacing, no new-leader wait, no lease: the leaving node stopped it cleanly
		assertThat(decide(in().latest(status("b", SingletonState.STOPPED, 7))
			.leaving("b")
			.candidates(candidate("a"), candidate("c"))
			.leaderSince(s(100))
			.evidenceComplete(false)
			.lastStart(s(100) - 1))).isEqualTo(start("a", StartType.HANDOVER, "b"));
	}

	@Test
	void aHandOverGoesToTheBestCandidate() {
		assertThat(decide(in().spec(spec(List.of(List.of("c"), List.of("a"))))
			.latest(status("b", SingletonState.STOPPED, 7))
			.leaving("b"))).isEqualTo(start("c", StartType.HANDOVER, "b"));
	}

	@Test
	void aHandOverWithNowhereToGoWaits() {
		assertThat(decide(in().latest(status("b", SingletonState.STOPPED, 7)).leaving("b").candidates()))
			.isInstanceOf(Wait.class);
	}

	@Test
	void aRunStoppedOnANodeThatStaysIsNoHandOver() {
		assertThat(decide(in().latest(status("b", SingletonState.STOPPED, 7)).lastStart(s(100) - 1)))
			.isInstanceOf(Wait.class);
		assertThat(decide(in().latest(status("b", SingletonState.STOPPED, 7))))
			.isEqualTo(start("a", StartType.FAILOVER, "b"));
	}

	// rule 4: failover from a node that no longer reports

	@Test
	void failoverFromAnEndedNodeAtTheFailoverTimeoutAfterItEnded() {
		In in = in().latest(status("z", SingletonState.RUNNING, 5)).fate(new Fate(Fate.Kind.ENDED, s(10), s(9), false));
		expect(in, at(s(10), WAIT), at(s(15) - 1, WAIT), at(s(15), start("a", StartType.FAILOVER, "z")));
	}

	@Test
	void failoverFromALeftNodeAtTheFailoverTimeoutAfterItLeft() {
		In in = in().latest(status("z", SingletonState.STOPPING, 5)).fate(new Fate(Fate.Kind.LEFT, s(10), s(9), false));
		expect(in, at(s(15) - 1, WAIT), at(s(15), start("a", StartType.FAILOVER, "z")));
	}

	@Test
	void failoverFromASilentNodeWaitsTheFailoverTimeoutAfterItWentSilent() {
		In in = in().latest(status("z", SingletonState.RUNNING, 5))
			.fate(new Fate(Fate.Kind.SILENT, s(10), Long.MIN_VALUE, false));
		expect(in, at(s(15) - 1, WAIT), at(s(15), start("a", StartType.FAILOVER, "z")));
	}

	@Test
	void failoverFromASilentNodeWaitsTheLongerOfALeaseAndTheFailoverTimeoutAfterItWasLastHeard() {
		// a failover timeout (1 s) shorter than the lease (3 s): the lease after it was last heard counts
		In in = in().spec(new SingletonSpec(JOB, List.of(), Duration.ofSeconds(1), true, Duration.ofSeconds(2)))
			.latest(status("z", SingletonState.RUNNING, 5))
			.fate(new Fate(Fate.Kind.SILENT, s(10), s(9), false));
		expect(in, at(s(11), WAIT), at(s(12) - 1, WAIT), at(s(12), start("a", StartType.FAILOVER, "z")));
		// a longer failover timeout (5 s) counts from when the failure detector judged it
		In longer = in().latest(status("z", SingletonState.RUNNING, 5)).fate(new Fate(Fate.Kind.SILENT, s(10), s(9), false));
		expect(longer, at(s(15) - 1, WAIT), at(s(15), start("a", StartType.FAILOVER, "z")));
	}

	@Test
	void failoverFromASilentNodeWaitsTheNewLeaderWaitAfterThisLeadershipBegan() {
		In in = in().latest(status("z", SingletonState.RUNNING, 5))
			.fate(new Fate(Fate.Kind.SILENT, s(10), s(9), false))
			.leaderSince(s(12));
		expect(in, at(s(17), WAIT), at(s(20) - 1, WAIT), at(s(20), start("a", StartType.FAILOVER, "z")));
	}

	@Test
	void failoverAtIsTheLaterOfTheRulesForItsKind() {
		record R(Fate.Kind kind, long since, long lastHeard, long leaderSince, long expected) {
		}
		long unknown = Long.MIN_VALUE;
		List<R> table = List.of(
				// since + F
				new R(Fate.Kind.ENDED, s(10), unknown, 0, s(15)),
				new R(Fate.Kind.ENDED, s(10), s(9), 0, s(15)),
				new R(Fate.Kind.LEFT, s(10), s(9), 0, s(15)),
				// SILENT: also lastHeard + max(lease, F), and leaderSince + newLeaderWait
				new R(Fate.Kind.SILENT, s(10), unknown, 0, s(15)),
				new R(Fate.Kind.SILENT, s(10), s(9), 0, s(15)),
				new R(Fate.Kind.SILENT, s(5), s(9), 0, s(14)),
				new R(Fate.Kind.SILENT, s(10), s(2), 0, s(15)),
				new R(Fate.Kind.SILENT, s(10), unknown, s(30), s(38)),
				new R(Fate.Kind.SILENT, s(10), s(9), s(12), s(20)));
		for (R r : table) {
			Fate fate = new Fate(r.kind(), r.since(), r.lastHeard(), false);
			assertThat(Placement.failoverAt(in().leaderSince(r.leaderSince()).fate(fate).build(), fate)).as("%s", r)
				.isEqualTo(r.expected());
		}
	}

	@Test
	void aNodeTheRegistryStillListsIsWaitedForEvenWhenDue() {
		In in = in().latest(status("z", SingletonState.RUNNING, 5)).fate(new Fate(Fate.Kind.ENDED, s(10), s(9), true));
		expect(in, at(s(15), WAIT), at(s(100), WAIT));
		expect(in.fate(new Fate(Fate.Kind.ENDED, s(10), s(9), false)), at(s(100), start("a", StartType.FAILOVER, "z")));
	}

	@Test
	void aFailoverWithNowhereToGoWaits() {
		assertThat(decide(in().latest(status("z", SingletonState.RUNNING, 5))
			.fate(new Fate(Fate.Kind.ENDED, s(10), s(9), false))
			.candidates())).isInstanceOf(Wait.class);
	}

	@Test
	void aFailoverGoesToTheBestCandidate() {
		assertThat(decide(in().spec(spec(List.of(List.of("z"), List.of("c", "b"))))
			.candidates(candidate("a"), candidate("b", 1), candidate("c"))
			.latest(status("z", SingletonState.RUNNING, 5))
			.fate(new Fate(Fate.Kind.ENDED, s(10), s(9), false)))).isEqualTo(start("c", StartType.FAILOVER, "z"));
	}

	// rule 5: no run ever reported

	@Test
	void aNeverReportedSingletonWaitsALeaseThenTheNewLeaderWaitThenStartsNormal() {
		In in = in().leaderSince(s(10)).evidenceComplete(false);
		expect(in, at(s(10), WAIT), at(s(13) - 1, WAIT), at(s(13), WAIT), at(s(18) - 1, WAIT),
				at(s(18), start("a", StartType.NORMAL, null)));
	}

	@Test
	void withCompleteEvidenceANeverReportedSingletonStartsRightAfterALease() {
		In in = in().leaderSince(s(10));
		expect(in, at(s(10), WAIT), at(s(13) - 1, WAIT), at(s(13), start("a", StartType.NORMAL, null)));
	}

	@Test
	void withARegistryThereIsNoLeaseToWaitFor() {
		In in = in().leaderSince(s(10)).lease(0).newLeaderWait(s(5));
		expect(in, at(s(10), start("a", StartType.NORMAL, null)));
		expect(in.evidenceComplete(false), at(s(15) - 1, WAIT), at(s(15), start("a", StartType.NORMAL, null)));
	}

	// rule 6: the node chosen

	@Test
	void theFirstPriorityGroupWithACandidateWins() {
		assertThat(decide(in().spec(spec(List.of(List.of("c"), List.of("a", "b"))))
			.candidates(candidate("a"), candidate("b"), candidate("c", 5)))).isEqualTo(start("c", StartType.NORMAL, null));
		assertThat(decide(in().spec(spec(List.of(List.of("z"), List.of("b"), List.of("a"))))))
			.isEqualTo(start("b", StartType.NORMAL, null));
	}

	@Test
	void inAGroupTheNodeRunningFewestWinsThenTheName() {
		assertThat(decide(in().candidates(candidate("a", 2), candidate("c", 1), candidate("b", 1))))
			.isEqualTo(start("b", StartType.NORMAL, null));
		assertThat(decide(in().candidates(candidate("c"), candidate("b"), candidate("a"))))
			.isEqualTo(start("a", StartType.NORMAL, null));
	}

	@Test
	void aNodeOutsideTheGroupsIsNeverChosen() {
		assertThat(decide(in().spec(spec(List.of(List.of("a")))).candidates(candidate("b"), candidate("c"))))
			.isInstanceOf(Wait.class);
		assertThat(decide(in().spec(spec(List.of(List.of("c")))))).isEqualTo(start("c", StartType.NORMAL, null));
		assertThat(decide(in().spec(spec(List.of(List.of("a"))))
			.candidates(candidate("b"))
			.latest(status("z", SingletonState.RUNNING, 5))
			.fate(new Fate(Fate.Kind.ENDED, s(10), s(9), false)))).isInstanceOf(Wait.class);
	}

	@Test
	void groupsMayNameFullNodeNamesOrNameParts() {
		assertThat(decide(in().spec(spec(List.of(List.of("b"))))
			.candidates(candidate("a@10.0.0.1"), candidate("b@10.0.0.2")))).isEqualTo(start("b@10.0.0.2", StartType.NORMAL, null));
		assertThat(decide(in().spec(spec(List.of(List.of("b@10.0.0.2"))))
			.candidates(candidate("a@10.0.0.1"), candidate("b@10.0.0.2")))).isEqualTo(start("b@10.0.0.2", StartType.NORMAL, null));
	}

	@Test
	void anEmptyNodeListMeansAnyNode() {
		assertThat(decide(in().spec(spec(List.of())).candidates(candidate("q@10.0.0.9"))))
			.isEqualTo(start("q@10.0.0.9", StartType.NORMAL, null));
	}

	@Test
	void twoStartsAreAtLeastTheMinimumSpacingApart() {
		In in = in().lastStart(s(100));
		expect(in, at(s(100), WAIT), at(s(100) + Placement.MIN_START_SPACING_NANOS - 1, WAIT),
				at(s(100) + Placement.MIN_START_SPACING_NANOS, start("a", StartType.NORMAL, null)));
		In failover = in().lastStart(s(100))
			.latest(status("z", SingletonState.RUNNING, 5))
			.fate(new Fate(Fate.Kind.ENDED, s(10), s(9), false));
		expect(failover, at(s(100) + ms(499), WAIT), at(s(100) + ms(500), start("a", StartType.FAILOVER, "z")));
	}

	// a stopped run on a live node

	@Test
	void aStoppedRunRestartsAsNormalOnItsNodeIfThatIsBest() {
		assertThat(decide(in().latest(status("a", SingletonState.STOPPED, 7)))).isEqualTo(start("a", StartType.NORMAL, null));
	}

	@Test
	void aStoppedRunRestartsAsFailoverFromItsNodeOtherwise() {
		assertThat(decide(in().latest(status("c", SingletonState.STOPPED, 7)))).isEqualTo(start("a", StartType.FAILOVER, "c"));
		assertThat(decide(in().spec(spec(List.of(List.of("b"), List.of("a"))))
			.latest(status("a", SingletonState.STOPPED, 7)))).isEqualTo(start("b", StartType.FAILOVER, "a"));
	}

	@Test
	void aStoppedRunWaitsTheNewLeaderWaitWhenEvidenceIsIncomplete() {
		In in = in().latest(status("c", SingletonState.STOPPED, 7)).leaderSince(s(10)).evidenceComplete(false);
		expect(in, at(s(18) - 1, WAIT), at(s(18), start("a", StartType.FAILOVER, "c")));
		expect(in.evidenceComplete(true), at(s(10), start("a", StartType.FAILOVER, "c")));
	}

	/** A mutable picture with the defaults of this class; {@link #build()} gives the input. */
	private static final class In {

		private SingletonSpec spec = SingletonSpec.defaults(JOB);

		private long now = s(100);

		private long leaderSince = 0;

		private long lease = s(3);

		private long newLeaderWait = s(8);

		private boolean evidenceComplete = true;

		private List<SingletonStatus> live = List.of();

		private SingletonStatus latest;

		private Fate fate;

		private List<Candidate> candidates = List.of(candidate("a"), candidate("b"), candidate("c"));

		private final Set<String> leaving = new HashSet<>();

		private Pending pending;

		private String pin;

		private long lastStart = Long.MIN_VALUE;

		In spec(SingletonSpec spec) {
			this.spec = spec;
			return this;
		}

		In now(long now) {
			this.now = now;
			return this;
		}

		In leaderSince(long leaderSince) {
			this.leaderSince = leaderSince;
			return this;
		}

		In lease(long lease) {
			this.lease = lease;
			return this;
		}

		In newLeaderWait(long newLeaderWait) {
			this.newLeaderWait = newLeaderWait;
			return this;
		}

		In evidenceComplete(boolean evidenceComplete) {
			this.evidenceComplete = evidenceComplete;
			return this;
		}

		In live(SingletonStatus... live) {
			this.live = List.of(live);
			return this;
		}

		In latest(SingletonStatus latest) {
			this.latest = latest;
			return this;
		}

		In fate(Fate fate) {
			this.fate = fate;
			return this;
		}

		In candidates(Candidate... candidates) {
			this.candidates = new ArrayList<>(List.of(candidates));
			return this;
		}

		In leaving(String... nodes) {
			this.leaving.addAll(List.of(nodes));
			return this;
		}

		In pending(Pending pending) {
			this.pending = pending;
			return this;
		}

		In pin(String pin) {
			this.pin = pin;
			return this;
		}

		In lastStart(long lastStart) {
			this.lastStart = lastStart;
			return this;
		}

		// by default every live run is one this leader started
		In vouched(Long... tokens) {
			this.vouched = Set.of(tokens);
			return this;
		}

		Placement.Input build() {
			Set<Long> tokens = (this.vouched != null) ? this.vouched
					: this.live.stream().map(SingletonStatus::fencingToken).collect(Collectors.toSet());
			List<Placement.Suspect> suspects = new ArrayList<>(this.suspects);
			if (this.fate != null && this.latest != null && this.latest.isActive()) {
				suspects.add(new Placement.Suspect(this.latest, this.fate));
			}
			return new Placement.Input(this.spec, this.now, this.leaderSince, this.lease, this.newLeaderWait,
					this.evidenceComplete, this.live, this.latest, suspects, List.copyOf(this.candidates),
					Set.copyOf(this.leaving), this.pending, this.pin, this.lastStart, tokens);
		}

		private Set<Long> vouched;

		private final List<Placement.Suspect> suspects = new ArrayList<>();

		// another run that may still be going on a node that does not report
		In suspect(SingletonStatus status, Fate fate) {
			this.suspects.add(new Placement.Suspect(status, fate));
			return this;
		}

	}

}
