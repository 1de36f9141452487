package dev.clustering.faults;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

import dev.clustering.faults.CheckResult.FaultWindow;
import dev.clustering.faults.Violation.Rule;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The checker against hand-written histories: each rule broken once, and histories that keep them.
 * Times are milliseconds from 0; ready at 1000 unless a test says otherwise.
 */
class HistoryCheckerTests {

	private final HistoryChecker checker = new HistoryChecker(List.of("distro"), Duration.ofMillis(5600),
			Duration.ofSeconds(10));

	@Test
	void cleanFailoverKeepsEveryRule() {
		List<String> history = new ArrayList<>();
		history.addAll(run("n1", 101, 10, 1000, 3000, "QUORUM_LOST"));
		history.addAll(run("n2", 202, 11, 5000, 9000, null));
		history.addAll(lead("n1", 101, 7, 1000, 2900));
		history.addAll(lead("n2", 202, 8, 4000, 9000));
		CheckResult result = check(history, driver("1000 ready", "2000 begin partition-3|2#1 partition-3|2 quorum n1,n2",
				"6000 end partition-3|2#1", "6800 converged partition-3|2#1 800", "9000 finish"));
		assertThat(result.violations()).isEmpty();
		assertThat(result.runs()).hasSize(2);
		assertThat(result.gaps()).singleElement().satisfies((gap) -> assertThat(gap.length()).isEqualTo(2000));
	}

	@Test
	void overlappingRunsBreakRuleOne() {
		List<String> history = new ArrayList<>();
		history.addAll(run("n1", 101, 10, 1000, 6000, "FAILOVER"));
		history.addAll(run("n2", 202, 11, 5000, 9000, null));
		CheckResult result = check(history, driver("1000 ready", "9000 finish"));
		assertThat(result.violations()).singleElement().satisfies((v) -> {
			assertThat(v.rule()).isEqualTo(Rule.OVERLAP);
			assertThat(v.at()).isEqualTo(5000);
			assertThat(v.message()).contains("still observed 1000 ms after", "distro on n1 pid 101 token 10", "distro on n2 pid 202 token 11",
					"stopped FAILOVER");
			assertThat(v.evidence()).anyMatch((line) -> line.endsWith("5000 101 n1 tick distro 10"));
		});
	}

	@Test
	void shortLaterRunInsideAnEarlierOneIsAnOverlapMeasuredByTheEarlierRun() {
		List<String> history = new ArrayList<>();
		history.addAll(run("n2", 202, 11, 1000, 9000, null));
		history.add("5000 101 n1 start distro 12 FAILOVER n2@10.231.1.12");
		history.add("5027 101 n1 stop distro 12 FAILOVER");
		CheckResult result = check(history, driver("1000 ready", "9000 finish"));
		assertThat(result.violations()).singleElement().satisfies((v) -> {
			assertThat(v.rule()).isEqualTo(Rule.OVERLAP);
			assertThat(v.message()).contains("distro on n2 pid 202 token 11 (no stop line, last seen",
					"was still observed 4000 ms after distro on n1 pid 101 token 12 started");
		});
	}

	@Test
	void runsTouchingInTheSameMillisecondOverlap() {
		List<String> history = new ArrayList<>();
		history.addAll(run("n1", 101, 10, 1000, 3000, null));
		history.addAll(run("n2", 202, 11, 3000, 5000, null));
		assertThat(rules(check(history, driver("1000 ready", "5000 finish")))).containsExactly(Rule.OVERLAP);
	}

	@Test
	void killedProcessWritesNoStopAndDoesNotOverlap() {
		List<String> history = new ArrayList<>();
		history.addAll(run("n1", 101, 10, 1000, 3000, null));
		history.addAll(run("n2", 202, 11, 6000, 9000, null));
		CheckResult result = check(history, driver("1000 ready", "3010 begin crash-kill9#1 crash-kill9 quorum n1",
				"3010 signal n1 101 KILL", "5000 spawn n1 303", "8000 end crash-kill9#1", "9000 finish"));
		assertThat(result.violations()).isEmpty();
		assertThat(result.runs().get(0).stop()).isNull();
	}

