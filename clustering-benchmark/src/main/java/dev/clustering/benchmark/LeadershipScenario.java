package dev.clustering.benchmark;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.stream.Collectors;

import dev.clustering.benchmark.ElectionStats.Election;
import dev.clustering.detection.FailureDetectorSettings;
import dev.clustering.leadership.LeaderInfo;
import dev.clustering.leadership.RevocationReason;
import dev.clustering.node.ClusterNode;
import dev.clustering.node.EngineEvent;
import dev.clustering.node.EventLoopPause;
import dev.clustering.singleton.SingletonSpec;
import dev.clustering.singleton.StartType;
import dev.clustering.singleton.StopReason;
import dev.clustering.test.LoopbackCluster;
import dev.clustering.test.LoopbackClusterBuilder;
import dev.clustering.test.RecordedEvent;
import dev.clustering.test.SingletonRecord;
import dev.clustering.test.SingletonRecord.Run;

import static dev.clustering.benchmark.ClusterBenchmark.header;
import static dev.clustering.benchmark.ClusterBenchmark.progress;
import static dev.clustering.benchmark.ClusterBenchmark.row;
import static dev.clustering.benchmark.ElectionStats.SETTLE_TIMEOUT;

/**
 * The leadership scenario (see the README): three nodes, static topology, keep-majority; over
 * {@code --runs} runs each, (a) a kill, (b) a graceful stop, (c) a freeze and (c2) a pause of the
 * leader, timed to the new leader and, after a thaw, to the old leader knowing it lost; then (d) a
 * singleton's failover after its node's crash and (e) its takeover by the restarted node. Each run
 * waits for the cluster to be whole, to agree on one leader, and for the node that would claim next
 * to be past the engine's start-up lease (a new process neither stands for election nor votes).
 */
final class LeadershipScenario {

	static final double GOAL_ELECTION_P50_MS = 100;

	static final double GOAL_THAW_MS = 200;

	static final double GOAL_FAILOVER_EXTRA_MS = 300;

	static final double GOAL_TAKEOVER_GAP_MS = 200;

	static final String SINGLETON = "bench-singleton";

	private static final long SETTLE_MARGIN_NANOS = 200_000_000L;

	private final BenchmarkOptions options;

	private final HiccupMonitor hiccups;

	private final Random jitter = new Random(11);

	/** How long a node that just started waits before it may claim (the engine's pause grace). */
	private final long graceNanos;

	private final Result r = new Result();

	LeadershipScenario(BenchmarkOptions options, FailureDetectorSettings detector, HiccupMonitor hiccups) {
		this.options = options;
		this.hiccups = hiccups;
		this.graceNanos = detector.heartbeatInterval().toNanos() + detector.acceptableHeartbeatPause().toNanos();
	}

	Result run() throws InterruptedException {
		long start = System.nanoTime();
		this.hiccups.takeWorstMillis();
		try (LoopbackCluster cluster = cluster(false)) {
			progress("leadership: starting 3 nodes");
			cluster.start(); // in order: n1 is the oldest
			long t0 = System.nanoTime();
			if (awaitSettled(cluster) == null) {
				this.r.problems.add("the 3 nodes did not form and agree on a leader within "
						+ Format.duration(SETTLE_TIMEOUT));
				return this.r;
			}
			this.r.firstLeaderMillis = (System.nanoTime() - t0) / 1e6;
			runElections(cluster, this.r.kill, "kill");
			runElections(cluster, this.r.stop, "stop");
			runFreezes(cluster, this.r.freeze, false, this.options.runs);
			runFreezes(cluster, this.r.pause, true, this.options.pauseRuns);
		}
		try (LoopbackCluster cluster = cluster(true)) {
			progress("singleton: starting 3 nodes, singleton on [[n1],[n2,n3]], failover-timeout "
					+ Format.duration(this.options.failoverTimeout) + ", takeover-delay "
					+ Format.duration(this.options.takeoverDelay));
			cluster.start();
			runSingleton(cluster, cluster.singletonRecord(SINGLETON));
		}
		this.r.worstHiccup = this.hiccups.takeWorstMillis();
		this.r.seconds = (System.nanoTime() - start) / 1e9;
		return this.r;
	}

