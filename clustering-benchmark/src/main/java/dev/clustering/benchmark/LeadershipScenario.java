package dev.clustering.benchmark;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.function.Predicate;
import java.util.stream.Collectors;

import dev.clustering.detection.FailureDetectorSettings;
import dev.clustering.leadership.LeaderInfo;
import dev.clustering.leadership.RevocationReason;
import dev.clustering.node.EngineEvent;
import dev.clustering.singleton.SingletonInfo;
import dev.clustering.singleton.SingletonSpec;
import dev.clustering.singleton.SingletonState;
import dev.clustering.singleton.StartType;
import dev.clustering.singleton.StopReason;

import static dev.clustering.benchmark.ClusterBenchmark.header;
import static dev.clustering.benchmark.ClusterBenchmark.progress;
import static dev.clustering.benchmark.ClusterBenchmark.row;

/**
 * The leadership scenario: three nodes in this JVM (static topology, keep-majority, the failure
 * detector settings of the run), and, each over {@code --runs} runs:
 * <ol type="a">
 * <li>the leader is crashed ({@code halt()}): time to a new leader;</li>
 * <li>the leader stops gracefully ({@code close()}): time to a new leader;</li>
 * <li>the leader is frozen (all its links cut): time to a new leader on the survivors, then, once
 * it is thawed, whether and when it learns it no longer leads, and whether its token is stale;</li>
 * <li>the node running a singleton is crashed: failover delay beyond the failover-timeout;</li>
 * <li>that node is restarted and takes the singleton back: the gap between stop() returning on the
 * old node and start() on the new one, and any start while another instance runs.</li>
 * </ol>
 * The victim is restarted (new process, same name and port) after every run, and each run waits
 * for the cluster to be whole, to agree on one leader, and for every other node to be past the
 * engine's start-up lease (heartbeat + acceptable pause), during which a new process neither stands
 * for election nor votes: with three nodes the next leader needs the other survivor's vote, so a
 * survivor restarted moments before would hold the election back by up to that lease.
 */
final class LeadershipScenario {

	static final double GOAL_ELECTION_P50_MS = 100;

	static final double GOAL_THAW_MS = 200;

	static final double GOAL_FAILOVER_EXTRA_MS = 300;

	static final double GOAL_TAKEOVER_GAP_MS = 200;

	private static final int NODES = 3;

	private static final Duration SETTLE_TIMEOUT = Duration.ofSeconds(30);

	private static final long SETTLE_MARGIN_NANOS = 200_000_000L;

	private final BenchmarkOptions options;

	private final FailureDetectorSettings detector;

	private final HiccupMonitor hiccups;

	private final Random jitter = new Random(11);

	/** How long a node that just started waits before it may claim (the engine's pause grace). */
	private final long graceNanos;

	private final Result r = new Result();

	LeadershipScenario(BenchmarkOptions options, FailureDetectorSettings detector, HiccupMonitor hiccups) {
		this.options = options;
		this.detector = detector;
		this.hiccups = hiccups;
		this.graceNanos = detector.heartbeatInterval().toNanos() + detector.acceptableHeartbeatPause().toNanos();
	}