	@Test
	void frozenProcessTickingAfterItsThawOverlapsAndSaysWhatTheDriverDid() {
		List<String> history = new ArrayList<>();
		history.addAll(run("n1", 101, 10, 1000, 3000, null));
		history.addAll(run("n1", 101, 10, 13000, 13200, "FAILOVER").subList(1, 4)); // ticks after the thaw
		history.addAll(run("n2", 202, 11, 8000, 16000, null));
		CheckResult result = check(history, driver("1000 ready", "3000 signal n1 101 STOP", "13000 signal n1 101 CONT",
				"16000 finish"));
		assertThat(result.violations()).singleElement().satisfies((v) -> {
			assertThat(v.rule()).isEqualTo(Rule.OVERLAP);
			assertThat(v.message()).contains("the driver sent STOP at", "CONT at");
		});
	}

	@Test
	void singletonTokenThatDoesNotGrowBreaksRuleTwo() {
		List<String> history = new ArrayList<>();
		history.addAll(run("n1", 101, 10, 1000, 3000, "QUORUM_LOST"));
		history.addAll(run("n2", 202, 9, 4000, 6000, null));
		CheckResult result = check(history, driver("1000 ready", "6000 finish"));
		assertThat(result.violations()).singleElement().satisfies((v) -> {
			assertThat(v.rule()).isEqualTo(Rule.SINGLETON_TOKEN);
			assertThat(v.message()).contains("token 9", "token 10");
		});
	}

	@Test
	void repeatedSingletonTokenBreaksRuleTwo() {
		List<String> history = new ArrayList<>();
		history.addAll(run("n1", 101, 10, 1000, 3000, "QUORUM_LOST"));
		history.addAll(run("n2", 202, 10, 4000, 6000, null));
		assertThat(rules(check(history, driver("1000 ready", "6000 finish")))).containsExactly(Rule.SINGLETON_TOKEN);
	}

	@Test
	void interleavedLeaderTokensBreakRuleTwo() {
		List<String> history = new ArrayList<>(run("n3", 303, 20, 1000, 6000, null));
		history.addAll(lead("n1", 101, 5, 1000, 4000));
		history.addAll(lead("n2", 202, 6, 3000, 6000));
		CheckResult result = check(history, driver("1000 ready", "6000 finish"));
		assertThat(result.violations()).singleElement().satisfies((v) -> {
			assertThat(v.rule()).isEqualTo(Rule.LEADER_TOKEN);
			assertThat(v.at()).isEqualTo(3000);
			assertThat(v.message()).contains("n1 still led with token 5", "n2 led with the larger token 6");
		});
	}

	@Test
	void olderLeaderTokenAfterANewerOneBreaksRuleTwo() {
		List<String> history = new ArrayList<>(run("n3", 303, 20, 1000, 6000, null));
		history.addAll(lead("n2", 202, 6, 1000, 2000));
		history.addAll(lead("n1", 101, 5, 3000, 4000));
		assertThat(rules(check(history, driver("1000 ready", "6000 finish")))).containsExactly(Rule.LEADER_TOKEN);
	}

	@Test
	void oneLeaderTokenOnTwoNodesBreaksRuleTwo() {
		List<String> history = new ArrayList<>(run("n3", 303, 20, 1000, 6000, null));
		history.addAll(lead("n1", 101, 5, 1000, 2000));
		history.addAll(lead("n2", 202, 5, 2500, 3000));
		CheckResult result = check(history, driver("1000 ready", "6000 finish"));
		assertThat(result.violations()).singleElement()
			.satisfies((v) -> assertThat(v.message()).contains("held by n1 pid 101 and n2 pid 202"));
	}

	@Test
	void successiveLeadersKeepRuleTwo() {
		List<String> history = new ArrayList<>(run("n3", 303, 20, 1000, 9000, null));
		history.addAll(lead("n1", 101, 5, 1000, 4000));
		history.addAll(lead("n2", 202, 6, 4100, 9000));
		assertThat(check(history, driver("1000 ready", "9000 finish")).violations()).isEmpty();
	}

	@Test
	void longGapWithAQuorumUpBreaksRuleThree() {
		List<String> history = new ArrayList<>();
		history.addAll(run("n1", 101, 10, 1000, 2000, "QUORUM_LOST"));
		history.addAll(run("n2", 202, 11, 9000, 10000, null));
		CheckResult result = check(history, driver("1000 ready", "10000 finish"));
		assertThat(result.violations()).singleElement().satisfies((v) -> {
			assertThat(v.rule()).isEqualTo(Rule.GAP);
			assertThat(v.at()).isEqualTo(2000);
			assertThat(v.message()).contains("7.0 s");
			assertThat(v.evidence()).hasSize(2);
		});
	}