	/**
	 * Nodes n1..n3, static topology with the run's poll interval; with a singleton, every node declares
	 * and hosts one that records its starts and stops.
	 */
	private LoopbackCluster cluster(boolean singleton) {
		LoopbackClusterBuilder builder = ClusterBenchmark.nodes(this.options, List.of("n1", "n2", "n3"));
		if (singleton) {
			builder.singletonSpec(new SingletonSpec(SINGLETON, List.of(List.of("n1"), List.of("n2", "n3")),
					this.options.failoverTimeout, true, this.options.takeoverDelay))
				.recordedSingleton(SINGLETON);
		}
		return builder.build();
	}

	/** The node the engine would let claim if {@code leader} went away: the oldest of the others. */
	private static String oldestOther(LoopbackCluster cluster, String leader) {
		return cluster.others(leader).stream().min(Comparator.comparingLong(cluster::startedAt)).orElseThrow();
	}

	// ---------------------------------------------------------------------------------------------
	// (a), (b): kill and graceful stop of the leader

	private void runElections(LoopbackCluster c, ElectionStats s, String kind) throws InterruptedException {
		for (int run = 1; run <= this.options.runs; run++) {
			LeaderInfo before = awaitSettled(c);
			if (before == null) {
				this.r.problems.add(kind + " " + run + ": the cluster did not settle on one leader within "
						+ Format.duration(SETTLE_TIMEOUT) + "; stopped");
				return;
			}
			Thread.sleep(this.options.gap.toMillis());
			String victim = LoopbackCluster.shortName(before.name());
			String expected = oldestOther(c, victim);
			int mark = c.mark();
			long t0 = System.nanoTime();
			if (kind.equals("kill")) {
				c.kill(victim);
			}
			else {
				c.stop(victim);
				s.closeMillis.add((System.nanoTime() - t0) / 1e6);
			}
			Election e = ElectionStats.awaitElection(c, victim, mark, t0, this.options.detectTimeout, null);
			s.record(e, before, expected, t0);
			c.restart(victim);
			progress(String.format(Locale.ROOT, "leadership: %s %d/%d of leader %s: %s", kind, run, this.options.runs,
					before.name(), s.last));
		}
	}

	// ---------------------------------------------------------------------------------------------
	// (c): freeze of the leader (links cut), then thaw; or pause of the leader (event loop stalled),
	// then resume

	private void runFreezes(LoopbackCluster c, FreezeStats f, boolean stall, int runs) throws InterruptedException {
		String kind = stall ? "pause" : "freeze";
		for (int run = 1; run <= runs; run++) {
			LeaderInfo before = awaitSettled(c);
			if (before == null) {
				this.r.problems.add(kind + " " + run + ": the cluster did not settle on one leader within "
						+ Format.duration(SETTLE_TIMEOUT) + "; stopped");
				return;
			}
			ClusterBenchmark.pause(this.options, this.jitter);
			String victim = LoopbackCluster.shortName(before.name());
			String expected = oldestOther(c, victim);
			ClusterNode node = c.node(victim);
			int mark = c.mark();
			long t0;
			EventLoopPause.Hold hold = null;
			if (stall) {
				try {
					hold = c.hold(victim);
				}
				catch (IllegalStateException ex) {
					this.r.problems.add("pause " + run + ": the event loop of " + before.name() + " did not block; stopped");
					return;
				}
				t0 = hold.stalledAt();
			}
			else {
				t0 = System.nanoTime();
				c.isolate(victim);
			}
			Election e = ElectionStats.awaitElection(c, victim, mark, t0, this.options.detectTimeout, null);
			f.election.record(e, before, expected, t0);
			boolean leaderAtThaw = node.leadership().isLeader();
			long thawAt;
			if (stall) {
				thawAt = hold.release();
			}
			else {
				thawAt = System.nanoTime();
				c.heal();
			}
			// watch the thawed node: when does it stop believing it leads, do all three agree on one leader
			long[] notLeaderAt = { leaderAtThaw ? 0 : thawAt };
			LeaderInfo[] agreed = new LeaderInfo[1];
			Duration window = Duration.ofNanos(thawAt + this.options.thawWindow.toNanos() - System.nanoTime());
			LoopbackCluster.within(window, () -> {
				if (notLeaderAt[0] == 0 && !node.leadership().isLeader()) {
					notLeaderAt[0] = System.nanoTime();
				}
				agreed[0] = c.agreedLeader(c.names()).orElse(null);
				return agreed[0] != null;
			});
			long agreedAt = System.nanoTime();
			Thread.sleep(100); // let late events arrive before reading them
			FreezeRun fr = new FreezeRun();
			fr.thawWord = stall ? "resume" : "thaw";
			fr.victim = before.name();
			fr.newLeader = (e != null) ? e.leader().name() : null;
			fr.newToken = (e != null) ? e.leader().fencingToken() : 0;
			fr.leaderAtThaw = leaderAtThaw;
			fr.thawToNotLeaderMs = (notLeaderAt[0] != 0) ? (notLeaderAt[0] - thawAt) / 1e6 : Double.POSITIVE_INFINITY;
			fr.thawToAgreedMs = (agreed[0] != null) ? (agreedAt - thawAt) / 1e6 : Double.POSITIVE_INFINITY;
			fr.agreedLeader = (agreed[0] != null) ? agreed[0].name() : null;
			fr.leadsAtEnd = node.leadership().isLeader();
			fr.tokenAtEnd = node.leadership().fencingToken();
			for (RecordedEvent rec : c.since(mark)) {
				if (rec.node().equals(victim)) {
					fr.note(rec, t0, thawAt, stall);
				}
			}
			f.runs.add(fr);
			progress(String.format(Locale.ROOT, "leadership: %s %d/%d of leader %s: %s; after the %s: %s", kind, run,
					runs, before.name(), f.election.last, fr.thawWord, fr.describe()));
			// a new process for the victim, whatever state it ended in
			c.kill(victim);
			c.restart(victim);
		}
	}

