package dev.clustering.benchmark;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import dev.clustering.detection.FailureDetectorSettings;
import dev.clustering.leadership.LeaderInfo;
import dev.clustering.node.EngineEvent;

import static dev.clustering.benchmark.ClusterBenchmark.header;
import static dev.clustering.benchmark.ClusterBenchmark.progress;
import static dev.clustering.benchmark.ClusterBenchmark.row;

/**
 * The etcd scenario: a real etcd started for the run, three nodes on 127.0.0.1 with an {@code etcd}
 * topology (etcd's election decides who leads), and, each over {@code --runs} runs:
 * <ol type="a">
 * <li>the leader stops gracefully ({@code close()}): time to every survivor's LeaderElectedEvent for
 * the new leader;</li>
 * <li>the leader crashes (its etcd client closed, then {@code halt()}) and the survivors' engine
 * revokes its leases ({@code nodeCrashed}): the same;</li>
 * <li>the same crash with that revocation switched off: the new leader waits out the lease TTL;</li>
 * <li>a stopped node starts again: from its {@code start()} to the others' NodeJoinedEvent, and from
 * etcd's acknowledgement of its registration put to the others' strategy reporting it.</li>
 * </ol>
 * The victim is started again (same name and port) after every run, and each run waits until every
 * node sees the others up and all agree on one leader.
 */
final class EtcdScenario {

	static final int NODES = 3;

	static final double GOAL_GRACEFUL_P99_MS = 100;

	static final double GOAL_REVOKED_P99_MS = 1000;

	private static final Duration SETTLE_TIMEOUT = Duration.ofSeconds(30);

	private final BenchmarkOptions options;

	private final FailureDetectorSettings detector;

	private final HiccupMonitor hiccups;

	private final Result r = new Result();

	EtcdScenario(BenchmarkOptions options, FailureDetectorSettings detector, HiccupMonitor hiccups) {
		this.options = options;
		this.detector = detector;
		this.hiccups = hiccups;
	}

	/**
	 * Runs the scenario.
	 * @throws IOException if etcd is not installed or does not start
	 */
	Result run() throws IOException, InterruptedException {
		long start = System.nanoTime();
		this.hiccups.takeWorstMillis();
		progress("etcd: starting etcd");
		try (EtcdProcess etcd = EtcdProcess.start()) {
			this.r.etcd = etcd.toString();
			progress("etcd: " + etcd + "; starting " + NODES + " nodes, ttl " + Format.duration(this.options.etcdTtl));
			try (EtcdCluster cluster = new EtcdCluster(NODES, etcd, this.options.etcdTtl, this.detector)) {
				this.r.ttlSeconds = cluster.settings().ttlSeconds();
				long t0 = System.nanoTime();
				cluster.startAll();
				if (awaitSettled(cluster) == null) {
					this.r.problems.add("the " + NODES + " nodes did not form and agree on a leader within "
							+ Format.duration(SETTLE_TIMEOUT));
					return finish(start);
				}
				this.r.firstLeaderMillis = (System.nanoTime() - t0) / 1e6;
				// warm-up: one graceful stop, one crash with revocation, one rejoin (not counted)
				progress("etcd: warm-up");
				Stats warm = new Stats();
				runElections(cluster, warm, "warm-up stop", 1, false, true);
				runElections(cluster, warm, "warm-up crash", 1, true, true);
				runJoins(cluster, new JoinStats(), 1);
				runElections(cluster, this.r.graceful, "stop", this.options.runs, false, true);
				int forwarded = cluster.crashCallsForwarded.get();
				runElections(cluster, this.r.revoked, "crash+revoke", this.options.runs, true, true);
				this.r.crashCallsForwarded = cluster.crashCallsForwarded.get() - forwarded;
				int dropped = cluster.crashCallsDropped.get();
				runElections(cluster, this.r.ttl, "crash, TTL alone", this.options.runs, true, false);
				this.r.crashCallsDropped = cluster.crashCallsDropped.get() - dropped;
				cluster.revoke = true;
				runJoins(cluster, this.r.joins, this.options.runs);
			}
		}
		return finish(start);
	}

	private Result finish(long start) {
		this.r.worstHiccup = this.hiccups.takeWorstMillis();
		this.r.seconds = (System.nanoTime() - start) / 1e9;
		return this.r;
	}

	private Duration electionTimeout() {
		Duration ttlBound = this.options.etcdTtl.multipliedBy(3).plusSeconds(2);
		return (ttlBound.compareTo(this.options.detectTimeout) > 0) ? ttlBound : this.options.detectTimeout;
	}