	@Test
	void gapInsideAFaultThatTouchesAMajorityIsExempt() {
		List<String> history = new ArrayList<>();
		history.addAll(run("n1", 101, 10, 1000, 2000, "QUORUM_LOST"));
		history.addAll(run("n2", 202, 11, 9000, 10000, null));
		CheckResult result = check(history, driver("1000 ready", "1500 begin loss-20%#1 loss-20% no-quorum n1,n2,n3,n4,n5",
				"8000 end loss-20%#1", "10000 finish"));
		assertThat(result.violations()).isEmpty();
		assertThat(result.gaps()).singleElement().satisfies((gap) -> {
			assertThat(gap.length()).isEqualTo(7000);
			assertThat(gap.effective()).isEqualTo(1000);
		});
	}

	@Test
	void gapOutlastingTheExemptFaultIsMeasuredFromItsHeal() {
		List<String> history = new ArrayList<>();
		history.addAll(run("n1", 101, 10, 1000, 2000, "QUORUM_LOST"));
		history.addAll(run("n2", 202, 11, 12000, 13000, null));
		CheckResult result = check(history, driver("1000 ready", "1500 begin loss-20%#1 loss-20% no-quorum n1,n2,n3,n4,n5",
				"4000 end loss-20%#1", "13000 finish"));
		assertThat(rules(result)).containsExactly(Rule.GAP);
		assertThat(result.gaps().get(0).effective()).isEqualTo(8000);
	}

	@Test
	void gapOverTheBoundIsExplainedWhenTheNewLeaderIsKilledDuringIt() {
		// n1 runs it and is killed; n2 leads and would place it, but is killed too: n3 leads and places it
		List<String> history = new ArrayList<>(run("n1", 101, 10, 1000, 2000, null));
		history.addAll(lead("n2", 202, 8, 1000, 4900));
		history.addAll(lead("n3", 303, 9, 6000, 12000));
		history.addAll(run("n3", 303, 11, 10000, 12000, null));
		CheckResult result = check(history, driver(spawned("1000 ready", "2000 signal n1 101 KILL", "2500 spawn n1 111",
				"5000 signal n2 202 KILL", "5600 spawn n2 222", "12000 finish")));
		assertThat(result.violations()).isEmpty();
		assertThat(result.explained()).singleElement().satisfies((e) -> {
			assertThat(e.gap().length()).isEqualTo(8000);
			assertThat(e.restartAt()).isEqualTo(5000);
			assertThat(e.why()).isEqualTo("the leader n2 was sent KILL");
			assertThat(e.afterRestart()).isEqualTo(5000);
		});
	}

	@Test
	void gapOverTheBoundIsExplainedWhenTheNodeThatRunsItNextIsStoppedDuringIt() {
		List<String> history = new ArrayList<>(run("n1", 101, 10, 1000, 2000, null));
		history.addAll(lead("n2", 202, 8, 1000, 12000));
		history.addAll(run("n3", 303, 11, 10000, 12000, null));
		CheckResult result = check(history, driver(spawned("1000 ready", "2000 signal n1 101 KILL", "5000 signal n3 303 STOP",
				"7000 signal n3 303 CONT", "12000 finish")));
		assertThat(result.violations()).isEmpty();
		assertThat(result.explained()).singleElement()
			.satisfies((e) -> assertThat(e.why()).isEqualTo("n3, where it ran next, was sent STOP"));
	}

	@Test
	void aFaultOnANodeThatNeitherLeadsNorRunsItNextExplainsNothing() {
		List<String> history = new ArrayList<>(run("n1", 101, 10, 1000, 2000, null));
		history.addAll(lead("n2", 202, 8, 1000, 12000));
		history.addAll(run("n3", 303, 11, 10000, 12000, null));
		CheckResult result = check(history, driver(spawned("1000 ready", "2000 signal n1 101 KILL", "5000 signal n4 404 STOP",
				"6000 signal n4 404 CONT", "12000 finish")));
		assertThat(rules(result)).containsExactly(Rule.GAP);
		assertThat(result.explained()).isEmpty();
	}