	// ---------------------------------------------------------------------------------------------
	// (d), (e): singleton failover after a crash, then takeover by the restarted node

	private void runSingleton(LoopbackCluster c, SingletonRecord log) throws InterruptedException {
		SingletonStats s = this.r.singleton;
		long timeoutNanos = this.options.failoverTimeout.toNanos();
		String home = "n1"; // the first priority group
		long t0 = System.nanoTime();
		if (!awaitSingletonSettled(c, log, home)) {
			this.r.problems.add("singleton: not running on n1 with all three nodes agreeing within "
					+ Format.duration(SETTLE_TIMEOUT));
			return;
		}
		s.firstStartMillis = (System.nanoTime() - t0) / 1e6;
		for (int run = 1; run <= this.options.runs; run++) {
			if (run > 1 && !awaitSingletonSettled(c, log, home)) {
				this.r.problems.add("singleton " + run + ": not back on n1 with all nodes agreeing within "
						+ Format.duration(SETTLE_TIMEOUT) + "; stopped");
				return;
			}
			Thread.sleep(this.options.gap.toMillis() + this.jitter.nextInt(100));
			boolean runnerLeads = c.node(home).leadership().isLeader();
			int mark = log.runs().size();
			long haltAt = System.nanoTime();
			c.kill(home);
			Run failover = awaitStart(log, mark, (e) -> !e.node().equals(home),
					timeoutNanos + this.options.detectTimeout.toNanos());
			s.runs++;
			if (runnerLeads) {
				s.runnerWasLeader++;
			}
			String failoverText;
			if (failover == null) {
				s.failoverMissing++;
				failoverText = "no failover within " + Format.ms((timeoutNanos + this.options.detectTimeout.toNanos()) / 1e6);
			}
			else {
				double extra = (failover.nanos() - haltAt - timeoutNanos) / 1e6;
				s.failoverExtra.add(extra);
				s.failoverTypes.merge(failover.type(), 1, Integer::sum);
				failoverText = String.format(Locale.ROOT, "failover to %s (%s) timeout + %s", failover.node(),
						failover.type(), Format.ms(extra));
			}
			long restartAt = System.nanoTime();
			c.restart(home);
			Run takeover = awaitStart(log, mark, (e) -> e.node().equals(home),
					this.options.takeoverDelay.toNanos() + Duration.ofSeconds(15).toNanos());
			String takeoverText;
			if (takeover == null) {
				s.takeoverMissing++;
				takeoverText = "no takeover";
			}
			else {
				s.takeoverTypes.merge(takeover.type(), 1, Integer::sum);
				s.restartToTakeover.add((takeover.nanos() - restartAt) / 1e6);
				// the failover node's last stop before the takeover
				Run stop = log.since(mark).stream()
					.takeWhile((e) -> e != takeover && e.nanos() - takeover.nanos() <= 0)
					.filter((e) -> !e.start() && failover != null && e.node().equals(failover.node()))
					.reduce((first, last) -> last)
					.orElse(null);
				if (stop == null) {
					s.takeoverNoStop++;
					takeoverText = "takeover by " + home + " without a stop on "
							+ ((failover != null) ? failover.node() : "the runner");
				}
				else {
					double gap = (takeover.nanos() - stop.nanos()) / 1e6;
					s.takeoverGaps.add(gap);
					s.stopReasons.merge(stop.reason(), 1, Integer::sum);
					takeoverText = String.format(Locale.ROOT, "takeover by %s (%s) %s after stop (%s) returned on %s",
							home, takeover.type(), Format.ms(gap), stop.reason(), stop.node());
				}
			}
			long starts = log.since(mark).stream().filter(Run::start).count();
			if (starts != 2) {
				s.unexpectedStarts += Math.abs(starts - 2);
			}
			s.overlaps = log.overlaps();
			progress(String.format(Locale.ROOT, "singleton: run %d/%d (runner %s leader): %s; %s; overlaps so far %d",
					run, this.options.runs, runnerLeads ? "was" : "was not", failoverText, takeoverText, s.overlaps));
		}
		s.overlaps = log.overlaps();
	}