	// ---------------------------------------------------------------------------------------------
	// (a), (b), (c): the leader stops or crashes

	private void runElections(EtcdCluster c, Stats s, String kind, int runs, boolean crash, boolean revoke)
			throws InterruptedException {
		Duration timeout = electionTimeout();
		for (int run = 1; run <= runs; run++) {
			LeaderInfo before = awaitSettled(c);
			if (before == null) {
				this.r.problems.add(kind + " " + run + ": the cluster did not settle on one leader within "
						+ Format.duration(SETTLE_TIMEOUT) + "; stopped");
				return;
			}
			Thread.sleep(this.options.gap.toMillis());
			c.revoke = revoke;
			int victim = c.index(before.name());
			List<Integer> survivors = c.others(victim);
			int mark = c.mark();
			long t0;
			if (crash) {
				t0 = c.crash(victim);
			}
			else {
				t0 = System.nanoTime();
				c.stop(victim);
				s.closeMillis.add((System.nanoTime() - t0) / 1e6);
			}
			// every survivor's LeaderElectedEvent for one new leader (not the victim)
			String newLeader = null;
			long newToken = 0;
			Map<Integer, Long> heard = new HashMap<>();
			int others = 0;
			long deadline = t0 + timeout.toNanos();
			int read = mark;
			while (System.nanoTime() - deadline < 0 && heard.size() < survivors.size()) {
				List<EtcdCluster.Rec> recs = c.since(read);
				read += recs.size();
				for (EtcdCluster.Rec rec : recs) {
					if (!(rec.what() instanceof EngineEvent.LeaderElected e) || rec.node() == victim) {
						continue;
					}
					if (e.leader().equals(before.name())) {
						continue; // a late echo of the old leader
					}
					if (newLeader == null) {
						newLeader = e.leader();
						newToken = e.fencingToken();
					}
					if (e.leader().equals(newLeader) && e.fencingToken() == newToken) {
						heard.putIfAbsent(rec.node(), rec.nanos());
					}
					else {
						others++;
					}
				}
				Thread.sleep(1);
			}
			s.runs++;
			s.otherEvents += others;
			String outcome;
			if (heard.size() < survivors.size()) {
				s.missing++;
				s.all.add(Double.POSITIVE_INFINITY);
				s.own.add(Double.POSITIVE_INFINITY);
				outcome = "no new leader heard by every survivor within " + Format.duration(timeout)
						+ " (heard by " + heard.size() + ")";
			}
			else {
				long last = heard.values().stream().mapToLong(Long::longValue).max().orElse(t0);
				double all = (last - t0) / 1e6;
				int leaderIndex = c.index(newLeader);
				Long own = heard.get(leaderIndex);
				s.all.add(all);
				s.own.add((own != null) ? (own - t0) / 1e6 : Double.NaN);
				if (newToken <= before.fencingToken()) {
					s.tokenNotLarger++;
				}
				outcome = String.format(Locale.ROOT, "new leader %s (token %d -> %d), own event after %s, every survivor after %s",
						newLeader, before.fencingToken(), newToken, Format.ms((own != null) ? (own - t0) / 1e6 : Double.NaN),
						Format.ms(all));
			}
			c.revoke = true;
			c.start(victim);
			progress(String.format(Locale.ROOT, "etcd: %s %d/%d of leader %s: %s", kind, run, runs, before.name(),
					outcome));
		}
	}

	// ---------------------------------------------------------------------------------------------
	// (d): a stopped node starts again and registers

