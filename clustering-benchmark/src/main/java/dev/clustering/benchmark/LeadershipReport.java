package dev.clustering.benchmark;

import java.time.Duration;
import java.util.List;
import java.util.function.Function;
import java.util.stream.Collectors;

import dev.clustering.benchmark.LeadershipResult.FreezeRun;
import dev.clustering.benchmark.LeadershipResult.FreezeStats;
import dev.clustering.benchmark.LeadershipResult.SingletonStats;

import static dev.clustering.benchmark.ClusterBenchmark.header;
import static dev.clustering.benchmark.ClusterBenchmark.row;

/**
 * The leadership scenario's report: one table of what the {@link LeadershipScenario} measured,
 * against the goals, with the problems met.
 */
final class LeadershipReport {

	static final double GOAL_ELECTION_P50_MS = 100;

	static final double GOAL_THAW_MS = 200;

	static final double GOAL_FAILOVER_EXTRA_MS = 300;

	static final double GOAL_TAKEOVER_GAP_MS = 200;

	private LeadershipReport() {
	}

	static void print(LeadershipResult r, BenchmarkOptions options) {
		System.out.println();
		System.out.println("=== Leadership and singletons: 3 nodes, keep-majority, static topology "
				+ "=".repeat(25));
		header();
		row("  first leader agreed by all (after start)", Format.ms(r.firstLeaderMillis), "~2 s grace", null);
		printElection(r.kill, "a kill of the leader (halt)", true);
		printElection(r.stop, "b graceful stop of the leader (close)", true);
		double[] close = Format.sorted(r.stop.closeMillis);
		row("    close() of the leader returned after p50 / max", Format.pairMax(close), "", null);
		printFreeze(r.freeze, options.thawWindow, "c freeze of the leader (links cut)", "frozen", "thaw");
		if (r.pause.election.runs > 0) {
			printFreeze(r.pause, options.thawWindow, "c2 pause of the leader (loop stalled)", "paused", "resume");
		}
		printSingleton(r.singleton, options);
		row("  worst JVM scheduling hiccup (whole scenario)", Format.ms(r.worstHiccup), "", null);
		row("  scenario run time", Format.num(r.seconds, 0) + " s", "< ~6 min", null);
		ClusterBenchmark.printProblems(r.problems);
	}

	private static void printElection(ElectionStats s, String title, boolean goal) {
		Function<double[], Boolean> verdict = (sorted) -> goal
				? Format.verdict(Format.percentile(sorted, 50), GOAL_ELECTION_P50_MS) : null;
		s.print(title, goal ? "p50 < 100 ms" : "", verdict, goal ? "p50 < 100 ms" : "", verdict, true);
	}

	private static void printFreeze(FreezeStats f, Duration window, String title, String frozen, String thaw) {
		int n = f.runs.size();
		printElection(f.election, title, false);
		List<FreezeRun> runs = f.runs;
		List<Double> whileFrozen = runs.stream().filter((x) -> !Double.isNaN(x.revokedWhileFrozenMs))
			.map((x) -> x.revokedWhileFrozenMs).toList();
		String frozenReasons = runs.stream().filter((x) -> x.revokedWhileFrozenReason != null)
			.collect(Collectors.groupingBy((x) -> x.revokedWhileFrozenReason.name(), Collectors.counting()))
			.toString();
		row("    " + frozen + " leader stepped down while " + frozen, whileFrozen.size() + "/" + n + " " + frozenReasons, "", null);
		row("      ... after the " + ((thaw.equals("thaw")) ? "cut" : "pause") + " p50 / max", Format.pairMax(Format.sorted(whileFrozen)), "", null);
		long leadingAtThaw = runs.stream().filter((x) -> x.leaderAtThaw).count();
		row("    still leading at the " + thaw, leadingAtThaw + "/" + n, "", null);
		List<Double> toNotLeader = runs.stream().filter((x) -> x.leaderAtThaw).map((x) -> x.thawToNotLeaderMs).toList();
		row("      ... " + thaw + " -> isLeader() false p50 / p99", pair(Format.sorted(toNotLeader), window), "< 200 ms",
				toNotLeader.isEmpty() ? null : Format.verdict(Format.max(Format.sorted(toNotLeader)), GOAL_THAW_MS));
		List<Double> revokedAfter = runs.stream().filter((x) -> !Double.isNaN(x.revokedAfterThawMs))
			.map((x) -> x.revokedAfterThawMs).toList();
		String afterReasons = runs.stream().filter((x) -> x.revokedAfterThawReason != null)
			.collect(Collectors.groupingBy((x) -> x.revokedAfterThawReason.name(), Collectors.counting()))
			.toString();
		row("      ... LeadershipRevokedEvent after the " + thaw, revokedAfter.size() + "/" + leadingAtThaw + " "
				+ afterReasons, "", null);
		row("      ... " + thaw + " -> revoked event p50 / p99", Format.pair(Format.sorted(revokedAfter)), "< 200 ms", null);
		long knewIn200 = runs.stream().filter((x) -> x.thawToNotLeaderMs <= GOAL_THAW_MS && x.reclaimedToken == 0)
			.count();
		row("    not leading by " + thaw + " + 200 ms, no re-claim", knewIn200 + "/" + n, n + "/" + n,
				(n > 0) ? knewIn200 == n : null);
		long heard = runs.stream().filter((x) -> !Double.isNaN(x.heardNewLeaderMs)).count();
		row("    heard the new leader after the " + thaw, heard + "/" + n, "", null);
		long reclaimed = runs.stream().filter((x) -> x.reclaimedToken > 0).count();
		row("    claimed again after the " + thaw, reclaimed + "/" + n, "0", (n > 0) ? reclaimed == 0 : null);
		long leadsAtEnd = runs.stream().filter((x) -> x.leadsAtEnd).count();
		row("    leading at the end of the " + thaw + " window", leadsAtEnd + "/" + n, "0", (n > 0) ? leadsAtEnd == 0 : null);
		long stale = runs.stream().filter(FreezeRun::stale).count();
		row("    its fencingToken() < the new leader's (stale)", stale + "/" + n, n + "/" + n, (n > 0) ? stale == n : null);
		List<Double> agreed = runs.stream().map((x) -> x.thawToAgreedMs).toList();
		long agreedCount = agreed.stream().filter((x) -> !Double.isInfinite(x)).count();
		row("    all 3 agree on one leader within the window", agreedCount + "/" + n, n + "/" + n,
				(n > 0) ? agreedCount == n : null);
		row("      ... " + thaw + " -> agreement p50 / p99", pair(Format.sorted(agreed), window), "", null);
		String agreedOn = runs.stream().filter((x) -> x.agreedLeader != null)
			.collect(Collectors.groupingBy((x) -> x.agreedLeader.equals(x.victim) ? "the old leader" : "the new leader",
					Collectors.counting()))
			.toString();
		row("      ... agreed on", agreedOn, "the new leader", null);
	}

