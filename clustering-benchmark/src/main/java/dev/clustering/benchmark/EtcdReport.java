package dev.clustering.benchmark;

import java.util.ArrayList;
import java.util.List;

import static dev.clustering.benchmark.ClusterBenchmark.header;
import static dev.clustering.benchmark.ClusterBenchmark.row;

/**
 * What the {@link EtcdScenario} measured: the first leader, the elections after a graceful stop and
 * after a crash of the leader with and without lease revocation, the rejoins of a stopped node, and
 * the problems met; and its table, against the goals.
 */
final class EtcdReport {

	static final double GOAL_GRACEFUL_P99_MS = 100;

	static final double GOAL_REVOKED_P99_MS = 1000;

	/** (d): a stopped node starting again, timed to the others' events and their watch. */
	static final class JoinStats {

		int runs;

		int missing;

		final List<Double> startToJoined = new ArrayList<>();

		final List<Double> startToAck = new ArrayList<>();

		final List<Double> putRoundTrip = new ArrayList<>();

		final List<Double> ackToDiscovered = new ArrayList<>();

		final List<Double> putToDiscovered = new ArrayList<>();

	}

	String etcd = "-";

	long ttlSeconds;

	double firstLeaderMillis = Double.NaN;

	final ElectionStats graceful = new ElectionStats();

	final ElectionStats revoked = new ElectionStats();

	final ElectionStats ttl = new ElectionStats();

	final JoinStats joins = new JoinStats();

	int crashCallsForwarded;

	int crashCallsDropped;

	double worstHiccup;

	double seconds;

	final List<String> problems = new ArrayList<>();

	void print() {
		System.out.println();
		System.out.println("=== etcd: 3 nodes, etcd topology (registration, watch, etcd election), ttl "
				+ this.ttlSeconds + " s " + "=".repeat(20));
		System.out.println("etcd       " + this.etcd);
		header();
		row("  first leader agreed by all (after start)", Format.ms(this.firstLeaderMillis), "", null);
		printElection(this.graceful, "a graceful stop of the leader (close)", GOAL_GRACEFUL_P99_MS, "p99 < 100 ms");
		double[] close = Format.sorted(this.graceful.closeMillis);
		row("    close() of the leader returned after p50 / max",
				Format.pairMax(close), "", null);
		printElection(this.revoked, "b crash of the leader, leases revoked", GOAL_REVOKED_P99_MS, "p99 < 1 s");
		row("    nodeCrashed calls passed to the strategy", String.valueOf(this.crashCallsForwarded), "", null);
		printElection(this.ttl, "c crash of the leader, TTL alone", Double.NaN, "~ttl (" + this.ttlSeconds + ".."
				+ (this.ttlSeconds + 1) + " s)");
		row("    nodeCrashed calls held back", String.valueOf(this.crashCallsDropped), "", null);
		JoinStats j = this.joins;
		row("d a stopped node starts again: " + j.runs + " runs", "", "", null);
		row("    start() -> others' NodeJoinedEvent p50 / p99", Format.pair(Format.sorted(j.startToJoined)), "", null);
		row("    start() -> registration put acked p50 / p99", Format.pair(Format.sorted(j.startToAck)), "", null);
		row("    registration put round trip p50 / p99", Format.pair(Format.sorted(j.putRoundTrip)), "", null);
		row("    put acked -> others' watch has it p50 / p99", Format.pair(Format.sorted(j.ackToDiscovered)), "", null);
		row("    put sent -> others' watch has it p50 / p99", Format.pair(Format.sorted(j.putToDiscovered)), "", null);
		row("    (run, observer) pairs missing an event", String.valueOf(j.missing), "0", (j.runs > 0) ? j.missing == 0 : null);
		row("  worst JVM scheduling hiccup (whole scenario)", Format.ms(this.worstHiccup), "", null);
		row("  scenario run time", Format.num(this.seconds, 0) + " s", "", null);
		ClusterBenchmark.printProblems(this.problems);
	}

	private static void printElection(ElectionStats s, String title, double goalP99, String goal) {
		s.print(title, "", (sorted) -> null, goal,
				(sorted) -> (Double.isNaN(goalP99) || sorted.length == 0) ? null : Format.percentile(sorted, 99) < goalP99,
				false);
	}

}
