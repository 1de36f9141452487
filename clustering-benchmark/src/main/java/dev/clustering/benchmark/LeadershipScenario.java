package dev.clustering.benchmark;

import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.Set;
import java.util.function.Predicate;

import dev.clustering.benchmark.ElectionStats.Election;
import dev.clustering.benchmark.LeadershipResult.FreezeRun;
import dev.clustering.benchmark.LeadershipResult.FreezeStats;
import dev.clustering.benchmark.LeadershipResult.SingletonStats;
import dev.clustering.detection.FailureDetectorSettings;
import dev.clustering.leadership.LeaderInfo;
import dev.clustering.node.ClusterNode;
import dev.clustering.node.EventLoopPause;
import dev.clustering.singleton.SingletonSpec;
import dev.clustering.test.LoopbackCluster;
import dev.clustering.test.LoopbackClusterBuilder;
import dev.clustering.test.RecordedEvent;
import dev.clustering.test.SingletonRecord;
import dev.clustering.test.SingletonRecord.Run;

import static dev.clustering.benchmark.ClusterBenchmark.progress;
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

	static final String SINGLETON = "bench-singleton";

	private static final long SETTLE_MARGIN_NANOS = 200_000_000L;

	private final BenchmarkOptions options;

	private final HiccupMonitor hiccups;

	private final Random jitter = new Random(11);

	/** How long a node that just started waits before it may claim (the engine's pause grace). */
	private final long graceNanos;

	private final LeadershipResult r = new LeadershipResult();

	LeadershipScenario(BenchmarkOptions options, FailureDetectorSettings detector, HiccupMonitor hiccups) {
		this.options = options;
		this.hiccups = hiccups;
		this.graceNanos = detector.heartbeatInterval().toNanos() + detector.acceptableHeartbeatPause().toNanos();
	}

	LeadershipResult run() throws InterruptedException {
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
				this.r.problems.add(ElectionStats.unsettled(kind + " " + run));
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
				this.r.problems.add(ElectionStats.unsettled(kind + " " + run));
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

}