	private static void printSingleton(SingletonStats s, BenchmarkOptions options) {
		double[] extra = Format.sorted(s.failoverExtra);
		row("d singleton failover: " + s.runs + " kills of its node", "", "", null);
		row("    first start after formation", Format.ms(s.firstStartMillis), "", null);
		row("    halt -> start() elsewhere, minus " + Format.duration(options.failoverTimeout), Format.pair(extra),
				"< 300 ms", extra.length == 0 ? null : Format.verdict(Format.percentile(extra, 99), GOAL_FAILOVER_EXTRA_MS));
		row("    max", Format.ms(Format.max(extra)), "", null);
		row("    start types", s.failoverTypes.toString(), "FAILOVER", null);
		row("    runs where the killed node also led", String.valueOf(s.runnerWasLeader), "", null);
		row("    no failover within the timeout", String.valueOf(s.failoverMissing), "0",
				(s.runs > 0) ? s.failoverMissing == 0 : null);
		double[] gaps = Format.sorted(s.takeoverGaps);
		row("e takeover by the restarted n1: " + s.takeoverGaps.size() + " takeovers", "", "", null);
		row("    stop() returned -> start() on n1 p50 / p99", Format.pair(gaps), "< 200 ms",
				gaps.length == 0 ? null : Format.verdict(Format.percentile(gaps, 99), GOAL_TAKEOVER_GAP_MS));
		row("    max", Format.ms(Format.max(gaps)), "", null);
		row("    restart of n1 -> start() on n1 p50 / max", Format.pairMax(Format.sorted(s.restartToTakeover)),
				"~" + Format.duration(options.takeoverDelay) + " delay", null);
		row("    start types / stop reasons", s.takeoverTypes + " / " + s.stopReasons, "TAKEOVER", null);
		row("    no takeover / no stop before it", s.takeoverMissing + " / " + s.takeoverNoStop, "0 / 0",
				(s.runs > 0) ? s.takeoverMissing == 0 && s.takeoverNoStop == 0 : null);
		row("    starts other than one failover + one takeover", String.valueOf(s.unexpectedStarts), "0",
				(s.runs > 0) ? s.unexpectedStarts == 0 : null);
		row("    overlaps (start while another one runs)", String.valueOf(s.overlaps), "0", s.overlaps == 0);
	}

	/** p50 / p99 where an infinite value means "not within the window". */
	private static String pair(double[] sorted, Duration window) {
		return within(Format.percentile(sorted, 50), window) + " / " + within(Format.percentile(sorted, 99), window);
	}

	private static String within(double millis, Duration window) {
		return Double.isInfinite(millis) ? "> " + Format.duration(window) : Format.ms(millis);
	}

}