	private static boolean awaitSingletonSettled(LoopbackCluster c, SingletonRecord log, String home) {
		return LoopbackCluster.within(SETTLE_TIMEOUT, () -> c.whole() && c.agreedLeader(c.names()).isPresent()
				&& log.running().equals(Set.of(home)) && c.placement(SINGLETON).filter(home::equals).isPresent());
	}

	private static Run awaitStart(SingletonRecord log, int mark, Predicate<Run> which, long timeoutNanos) {
		Run[] found = new Run[1];
		LoopbackCluster.within(Duration.ofNanos(timeoutNanos), () -> {
			found[0] = log.since(mark).stream().filter((e) -> e.start() && which.test(e)).findFirst().orElse(null);
			return found[0] != null;
		});
		return found[0];
	}

	// ---------------------------------------------------------------------------------------------
	// waiting

	/**
	 * Waits until every node sees the others up and all agree on one leader, and the node that
	 * would claim next (the oldest other than the leader) is past its start-up grace.
	 */
	private LeaderInfo awaitSettled(LoopbackCluster c) throws InterruptedException {
		// every survivor must be past the lease after its start during which a new process promises
		// nothing (it cannot know what its previous incarnation promised): with three nodes, the new
		// leader needs the other survivor's vote
		return ElectionStats.awaitSettled(c, (leader) -> c.others(LoopbackCluster.shortName(leader.name())).stream()
			.allMatch((other) -> System.nanoTime() - c.startedAt(other) >= this.graceNanos + SETTLE_MARGIN_NANOS));
	}

	// ---------------------------------------------------------------------------------------------
	// results

	/** What one freeze of the leader showed about the frozen node after its thaw. */
	static final class FreezeRun {

		String thawWord = "thaw";

		String victim;

		String newLeader;

		long newToken;

		boolean leaderAtThaw;

		double revokedWhileFrozenMs = Double.NaN;

		RevocationReason revokedWhileFrozenReason;

		double revokedAfterThawMs = Double.NaN;

		RevocationReason revokedAfterThawReason;

		final List<String> revokes = new ArrayList<>();

		/** From the thaw until isLeader() was false (0 when it was already false); infinite if never. */
		double thawToNotLeaderMs;

		/** From the thaw until all three nodes agreed on one leader; infinite if not within the window. */
		double thawToAgreedMs;

		String agreedLeader;

		/** The frozen node's LeaderElectedEvent for the survivors' leader after the thaw. */
		double heardNewLeaderMs = Double.NaN;

		/** A token the frozen node claimed with after the thaw, or 0. */
		long reclaimedToken;

		boolean leadsAtEnd;

		long tokenAtEnd;