	@Test
	void gapOverTheBoundIsExplainedWhenALostQuorumComesBack() {
		List<String> history = new ArrayList<>(run("n1", 101, 10, 1000, 2000, null));
		history.addAll(lead("n2", 202, 8, 1000, 1500));
		history.addAll(run("n2", 202, 11, 11000, 12000, null));
		// n1 killed, then n4 and n5 stopped: 2 of 5 up until n4 is let go on at 7000
		CheckResult result = check(history, driver(spawned("1000 ready", "2000 signal n1 101 KILL", "3000 signal n4 404 STOP",
				"3500 signal n5 505 STOP", "7000 signal n4 404 CONT", "9000 spawn n1 111", "12000 finish")));
		assertThat(result.violations()).isEmpty();
		assertThat(result.explained()).singleElement().satisfies((e) -> {
			assertThat(e.restartAt()).isEqualTo(7000);
			assertThat(e.why()).startsWith("a quorum was back");
		});
	}

	@Test
	void gapThatOutlastsTheBoundCountedFromItsLastFaultStaysAViolationAndSaysSo() {
		List<String> history = new ArrayList<>(run("n1", 101, 10, 1000, 2000, null));
		history.addAll(lead("n2", 202, 8, 1000, 3000));
		history.addAll(run("n3", 303, 11, 12000, 13000, null));
		CheckResult result = check(history, driver(spawned("1000 ready", "2000 signal n1 101 KILL", "3000 signal n2 202 KILL",
				"13000 finish")));
		assertThat(result.violations()).singleElement().satisfies((v) -> {
			assertThat(v.rule()).isEqualTo(Rule.GAP);
			assertThat(v.message()).contains("9.0 s after the leader n2 was sent KILL");
		});
	}

	@Test
	void singletonThatNeverComesBackBreaksRuleThreeUntilTheFinish() {
		List<String> history = run("n1", 101, 10, 1000, 2000, "QUORUM_LOST");
		CheckResult result = check(history, driver("1000 ready", "10000 finish"));
		assertThat(result.violations()).singleElement().satisfies((v) -> {
			assertThat(v.rule()).isEqualTo(Rule.GAP);
			assertThat(v.evidence()).contains("next: none before the driver finished");
		});
	}

	@Test
	void slowOrMissingConvergenceBreaksRuleFour() {
		List<String> history = run("n1", 101, 10, 1000, 30000, null);
		CheckResult result = check(history,
				driver("1000 ready", "2000 begin one-way#1 one-way quorum n1,n2", "5000 end one-way#1",
						"5500 converged one-way#1 500", "6000 begin bridge-node#2 bridge-node quorum n1,n3",
						"9000 end bridge-node#2", "21000 converged bridge-node#2 12000",
						"22000 begin flapping#3 flapping quorum n2", "25000 end flapping#3",
						"45000 diverged flapping#3 20000 n1 sees no leader :: n1: leader=none", "30000 finish"));
		assertThat(result.violations()).extracting(Violation::rule).containsExactly(Rule.CONVERGENCE, Rule.CONVERGENCE);
		assertThat(result.violations().get(0).message()).contains("bridge-node#2", "only after 12.0 s");
		assertThat(result.violations().get(1).message()).contains("still disagreed after 20.0 s");
		assertThat(result.violations().get(1).evidence()).containsExactly("n1 sees no leader :: n1: leader=none");
	}

	@Test
	void aFailedLiveCheckIsAViolationOfItsFault() {
		List<String> history = run("n1", 101, 10, 1000, 9000, null);
		CheckResult result = check(history,
				driver("1000 ready", "2000 begin attack-post-handshake#1 attack-post-handshake quorum n1,n2",
						"4000 broken attack-post-handshake#1 n2 counted 1 handler error", "5000 end attack-post-handshake#1",
						"5200 converged attack-post-handshake#1 200", "9000 finish"));
		assertThat(result.violations()).singleElement().satisfies((v) -> {
			assertThat(v.rule()).isEqualTo(Rule.LIVE_CHECK);
			assertThat(v.at()).isEqualTo(4000);
			assertThat(v.message()).isEqualTo("attack-post-handshake#1: n2 counted 1 handler error");
		});
		assertThat(FaultTable.render(result, 3000).lines().filter((l) -> l.startsWith("attack-post-handshake")))
			.singleElement().satisfies((line) -> assertThat(line).matches("attack-post-handshake\\s+1\\s+1\\s.*"));
	}

