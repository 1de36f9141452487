package dev.clustering.benchmark;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

import dev.clustering.benchmark.EtcdNodes.Discovered;
import dev.clustering.benchmark.EtcdNodes.PutAck;
import dev.clustering.benchmark.EtcdNodes.Rec;
import dev.clustering.benchmark.EtcdReport.JoinStats;
import dev.clustering.discovery.etcd.EtcdServer;
import dev.clustering.discovery.etcd.EtcdSettings;
import dev.clustering.discovery.etcd.EtcdStrategy;
import dev.clustering.leadership.LeaderInfo;
import dev.clustering.membership.NodeAddress;
import dev.clustering.node.EngineEvent;
import dev.clustering.test.LoopbackCluster;

import static dev.clustering.benchmark.ClusterBenchmark.progress;
import static dev.clustering.benchmark.ElectionStats.SETTLE_TIMEOUT;

/**
 * The etcd scenario (see the README): a real etcd started for the run, three nodes with an
 * {@code etcd} topology (etcd's election decides who leads); over {@code --runs} runs each, (a) a
 * graceful stop, (b) a crash with its leases revoked and (c) a crash on the TTL alone, timed to
 * every survivor's LeaderElectedEvent, and (d) a stopped node starting again, timed to the others'
 * NodeJoinedEvent and their watch reporting its registration.
 */
final class EtcdScenario {

	static final int NODES = 3;

	private final BenchmarkOptions options;

	private final HiccupMonitor hiccups;

	private final EtcdReport r = new EtcdReport();

	/** Each node's client and strategy, the log of what they saw, and the revocation switch. */
	private final EtcdNodes nodes = new EtcdNodes();

	EtcdScenario(BenchmarkOptions options, HiccupMonitor hiccups) {
		this.options = options;
		this.hiccups = hiccups;
	}

	/**
	 * Runs the scenario.
	 * @throws IOException if etcd is not installed or does not start
	 */
	EtcdReport run() throws IOException, InterruptedException {
		long start = System.nanoTime();
		this.hiccups.takeWorstMillis();
		progress("etcd: starting etcd");
		try (EtcdServer etcd = EtcdServer.start()) {
			// stopped by its PID should the benchmark exit first
			Thread stopper = new Thread(etcd::close, "etcd-stopper");
			Runtime.getRuntime().addShutdownHook(stopper);
			try {
				this.r.etcd = etcd.toString();
				progress("etcd: " + etcd + "; starting " + NODES + " nodes, ttl " + Format.duration(this.options.etcdTtl));
				run(etcd);
			}
			finally {
				this.nodes.close();
				Runtime.getRuntime().removeShutdownHook(stopper);
			}
		}
		this.r.worstHiccup = this.hiccups.takeWorstMillis();
		this.r.seconds = (System.nanoTime() - start) / 1e9;
		return this.r;
	}

	private void run(EtcdServer etcd) throws InterruptedException {
		EtcdSettings settings = new EtcdSettings("/clustering-benchmark", "bench", this.options.etcdTtl);
		this.r.ttlSeconds = settings.ttlSeconds();
		try (LoopbackCluster cluster = ClusterBenchmark.nodes(this.options, List.of("n1", "n2", "n3"))
			.topology(EtcdStrategy.NAME, (name, all) -> this.nodes.open(name, etcd.endpoint(), settings),
					Duration.ofSeconds(5))
			.build()) {
			long t0 = System.nanoTime();
			cluster.start();
			if (ElectionStats.awaitSettled(cluster, (leader) -> true) == null) {
				this.r.problems.add("the " + NODES + " nodes did not form and agree on a leader within "
						+ Format.duration(SETTLE_TIMEOUT));
				return;
			}
			this.r.firstLeaderMillis = (System.nanoTime() - t0) / 1e6;
			// warm-up: one graceful stop, one crash with revocation, one rejoin (not counted)
			progress("etcd: warm-up");
			ElectionStats warm = new ElectionStats();
			runElections(cluster, warm, "warm-up stop", 1, false, true);
			runElections(cluster, warm, "warm-up crash", 1, true, true);
			runJoins(cluster, new JoinStats(), 1);
			runElections(cluster, this.r.graceful, "stop", this.options.runs, false, true);
			int forwarded = this.nodes.crashCallsForwarded.get();
			runElections(cluster, this.r.revoked, "crash+revoke", this.options.runs, true, true);
			this.r.crashCallsForwarded = this.nodes.crashCallsForwarded.get() - forwarded;
			int dropped = this.nodes.crashCallsDropped.get();
			runElections(cluster, this.r.ttl, "crash, TTL alone", this.options.runs, true, false);
			this.r.crashCallsDropped = this.nodes.crashCallsDropped.get() - dropped;
			this.nodes.revoke = true;
			runJoins(cluster, this.r.joins, this.options.runs);
		}
	}

	// ---------------------------------------------------------------------------------------------
	// (a), (b), (c): the leader stops or crashes