		/** Reads one event of the frozen (or paused) node itself; {@code t0} is the cut, {@code thawAt} the thaw. */
		void note(RecordedEvent rec, long t0, long thawAt, boolean stall) {
			if (rec.event() instanceof EngineEvent.LeadershipRevoked revoked) {
				double ms = (rec.nanos() - thawAt) / 1e6;
				this.revokes.add(revoked.reason() + ((ms < 0)
						? " " + Format.ms((rec.nanos() - t0) / 1e6) + " after the " + (stall ? "pause" : "cut")
						: " " + Format.ms(ms) + " after the " + this.thawWord));
				if (ms < 0) {
					this.revokedWhileFrozenMs = (rec.nanos() - t0) / 1e6;
					this.revokedWhileFrozenReason = revoked.reason();
				}
				else if (Double.isNaN(this.revokedAfterThawMs)) {
					this.revokedAfterThawMs = ms;
					this.revokedAfterThawReason = revoked.reason();
				}
			}
			else if (rec.event() instanceof EngineEvent.LeaderElected elected && rec.nanos() - thawAt >= 0) {
				if (elected.leader().equals(this.victim)) {
					this.reclaimedToken = elected.fencingToken();
				}
				else if (this.newLeader != null && elected.leader().equals(this.newLeader)
						&& Double.isNaN(this.heardNewLeaderMs)) {
					this.heardNewLeaderMs = (rec.nanos() - thawAt) / 1e6;
				}
			}
		}

		boolean stale() {
			return this.newLeader != null && this.tokenAtEnd < this.newToken;
		}

		String describe() {
			List<String> parts = new ArrayList<>();
			parts.add((this.leaderAtThaw ? "still leading at the " : "not leading at the ") + this.thawWord);
			if (!this.revokes.isEmpty()) {
				parts.add("revoked: " + String.join(", ", this.revokes));
			}
			if (this.leaderAtThaw) {
				parts.add("isLeader() false " + (Double.isInfinite(this.thawToNotLeaderMs) ? "NEVER in the window"
						: "after " + Format.ms(this.thawToNotLeaderMs)));
			}
			if (!Double.isNaN(this.heardNewLeaderMs)) {
				parts.add("heard the new leader after " + Format.ms(this.heardNewLeaderMs));
			}
			if (this.reclaimedToken > 0) {
				parts.add("CLAIMED AGAIN with token " + this.reclaimedToken
						+ ((this.reclaimedToken > this.newToken) ? " > the new leader's " : " <= the new leader's ")
						+ this.newToken);
			}
			parts.add((this.agreedLeader != null)
					? "all agree on " + this.agreedLeader + " after " + Format.ms(this.thawToAgreedMs)
					: "NO agreement within the window");
			parts.add("token at the end " + this.tokenAtEnd + (stale() ? " < " : " >= ") + this.newToken
					+ (stale() ? " (stale)" : " (NOT stale)"));
			return String.join("; ", parts);
		}

	}

	static final class FreezeStats {

		final ElectionStats election = new ElectionStats();

		final List<FreezeRun> runs = new ArrayList<>();

	}

	static final class SingletonStats {

		int runs;

		int runnerWasLeader;

		double firstStartMillis = Double.NaN;

		/** Failover: from halt to start() on the new node, minus the failover-timeout. */
		final List<Double> failoverExtra = new ArrayList<>();

		final Map<StartType, Integer> failoverTypes = new EnumMap<>(StartType.class);

		int failoverMissing;

		/** Takeover: from stop() returning on the old node to start() on the restarted one. */
		final List<Double> takeoverGaps = new ArrayList<>();

		final List<Double> restartToTakeover = new ArrayList<>();

		final Map<StartType, Integer> takeoverTypes = new EnumMap<>(StartType.class);

		final Map<StopReason, Integer> stopReasons = new EnumMap<>(StopReason.class);

		int takeoverMissing;

		int takeoverNoStop;

		long unexpectedStarts;

		int overlaps;

	}

	static final class Result {

		double firstLeaderMillis = Double.NaN;

		final ElectionStats kill = new ElectionStats();

		final ElectionStats stop = new ElectionStats();

		final FreezeStats freeze = new FreezeStats();

		final FreezeStats pause = new FreezeStats();

		final SingletonStats singleton = new SingletonStats();

		final List<String> problems = new ArrayList<>();

		double worstHiccup = Double.NaN;

		double seconds = Double.NaN;

	}

	// ---------------------------------------------------------------------------------------------
	// printing

	static void print(Result r, BenchmarkOptions options) {
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
		for (String problem : r.problems) {
			System.out.println("  PROBLEM: " + problem);
		}
		System.out.flush();
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