	private void runJoins(EtcdCluster c, JoinStats s, int runs) throws InterruptedException {
		for (int run = 1; run <= runs; run++) {
			LeaderInfo before = awaitSettled(c);
			if (before == null) {
				this.r.problems.add("join " + run + ": the cluster did not settle on one leader within "
						+ Format.duration(SETTLE_TIMEOUT) + "; stopped");
				return;
			}
			// a node that does not lead, so no election mixes in
			int leader = c.index(before.name());
			int victim = (leader + 1 + (run % (NODES - 1))) % NODES;
			List<Integer> existing = c.others(victim);
			int from = c.mark();
			c.stop(victim);
			// wait until the others neither see it as a member nor have it in their discovered set
			long deadline = System.nanoTime() + SETTLE_TIMEOUT.toNanos();
			Map<Integer, Boolean> discoveredGone = new HashMap<>();
			boolean gone = false;
			while (System.nanoTime() - deadline < 0) {
				for (EtcdCluster.Rec rec : c.since(from)) {
					if (rec.what() instanceof EtcdCluster.Discovered d && existing.contains(rec.node())) {
						discoveredGone.put(rec.node(), !d.addresses().contains(c.address(victim)));
					}
				}
				gone = existing.stream()
					.allMatch((i) -> Boolean.TRUE.equals(discoveredGone.get(i)) && c.node(i)
						.members()
						.stream()
						.noneMatch((m) -> m.name().equals(c.fullName(victim))));
				if (gone) {
					break;
				}
				Thread.sleep(5);
			}
			if (!gone) {
				this.r.problems.add("join " + run + ": after " + c.fullName(victim) + " stopped, the others still had it as"
						+ " a member or in their discovered set after " + Format.duration(SETTLE_TIMEOUT));
			}
			Thread.sleep(this.options.gap.toMillis());
			int mark = c.mark();
			long t0 = c.start(victim);
			int generation = c.generation(victim);
			Map<Integer, Long> joined = new HashMap<>();
			Map<Integer, Long> discovered = new HashMap<>();
			long ackAt = 0;
			long putCalledAt = 0;
			deadline = t0 + this.options.detectTimeout.toNanos();
			int read = mark;
			while (System.nanoTime() - deadline < 0
					&& (joined.size() < existing.size() || discovered.size() < existing.size() || ackAt == 0)) {
				List<EtcdCluster.Rec> recs = c.since(read);
				read += recs.size();
				for (EtcdCluster.Rec rec : recs) {
					if (rec.node() == victim) {
						if (rec.generation() == generation && rec.what() instanceof EtcdCluster.PutAck ack && ackAt == 0) {
							ackAt = rec.nanos();
							putCalledAt = ack.calledAt();
						}
						continue;
					}
					if (rec.what() instanceof EngineEvent.MemberJoined e && e.member().name().equals(c.fullName(victim))) {
						joined.putIfAbsent(rec.node(), rec.nanos());
					}
					else if (rec.what() instanceof EtcdCluster.Discovered d && d.addresses().contains(c.address(victim))) {
						discovered.putIfAbsent(rec.node(), rec.nanos());
					}
				}
				Thread.sleep(1);
			}
			s.runs++;
			for (int i : existing) {
				Long j = joined.get(i);
				s.startToJoined.add((j != null) ? (j - t0) / 1e6 : Double.POSITIVE_INFINITY);
				Long d = discovered.get(i);
				if (ackAt != 0) {
					s.ackToDiscovered.add((d != null) ? (d - ackAt) / 1e6 : Double.POSITIVE_INFINITY);
					s.putToDiscovered.add((d != null) ? (d - putCalledAt) / 1e6 : Double.POSITIVE_INFINITY);
				}
				if (j == null || d == null) {
					s.missing++;
				}
			}
			if (ackAt != 0) {
				s.startToAck.add((ackAt - t0) / 1e6);
				s.putRoundTrip.add((ackAt - putCalledAt) / 1e6);
			}
			else {
				s.noAck++;
			}
			if (runs > 1) {
				progress(String.format(Locale.ROOT,
						"etcd: join %d/%d of %s: start -> put acked %s; joined on %s; put acked -> discovered on %s", run,
						runs, c.fullName(victim), Format.ms((ackAt != 0) ? (ackAt - t0) / 1e6 : Double.NaN),
						describe(c, joined, t0), describe(c, discovered, ackAt)));
			}
		}
	}

	private static String describe(EtcdCluster c, Map<Integer, Long> at, long from) {
		List<String> parts = new ArrayList<>();
		at.forEach((node, nanos) -> parts.add(c.fullName(node) + " " + Format.ms((nanos - from) / 1e6)));
		return parts.isEmpty() ? "none" : String.join(", ", parts);
	}

	private LeaderInfo awaitSettled(EtcdCluster c) throws InterruptedException {
		long deadline = System.nanoTime() + SETTLE_TIMEOUT.toNanos();
		while (System.nanoTime() - deadline < 0) {
			if (c.whole()) {
				LeaderInfo leader = c.agreedLeader();
				if (leader != null) {
					return leader;
				}
			}
			Thread.sleep(5);
		}
		return null;
	}

	// ---------------------------------------------------------------------------------------------
	// results

	static final class Stats {

		int runs;

		int missing;

		int tokenNotLarger;

		int otherEvents;

		final List<Double> own = new ArrayList<>();

		final List<Double> all = new ArrayList<>();

		final List<Double> closeMillis = new ArrayList<>();

	}