	Result run() throws InterruptedException {
		long start = System.nanoTime();
		this.hiccups.takeWorstMillis();
		try (LeaderCluster cluster = new LeaderCluster(NODES, this.detector, this.options.pollInterval, null)) {
			progress("leadership: starting 3 nodes");
			cluster.startAll();
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
		SingletonSpec spec = new SingletonSpec(LeaderCluster.SINGLETON, List.of(List.of("n1"), List.of("n2", "n3")),
				this.options.failoverTimeout, true, this.options.takeoverDelay);
		try (LeaderCluster cluster = new LeaderCluster(NODES, this.detector, this.options.pollInterval, spec)) {
			progress("singleton: starting 3 nodes, singleton on [[n1],[n2,n3]], failover-timeout "
					+ Format.duration(this.options.failoverTimeout) + ", takeover-delay "
					+ Format.duration(this.options.takeoverDelay));
			cluster.startAll();
			runSingleton(cluster);
		}
		this.r.worstHiccup = this.hiccups.takeWorstMillis();
		this.r.seconds = (System.nanoTime() - start) / 1e9;
		return this.r;
	}

	// ---------------------------------------------------------------------------------------------
	// (a), (b): kill and graceful stop of the leader

	private void runElections(LeaderCluster c, ElectionStats s, String kind) throws InterruptedException {
		for (int run = 1; run <= this.options.runs; run++) {
			LeaderInfo before = awaitSettled(c);
			if (before == null) {
				this.r.problems.add(kind + " " + run + ": the cluster did not settle on one leader within "
						+ Format.duration(SETTLE_TIMEOUT) + "; stopped");
				return;
			}
			Thread.sleep(this.options.gap.toMillis());
			int victim = c.index(before.name());
			int expected = c.oldestOther(victim);
			List<Integer> survivors = c.others(victim);
			int mark = c.mark();
			long t0;
			if (kind.equals("kill")) {
				t0 = c.halt(victim);
			}
			else {
				t0 = System.nanoTime();
				c.node(victim).close();
				s.closeMillis.add((System.nanoTime() - t0) / 1e6);
			}
			Election e = awaitElection(c, victim, survivors, mark, t0, this.options.detectTimeout);
			s.record(c, e, before, expected, t0);
			c.restart(victim);
			progress(String.format(Locale.ROOT, "leadership: %s %d/%d of leader %s: %s", kind, run, this.options.runs,
					c.fullName(victim), s.describeLast(c)));
		}
	}

	// ---------------------------------------------------------------------------------------------
	// (c): freeze of the leader (links cut), then thaw; or pause of the leader (event loop stalled),
	// then resume

	private void runFreezes(LeaderCluster c, FreezeStats f, boolean stall, int runs) throws InterruptedException {
		String kind = stall ? "pause" : "freeze";
		for (int run = 1; run <= runs; run++) {
			LeaderInfo before = awaitSettled(c);
			if (before == null) {
				this.r.problems.add(kind + " " + run + ": the cluster did not settle on one leader within "
						+ Format.duration(SETTLE_TIMEOUT) + "; stopped");
				return;
			}
			pause();
			int victim = c.index(before.name());
			int expected = c.oldestOther(victim);
			List<Integer> survivors = c.others(victim);
			var node = c.node(victim);
			int generation = c.generation(victim);
			int mark = c.mark();
			long t0;
			if (stall) {
				t0 = c.pause(victim, this.detector.heartbeatInterval().multipliedBy(3));
				if (t0 == 0) {
					this.r.problems.add("pause " + run + ": the event loop of " + c.fullName(victim)
							+ " did not block; stopped");
					return;
				}
			}
			else {
				t0 = c.freeze(victim);
			}
			Election e = awaitElection(c, victim, survivors, mark, t0, this.options.detectTimeout);
			f.election.record(c, e, before, expected, t0);
			boolean leaderAtThaw = node.leadership().isLeader();
			long thawAt = stall ? c.resume(victim) : c.thaw(victim);
			// watch the thawed node: when does it stop believing it leads, do all three agree on one leader
			long notLeaderAt = leaderAtThaw ? 0 : thawAt;
			long agreedAt = 0;
			LeaderInfo agreed = null;
			long windowEnd = thawAt + this.options.thawWindow.toNanos();
			while (System.nanoTime() - windowEnd < 0) {
				long now = System.nanoTime();
				if (notLeaderAt == 0 && !node.leadership().isLeader()) {
					notLeaderAt = now;
				}
				LeaderInfo a = c.agreedLeader();
				if (a != null) {
					agreedAt = now;
					agreed = a;
					break;
				}
				Thread.sleep(1);
			}
			Thread.sleep(100); // let late events arrive before reading them
			boolean leadsAtEnd = node.leadership().isLeader();
			long tokenAtEnd = node.leadership().fencingToken();
			FreezeRun fr = new FreezeRun();
			fr.thawWord = stall ? "resume" : "thaw";
			fr.victim = c.fullName(victim);
			fr.oldToken = before.fencingToken();
			fr.newLeader = (e != null) ? e.leader.name() : null;
			fr.newToken = (e != null) ? e.leader.fencingToken() : 0;
			fr.leaderAtThaw = leaderAtThaw;
			fr.thawToNotLeaderMs = (notLeaderAt != 0) ? (notLeaderAt - thawAt) / 1e6 : Double.POSITIVE_INFINITY;
			fr.thawToAgreedMs = (agreed != null) ? (agreedAt - thawAt) / 1e6 : Double.POSITIVE_INFINITY;
			fr.agreedLeader = (agreed != null) ? agreed.name() : null;
			fr.leadsAtEnd = leadsAtEnd;
			fr.tokenAtEnd = tokenAtEnd;
			for (LeaderCluster.Rec rec : c.since(mark)) {
				if (rec.node() != victim || rec.generation() != generation) {
					continue;
				}
				if (rec.event() instanceof EngineEvent.LeadershipRevoked revoked) {
					double ms = (rec.nanos() - thawAt) / 1e6;
					fr.revokes.add(revoked.reason() + (ms < 0
							? " " + Format.ms((rec.nanos() - t0) / 1e6) + " after the " + (stall ? "pause" : "cut")
							: " " + Format.ms(ms) + " after the " + (stall ? "resume" : "thaw")));
					if (ms < 0) {
						fr.revokedWhileFrozenMs = (rec.nanos() - t0) / 1e6;
						fr.revokedWhileFrozenReason = revoked.reason();
					}
					else if (Double.isNaN(fr.revokedAfterThawMs)) {
						fr.revokedAfterThawMs = ms;
						fr.revokedAfterThawReason = revoked.reason();
					}
				}
				else if (rec.event() instanceof EngineEvent.LeaderElected elected && rec.nanos() - thawAt >= 0) {
					if (elected.leader().equals(c.fullName(victim))) {
						fr.reclaimedToken = elected.fencingToken();
					}
					else if (fr.newLeader != null && elected.leader().equals(fr.newLeader)
							&& Double.isNaN(fr.heardNewLeaderMs)) {
						fr.heardNewLeaderMs = (rec.nanos() - thawAt) / 1e6;
					}
				}
			}
			f.runs.add(fr);
			progress(String.format(Locale.ROOT, "leadership: %s %d/%d of leader %s: %s; after the %s: %s", kind, run,
					runs, c.fullName(victim), f.election.describeLast(c), stall ? "resume" : "thaw", fr.describe()));
			// a new process for the victim, whatever state it ended in
			c.halt(victim);
			c.restart(victim);
		}
	}

	// ---------------------------------------------------------------------------------------------
	// (d), (e): singleton failover after a crash, then takeover by the restarted node

	private void runSingleton(LeaderCluster c) throws InterruptedException {
		SingletonStats s = this.r.singleton;
		LeaderCluster.SingletonLog log = c.singletonLog;
		long timeoutNanos = this.options.failoverTimeout.toNanos();
		int home = 0; // n1, the first priority group
		long t0 = System.nanoTime();
		if (!awaitSingletonSettled(c, home)) {
			this.r.problems.add("singleton: not running on n1 with all three nodes agreeing within "
					+ Format.duration(SETTLE_TIMEOUT));
			return;
		}
		s.firstStartMillis = (System.nanoTime() - t0) / 1e6;
		for (int run = 1; run <= this.options.runs; run++) {
			if (run > 1 && !awaitSingletonSettled(c, home)) {
				this.r.problems.add("singleton " + run + ": not back on n1 with all nodes agreeing within "
						+ Format.duration(SETTLE_TIMEOUT) + "; stopped");
				return;
			}
			Thread.sleep(this.options.gap.toMillis() + this.jitter.nextInt(100));
			boolean runnerLeads = c.node(home).leadership().isLeader();
			int mark = log.mark();
			long haltAt = c.halt(home);
			LeaderCluster.SingletonLog.Entry failover = awaitStart(log, mark, (e) -> e.node() != home,
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
				if (!c.fullName(home).equals(failover.from())) {
					s.failoverWrongFrom++;
				}
				failoverText = String.format(Locale.ROOT, "failover to %s (%s) timeout + %s", c.fullName(failover.node()),
						failover.type(), Format.ms(extra));
			}
			long restartAt = System.nanoTime();
			c.restart(home);
			LeaderCluster.SingletonLog.Entry takeover = awaitStart(log, mark, (e) -> e.node() == home,
					this.options.takeoverDelay.toNanos() + Duration.ofSeconds(15).toNanos());
			String takeoverText;
			if (takeover == null) {
				s.takeoverMissing++;
				takeoverText = "no takeover";
			}
			else {
				s.takeoverTypes.merge(takeover.type(), 1, Integer::sum);
				s.restartToTakeover.add((takeover.nanos() - restartAt) / 1e6);
				LeaderCluster.SingletonLog.Entry stop = null;
				for (LeaderCluster.SingletonLog.Entry e : log.since(mark)) {
					if (e == takeover || e.nanos() - takeover.nanos() > 0) {
						break;
					}
					if (!e.start() && failover != null && e.node() == failover.node()) {
						stop = e;
					}
				}
				if (stop == null) {
					s.takeoverNoStop++;
					takeoverText = "takeover by " + c.fullName(home) + " without a stop on " + ((failover != null)
							? c.fullName(failover.node()) : "the runner");
				}
				else {
					double gap = (takeover.nanos() - stop.nanos()) / 1e6;
					s.takeoverGaps.add(gap);
					s.stopReasons.merge(stop.reason(), 1, Integer::sum);
					takeoverText = String.format(Locale.ROOT, "takeover by %s (%s) %s after stop (%s) returned on %s",
							c.fullName(home), takeover.type(), Format.ms(gap), stop.reason(), c.fullName(stop.node()));
				}
			}
			long starts = log.since(mark).stream().filter(LeaderCluster.SingletonLog.Entry::start).count();
			if (starts != 2) {
				s.unexpectedStarts += Math.abs(starts - 2);
			}
			s.overlaps = log.overlaps.get();
			progress(String.format(Locale.ROOT, "singleton: run %d/%d (runner %s leader): %s; %s; overlaps so far %d",
					run, this.options.runs, runnerLeads ? "was" : "was not", failoverText, takeoverText, s.overlaps));
		}
		s.overlaps = log.overlaps.get();
	}

	private boolean awaitSingletonSettled(LeaderCluster c, int home) throws InterruptedException {
		long deadline = System.nanoTime() + SETTLE_TIMEOUT.toNanos();
		while (System.nanoTime() - deadline < 0) {
			if (c.whole() && c.agreedLeader() != null && c.singletonLog.running.equals(Set.of(home))) {
				boolean agree = true;
				for (int i = 0; i < c.size && agree; i++) {
					SingletonInfo info = c.node(i).singletons().get(LeaderCluster.SINGLETON);
					agree = info != null && c.fullName(home).equals(info.node())
							&& info.state() == SingletonState.RUNNING;
				}
				if (agree) {
					return true;
				}
			}
			Thread.sleep(5);
		}
		return false;
	}

	private static LeaderCluster.SingletonLog.Entry awaitStart(LeaderCluster.SingletonLog log, int mark,
			Predicate<LeaderCluster.SingletonLog.Entry> which, long timeoutNanos)
			throws InterruptedException {
		long deadline = System.nanoTime() + timeoutNanos;
		while (true) {
			for (LeaderCluster.SingletonLog.Entry e : log.since(mark)) {
				if (e.start() && which.test(e)) {
					return e;
				}
			}
			if (System.nanoTime() - deadline > 0) {
				return null;
			}
			Thread.sleep(1);
		}
	}

	// ---------------------------------------------------------------------------------------------
	// waiting

	/**
	 * Waits until every node sees the others up and all agree on one leader, and the node that
	 * would claim next (the oldest other than the leader) is past its start-up grace.
	 */
	private LeaderInfo awaitSettled(LeaderCluster c) throws InterruptedException {
		long deadline = System.nanoTime() + SETTLE_TIMEOUT.toNanos();
		while (System.nanoTime() - deadline < 0) {
			if (c.whole()) {
				LeaderInfo leader = c.agreedLeader();
				if (leader != null) {
					// every survivor must be past the lease after its start during which a new process
					// promises nothing (it cannot know what its previous incarnation promised): with three
					// nodes, the new leader needs the other survivor's vote
					boolean settled = c.others(c.index(leader.name()))
						.stream()
						.allMatch((other) -> c.upNanos(other) >= this.graceNanos + SETTLE_MARGIN_NANOS);
					if (settled) {
						return leader;
					}
				}
			}
			Thread.sleep(5);
		}
		return null;
	}

	/**
	 * Waits until the survivors agree on a leader other than the victim and each of them has
	 * received the {@link EngineEvent.LeaderElected} for it.
	 * @return the election, or {@code null} if that did not happen within the timeout
	 */
	private static Election awaitElection(LeaderCluster c, int victim, List<Integer> survivors, int mark, long t0,
			Duration timeout) throws InterruptedException {
		long deadline = t0 + timeout.toNanos();
		while (true) {
			LeaderInfo agreed = c.agreedLeader(survivors);
			if (agreed != null && !agreed.name().equals(c.fullName(victim))) {
				Map<Integer, Long> at = new HashMap<>();
				int others = 0;
				for (LeaderCluster.Rec rec : c.since(mark)) {
					if (rec.event() instanceof EngineEvent.LeaderElected e && survivors.contains(rec.node())
							&& rec.generation() == c.generation(rec.node())) {
						if (e.leader().equals(agreed.name()) && e.fencingToken() == agreed.fencingToken()) {
							at.putIfAbsent(rec.node(), rec.nanos());
						}
						else {
							others++;
						}
					}
				}
				if (at.size() == survivors.size()) {
					return new Election(agreed, at, others);
				}
			}
			if (System.nanoTime() - deadline > 0) {
				return null;
			}
			Thread.sleep(1);
		}
	}

	/** The gap before a freeze plus a random part of one heartbeat interval. */
	private void pause() throws InterruptedException {
		long jitterNanos = (long) (this.jitter.nextDouble() * this.detector.heartbeatInterval().toNanos());
		Thread.sleep(this.options.gap.toMillis() + jitterNanos / 1_000_000);
	}

	// ---------------------------------------------------------------------------------------------
	// results

	private record Election(LeaderInfo leader, Map<Integer, Long> electedAt, int otherEvents) {
	}

	/** New-leader times over the runs of one kind (kill, stop or freeze). */
	static final class ElectionStats {

		int runs;

		/** From the fault to the new leader's own LeaderElectedEvent. */
		final List<Double> own = new ArrayList<>();

		/** From the fault to the moment every survivor has it (the slowest survivor). */
		final List<Double> all = new ArrayList<>();

		int missing;

		int notExpected;

		int tokenNotLarger;

		int otherEvents;

		final List<Double> closeMillis = new ArrayList<>();

		private String last = "";

		void record(LeaderCluster c, Election e, LeaderInfo before, int expected, long t0) {
			this.runs++;
			if (e == null) {
				this.missing++;
				this.own.add(Double.POSITIVE_INFINITY);
				this.all.add(Double.POSITIVE_INFINITY);
				this.last = "NO new leader agreed by the survivors within the timeout";
				return;
			}
			int leader = c.index(e.leader.name());
			double ownMs = (e.electedAt.get(leader) - t0) / 1e6;
			double allMs = (Collections.max(e.electedAt.values()) - t0) / 1e6;
			this.own.add(ownMs);
			this.all.add(allMs);
			if (leader != expected) {
				this.notExpected++;
			}
			if (e.leader.fencingToken() <= before.fencingToken()) {
				this.tokenNotLarger++;
			}
			this.otherEvents += e.otherEvents;
			this.last = String.format(Locale.ROOT, "new leader %s%s after %s, every survivor after %s%s", e.leader.name(),
					(leader != expected) ? " (NOT the oldest survivor)" : "", Format.ms(ownMs), Format.ms(allMs),
					(e.otherEvents > 0) ? ", " + e.otherEvents + " other leader events" : "");
		}

		String describeLast(LeaderCluster c) {
			return this.last;
		}

	}

	/** What one freeze of the leader showed about the frozen node after its thaw. */
	static final class FreezeRun {

		String thawWord = "thaw";

		String victim;

		long oldToken;

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

		int failoverWrongFrom;

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
		row("    close() of the leader returned after p50 / max", pairMax(close), "", null);
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
		double[] own = Format.sorted(s.own);
		double[] all = Format.sorted(s.all);
		row(title + ": " + s.runs + " runs", "", "", null);
		row("    new leader's own LeaderElectedEvent p50 / p99", pair(own), goal ? "p50 < 100 ms" : "",
				goal ? verdict(Format.percentile(own, 50), GOAL_ELECTION_P50_MS) : null);
		row("    every survivor has it p50 / p99", pair(all), goal ? "p50 < 100 ms" : "",
				goal ? verdict(Format.percentile(all, 50), GOAL_ELECTION_P50_MS) : null);
		row("    max (every survivor)", Format.ms(Format.max(all)), "", null);
		row("    runs without a new leader (timeout)", String.valueOf(s.missing), "0", (s.runs > 0) ? s.missing == 0 : null);
		row("    new leader not the oldest survivor", String.valueOf(s.notExpected), "0",
				(s.runs > 0) ? s.notExpected == 0 : null);
		row("    new token not larger than the old", String.valueOf(s.tokenNotLarger), "0",
				(s.runs > 0) ? s.tokenNotLarger == 0 : null);
		row("    other LeaderElectedEvents on survivors", String.valueOf(s.otherEvents), "0", null);
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
		row("      ... after the " + ((thaw.equals("thaw")) ? "cut" : "pause") + " p50 / max", pairMax(Format.sorted(whileFrozen)), "", null);
		long leadingAtThaw = runs.stream().filter((x) -> x.leaderAtThaw).count();
		row("    still leading at the " + thaw, leadingAtThaw + "/" + n, "", null);
		List<Double> toNotLeader = runs.stream().filter((x) -> x.leaderAtThaw).map((x) -> x.thawToNotLeaderMs).toList();
		row("      ... " + thaw + " -> isLeader() false p50 / p99", pair(Format.sorted(toNotLeader), window), "< 200 ms",
				toNotLeader.isEmpty() ? null : verdict(Format.max(Format.sorted(toNotLeader)), GOAL_THAW_MS));
		List<Double> revokedAfter = runs.stream().filter((x) -> !Double.isNaN(x.revokedAfterThawMs))
			.map((x) -> x.revokedAfterThawMs).toList();
		String afterReasons = runs.stream().filter((x) -> x.revokedAfterThawReason != null)
			.collect(Collectors.groupingBy((x) -> x.revokedAfterThawReason.name(), Collectors.counting()))
			.toString();
		row("      ... LeadershipRevokedEvent after the " + thaw, revokedAfter.size() + "/" + leadingAtThaw + " "
				+ afterReasons, "", null);
		row("      ... " + thaw + " -> revoked event p50 / p99", pair(Format.sorted(revokedAfter)), "< 200 ms", null);
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
		row("    halt -> start() elsewhere, minus " + Format.duration(options.failoverTimeout), pair(extra),
				"< 300 ms", extra.length == 0 ? null : verdict(Format.percentile(extra, 99), GOAL_FAILOVER_EXTRA_MS));
		row("    max", Format.ms(Format.max(extra)), "", null);
		row("    start types", s.failoverTypes.toString(), "FAILOVER", null);
		row("    runs where the killed node also led", String.valueOf(s.runnerWasLeader), "", null);
		row("    no failover within the timeout", String.valueOf(s.failoverMissing), "0",
				(s.runs > 0) ? s.failoverMissing == 0 : null);
		double[] gaps = Format.sorted(s.takeoverGaps);
		row("e takeover by the restarted n1: " + s.takeoverGaps.size() + " takeovers", "", "", null);
		row("    stop() returned -> start() on n1 p50 / p99", pair(gaps), "< 200 ms",
				gaps.length == 0 ? null : verdict(Format.percentile(gaps, 99), GOAL_TAKEOVER_GAP_MS));
		row("    max", Format.ms(Format.max(gaps)), "", null);
		row("    restart of n1 -> start() on n1 p50 / max", pairMax(Format.sorted(s.restartToTakeover)),
				"~" + Format.duration(options.takeoverDelay) + " delay", null);
		row("    start types / stop reasons", s.takeoverTypes + " / " + s.stopReasons, "TAKEOVER", null);
		row("    no takeover / no stop before it", s.takeoverMissing + " / " + s.takeoverNoStop, "0 / 0",
				(s.runs > 0) ? s.takeoverMissing == 0 && s.takeoverNoStop == 0 : null);
		row("    starts other than one failover + one takeover", String.valueOf(s.unexpectedStarts), "0",
				(s.runs > 0) ? s.unexpectedStarts == 0 : null);
		row("    overlaps (start while another one runs)", String.valueOf(s.overlaps), "0", s.overlaps == 0);
	}

	private static Boolean verdict(double value, double goal) {
		return Double.isNaN(value) ? null : value < goal;
	}

	private static String pair(double[] sorted) {
		return Format.ms(Format.percentile(sorted, 50)) + " / " + Format.ms(Format.percentile(sorted, 99));
	}

	/** p50 / p99 where an infinite value means "not within the window". */
	private static String pair(double[] sorted, Duration window) {
		return within(Format.percentile(sorted, 50), window) + " / " + within(Format.percentile(sorted, 99), window);
	}

	private static String within(double millis, Duration window) {
		return Double.isInfinite(millis) ? "> " + Format.duration(window) : Format.ms(millis);
	}

	private static String pairMax(double[] sorted) {
		return Format.ms(Format.percentile(sorted, 50)) + " / " + Format.ms(Format.max(sorted));
	}

}