	private void runElections(LoopbackCluster c, ElectionStats s, String kind, int runs, boolean crash, boolean revoke)
			throws InterruptedException {
		Duration timeout = this.options.electionTimeout(this.options.etcdTtl.multipliedBy(3).plusSeconds(2));
		for (int run = 1; run <= runs; run++) {
			LeaderInfo before = ElectionStats.awaitSettled(c, (leader) -> true);
			if (before == null) {
				this.r.problems.add(ElectionStats.unsettled(kind + " " + run));
				return;
			}
			Thread.sleep(this.options.gap.toMillis());
			this.nodes.revoke = revoke;
			String victim = LoopbackCluster.shortName(before.name());
			int mark = c.mark();
			long t0;
			if (crash) {
				t0 = this.nodes.crash(c, victim);
			}
			else {
				t0 = System.nanoTime();
				this.nodes.stop(c, victim);
				s.closeMillis.add((System.nanoTime() - t0) / 1e6);
			}
			s.record(ElectionStats.awaitElection(c, victim, mark, t0, timeout, before.name()), before, null, t0);
			this.nodes.revoke = true;
			this.nodes.start(c, victim);
			progress(String.format(Locale.ROOT, "etcd: %s %d/%d of leader %s: %s", kind, run, runs, before.name(),
					s.last));
		}
	}

	// ---------------------------------------------------------------------------------------------
	// (d): a stopped node starts again and registers

	private void runJoins(LoopbackCluster c, JoinStats s, int runs) throws InterruptedException {
		for (int run = 1; run <= runs; run++) {
			LeaderInfo before = ElectionStats.awaitSettled(c, (leader) -> true);
			if (before == null) {
				this.r.problems.add(ElectionStats.unsettled("join " + run));
				return;
			}
			// a node that does not lead, so no election mixes in
			int leader = c.names().indexOf(LoopbackCluster.shortName(before.name()));
			String victim = c.names().get((leader + 1 + (run % (NODES - 1))) % NODES);
			String victimName = c.node(victim).self().name();
			NodeAddress address = c.node(victim).self().address();
			List<String> existing = c.others(victim);
			this.nodes.stop(c, victim);
			// wait until the others neither see it as a member nor have it in their last discovery answer
			// (from the whole log: a node stopped before it registered changes no answer)
			Map<String, Boolean> discoveredGone = new HashMap<>();
			boolean gone = LoopbackCluster.within(SETTLE_TIMEOUT, () -> {
				for (Rec rec : List.copyOf(this.nodes.log)) {
					if (rec.what() instanceof Discovered d && existing.contains(rec.node())) {
						discoveredGone.put(rec.node(), !d.addresses().contains(address));
					}
				}
				return existing.stream()
					.allMatch((n) -> Boolean.TRUE.equals(discoveredGone.get(n))
							&& c.node(n).members().stream().noneMatch((m) -> m.name().equals(victimName)));
			});
			if (!gone) {
				this.r.problems.add("join " + run + ": after " + victimName + " stopped, the others still had it as"
						+ " a member or in their discovered set after " + Format.duration(SETTLE_TIMEOUT));
			}
			Thread.sleep(this.options.gap.toMillis());
			int mark = c.mark();
			int logMark = this.nodes.log.size();
			long t0 = this.nodes.start(c, victim);
			Map<String, Long> joined = new TreeMap<>();
			Map<String, Long> discovered = new TreeMap<>();
			long[] ack = new long[2]; // acknowledged at, put called at
			LoopbackCluster.within(this.options.detectTimeout.minusNanos(System.nanoTime() - t0), () -> {
				c.firstSince(mark, EngineEvent.MemberJoined.class, (e) -> e.member().name().equals(victimName))
					.forEach((n, e) -> joined.put(n, e.nanos()));
				for (Rec rec : List.copyOf(this.nodes.log.subList(logMark, this.nodes.log.size()))) {
					if (rec.node().equals(victim) && rec.what() instanceof PutAck put && ack[0] == 0) {
						ack[0] = rec.nanos();
						ack[1] = put.calledAt();
					}
					else if (!rec.node().equals(victim) && rec.what() instanceof Discovered d
							&& d.addresses().contains(address)) {
						discovered.putIfAbsent(rec.node(), rec.nanos());
					}
				}
				return joined.size() == existing.size() && discovered.size() == existing.size() && ack[0] != 0;
			});
			long ackAt = ack[0];
			long putCalledAt = ack[1];
			s.runs++;
			for (String n : existing) {
				Long j = joined.get(n);
				s.startToJoined.add((j != null) ? (j - t0) / 1e6 : Double.POSITIVE_INFINITY);
				Long d = discovered.get(n);
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
			if (runs > 1) {
				progress(String.format(Locale.ROOT,
						"etcd: join %d/%d of %s: start -> put acked %s; joined on %s; put acked -> discovered on %s", run,
						runs, victimName, Format.ms((ackAt != 0) ? (ackAt - t0) / 1e6 : Double.NaN),
						describe(joined, t0), describe(discovered, ackAt)));
			}
		}
	}

	private static String describe(Map<String, Long> at, long from) {
		List<String> parts = new ArrayList<>();
		at.forEach((node, nanos) -> parts.add(node + " " + Format.ms((nanos - from) / 1e6)));
		return parts.isEmpty() ? "none" : String.join(", ", parts);
	}

}