	@Test
	void linesAfterTheFinishAreIgnoredAndUnreadableLinesReported() {
		List<String> history = new ArrayList<>(run("n1", 101, 10, 1000, 5000, null));
		history.add("20000 202 n2 start distro 3 NORMAL -");
		history.add("garbage");
		CheckResult result = check(history, driver("1000 ready", "5000 finish"));
		assertThat(rules(result)).containsExactly(Rule.UNREADABLE);
		assertThat(result.runs()).hasSize(1);
	}

	@Test
	void uncoveredIsTheLongestStretchOutsideExemptWindows() {
		List<FaultWindow> exempt = List.of(new FaultWindow("a", "loss", 2000, 3000, false, List.of()),
				new FaultWindow("b", "delay", 3500, 9000, false, List.of()));
		assertThat(HistoryChecker.uncovered(1000, 10000, exempt)).isEqualTo(1000);
		assertThat(HistoryChecker.uncovered(2500, 3200, exempt)).isEqualTo(200);
		assertThat(HistoryChecker.uncovered(4000, 8000, exempt)).isZero();
		assertThat(HistoryChecker.uncovered(0, 12000, List.of())).isEqualTo(12000);
	}

	@Test
	void tableHasARowPerFaultKind() {
		List<String> history = new ArrayList<>();
		history.addAll(run("n1", 101, 10, 1000, 6000, "FAILOVER"));
		history.addAll(run("n2", 202, 11, 5000, 20000, null));
		CheckResult result = check(history,
				driver("1000 ready", "2000 begin partition-3|2#1 partition-3|2 quorum n1,n2", "8000 end partition-3|2#1",
						"9000 converged partition-3|2#1 1000", "10000 begin partition-3|2#2 partition-3|2 quorum n3,n4",
						"15000 end partition-3|2#2", "17500 converged partition-3|2#2 2500", "20000 finish"));
		String table = FaultTable.render(result, 3000);
		assertThat(table).contains("partition-3|2", "total");
		assertThat(table.lines().filter((l) -> l.startsWith("partition-3|2")).findFirst().orElseThrow())
			.matches("partition-3\\|2\\s+2\\s+1\\s+1\\.0s\\s+2\\.5s\\s+2\\.5s\\s+1\\s+-\\s*");
		assertThat(table).contains("within the 3.0 s goal: 2 of 2 heals");
	}

	/** A run: start at {@code from}, a tick every 100 ms up to {@code to}, then a stop if a reason is given. */
	private static List<String> run(String node, long pid, long token, long from, long to, String stopReason) {
		List<String> lines = new ArrayList<>();
		lines.add(from + " " + pid + " " + node + " start distro " + token + " NORMAL -");
		for (long at = from + 100; at <= to; at += 100) {
			lines.add(at + " " + pid + " " + node + " tick distro " + token);
		}
		if (stopReason != null) {
			lines.add((to + 10) + " " + pid + " " + node + " stop distro " + token + " " + stopReason);
		}
		return lines;
	}

	private static List<String> lead(String node, long pid, long token, long from, long to) {
		List<String> lines = new ArrayList<>();
		for (long at = from; at <= to; at += 100) {
			lines.add(at + " " + pid + " " + node + " lead " + token);
		}
		return lines;
	}

	// five nodes spawned before the given lines
	private static String[] spawned(String... lines) {
		List<String> all = new ArrayList<>();
		for (int n = 1; n <= 5; n++) {
			all.add("500 spawn n" + n + " " + (n * 101));
		}
		all.addAll(List.of(lines));
		return all.toArray(String[]::new);
	}

	private static List<DriverLog.Event> driver(String... lines) {
		return DriverLog.parse(List.of(lines));
	}

	private CheckResult check(List<String> history, List<DriverLog.Event> driver) {
		return this.checker.check(History.of(history.toArray(String[]::new)), driver);
	}

	private static List<Rule> rules(CheckResult result) {
		return result.violations().stream().map(Violation::rule).toList();
	}

}