	static final class JoinStats {

		int runs;

		int missing;

		int noAck;

		final List<Double> startToJoined = new ArrayList<>();

		final List<Double> startToAck = new ArrayList<>();

		final List<Double> putRoundTrip = new ArrayList<>();

		final List<Double> ackToDiscovered = new ArrayList<>();

		final List<Double> putToDiscovered = new ArrayList<>();

	}

	static final class Result {

		String etcd = "-";

		long ttlSeconds;

		double firstLeaderMillis = Double.NaN;

		final Stats graceful = new Stats();

		final Stats revoked = new Stats();

		final Stats ttl = new Stats();

		final JoinStats joins = new JoinStats();

		int crashCallsForwarded;

		int crashCallsDropped;

		double worstHiccup;

		double seconds;

		final List<String> problems = new ArrayList<>();

	}

	static void print(Result r, BenchmarkOptions options) {
		System.out.println();
		System.out.println("=== etcd: 3 nodes, etcd topology (registration, watch, etcd election), ttl "
				+ r.ttlSeconds + " s " + "=".repeat(20));
		System.out.println("etcd       " + r.etcd);
		header();
		row("  first leader agreed by all (after start)", Format.ms(r.firstLeaderMillis), "", null);
		printElection(r.graceful, "a graceful stop of the leader (close)", GOAL_GRACEFUL_P99_MS, "p99 < 100 ms");
		double[] close = Format.sorted(r.graceful.closeMillis);
		row("    close() of the leader returned after p50 / max",
				Format.ms(Format.percentile(close, 50)) + " / " + Format.ms(Format.max(close)), "", null);
		printElection(r.revoked, "b crash of the leader, leases revoked", GOAL_REVOKED_P99_MS, "p99 < 1 s");
		row("    nodeCrashed calls passed to the strategy", String.valueOf(r.crashCallsForwarded), "", null);
		printElection(r.ttl, "c crash of the leader, TTL alone", Double.NaN, "~ttl (" + r.ttlSeconds + ".." + (r.ttlSeconds + 1) + " s)");
		row("    nodeCrashed calls held back", String.valueOf(r.crashCallsDropped), "", null);
		JoinStats j = r.joins;
		row("d a stopped node starts again: " + j.runs + " runs", "", "", null);
		row("    start() -> others' NodeJoinedEvent p50 / p99", pair(Format.sorted(j.startToJoined)), "", null);
		row("    start() -> registration put acked p50 / p99", pair(Format.sorted(j.startToAck)), "", null);
		row("    registration put round trip p50 / p99", pair(Format.sorted(j.putRoundTrip)), "", null);
		row("    put acked -> others' watch has it p50 / p99", pair(Format.sorted(j.ackToDiscovered)), "", null);
		row("    put sent -> others' watch has it p50 / p99", pair(Format.sorted(j.putToDiscovered)), "", null);
		row("    (run, observer) pairs missing an event", String.valueOf(j.missing), "0", (j.runs > 0) ? j.missing == 0 : null);
		row("  worst JVM scheduling hiccup (whole scenario)", Format.ms(r.worstHiccup), "", null);
		row("  scenario run time", Format.num(r.seconds, 0) + " s", "", null);
		for (String problem : r.problems) {
			System.out.println("  PROBLEM: " + problem);
		}
		System.out.flush();
	}

	private static void printElection(Stats s, String title, double goalP99, String goal) {
		double[] own = Format.sorted(s.own);
		double[] all = Format.sorted(s.all);
		row(title + ": " + s.runs + " runs", "", "", null);
		row("    new leader's own LeaderElectedEvent p50 / p99", pair(own), "", null);
		row("    every survivor has it p50 / p99", pair(all), goal,
				(Double.isNaN(goalP99) || all.length == 0) ? null : Format.percentile(all, 99) < goalP99);
		row("    max (every survivor)", Format.ms(Format.max(all)), "", null);
		row("    runs without a new leader (timeout)", String.valueOf(s.missing), "0", (s.runs > 0) ? s.missing == 0 : null);
		row("    new token not larger than the old", String.valueOf(s.tokenNotLarger), "0",
				(s.runs > 0) ? s.tokenNotLarger == 0 : null);
		row("    other LeaderElectedEvents on survivors", String.valueOf(s.otherEvents), "0", null);
	}

	private static String pair(double[] sorted) {
		return Format.ms(Format.percentile(sorted, 50)) + " / " + Format.ms(Format.percentile(sorted, 99));
	}

}
