package dev.clustering.benchmark;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;
import java.util.function.Predicate;

import dev.clustering.leadership.LeaderInfo;
import dev.clustering.node.EngineEvent;
import dev.clustering.test.LoopbackCluster;
import dev.clustering.test.RecordedEvent;

import static dev.clustering.benchmark.ClusterBenchmark.row;

/**
 * New-leader times over the runs of one kind (a kill, stop or freeze of the leader), in the
 * leadership and etcd scenarios.
 */
final class ElectionStats {

	static final Duration SETTLE_TIMEOUT = Duration.ofSeconds(30);

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

	/** The last run, for the progress line. */
	String last = "";

	/**
	 * Counts one run.
	 * @param e the survivors' election, or {@code null} if none within the timeout
	 * @param before the leader before the fault
	 * @param expected the survivor expected to lead next, or {@code null} for any
	 * @param t0 nanoTime just before the fault
	 */
	void record(Election e, LeaderInfo before, String expected, long t0) {
		this.runs++;
		if (e == null) {
			this.missing++;
			this.own.add(Double.POSITIVE_INFINITY);
			this.all.add(Double.POSITIVE_INFINITY);
			this.last = "NO new leader agreed by the survivors within the timeout";
			return;
		}
		String leader = LoopbackCluster.shortName(e.leader().name());
		Long ownAt = e.electedAt().get(leader);
		double ownMs = (ownAt != null) ? (ownAt - t0) / 1e6 : Double.NaN;
		double allMs = (Collections.max(e.electedAt().values()) - t0) / 1e6;
		this.own.add(ownMs);
		this.all.add(allMs);
		boolean unexpected = expected != null && !leader.equals(expected);
		if (unexpected) {
			this.notExpected++;
		}
		if (e.leader().fencingToken() <= before.fencingToken()) {
			this.tokenNotLarger++;
		}
		this.otherEvents += e.otherEvents();
		this.last = String.format(Locale.ROOT, "new leader %s (token %d -> %d)%s after %s, every survivor after %s%s",
				e.leader().name(), before.fencingToken(), e.leader().fencingToken(),
				unexpected ? " (NOT the oldest survivor)" : "", Format.ms(ownMs), Format.ms(allMs),
				(e.otherEvents() > 0) ? ", " + e.otherEvents() + " other leader events" : "");
	}

	/**
	 * Prints the rows of these runs.
	 * @param ownGoal the goal of the new leader's own event, and its verdict from the sorted times
	 * @param allGoal the goal of every survivor having it, and its verdict
	 * @param oldest whether to show how often the new leader was not the oldest survivor
	 */
	void print(String title, String ownGoal, Function<double[], Boolean> ownVerdict, String allGoal,
			Function<double[], Boolean> allVerdict, boolean oldest) {
		double[] ownSorted = Format.sorted(this.own);
		double[] allSorted = Format.sorted(this.all);
		row(title + ": " + this.runs + " runs", "", "", null);
		row("    new leader's own LeaderElectedEvent p50 / p99", Format.pair(ownSorted), ownGoal, ownVerdict.apply(ownSorted));
		row("    every survivor has it p50 / p99", Format.pair(allSorted), allGoal, allVerdict.apply(allSorted));
		row("    max (every survivor)", Format.ms(Format.max(allSorted)), "", null);
		row("    runs without a new leader (timeout)", String.valueOf(this.missing), "0",
				(this.runs > 0) ? this.missing == 0 : null);
		if (oldest) {
			row("    new leader not the oldest survivor", String.valueOf(this.notExpected), "0",
					(this.runs > 0) ? this.notExpected == 0 : null);
		}
		row("    new token not larger than the old", String.valueOf(this.tokenNotLarger), "0",
				(this.runs > 0) ? this.tokenNotLarger == 0 : null);
		row("    other LeaderElectedEvents on survivors", String.valueOf(this.otherEvents), "0", null);
	}

	/**
	 * Waits until the survivors agree on a leader other than the victim and each of them has
	 * received the {@link EngineEvent.LeaderElected} for it.
	 * @param ignored a leader whose (late) events are not counted as others, or {@code null}
	 * @return the election, or {@code null} if that did not happen within the timeout
	 */
	static Election awaitElection(LoopbackCluster c, String victim, int mark, long t0, Duration timeout, String ignored)
			throws InterruptedException {
		List<String> survivors = c.others(victim);
		Election[] election = new Election[1];
		LoopbackCluster.within(Duration.ofNanos(t0 + timeout.toNanos() - System.nanoTime()), () -> {
			LeaderInfo agreed = c.agreedLeader(survivors).orElse(null);
			if (agreed == null || agreed.name().equals(c.node(victim).self().name())) {
				return false;
			}
			Map<String, Long> at = new HashMap<>();
			int others = 0;
			for (RecordedEvent rec : c.since(mark)) {
				if (rec.event() instanceof EngineEvent.LeaderElected e && survivors.contains(rec.node())
						&& !e.leader().equals(ignored)) {
					if (e.leader().equals(agreed.name()) && e.fencingToken() == agreed.fencingToken()) {
						at.putIfAbsent(rec.node(), rec.nanos());
					}
					else {
						others++;
					}
				}
			}
			election[0] = (at.size() == survivors.size()) ? new Election(agreed, at, others) : null;
			return election[0] != null;
		});
		return election[0];
	}

	/** The problem of a run whose cluster did not settle: the rest of its kind's runs are skipped. */
	static String unsettled(String run) {
		return run + ": the cluster did not settle on one leader within " + Format.duration(SETTLE_TIMEOUT)
				+ "; stopped";
	}

	/**
	 * Waits until every node runs and sees the others up, and all agree on one leader.
	 * @param settled what else must hold of that leader
	 * @return the leader, or {@code null} if that did not happen within 30 s
	 */
	static LeaderInfo awaitSettled(LoopbackCluster c, Predicate<LeaderInfo> settled) throws InterruptedException {
		LeaderInfo[] leader = new LeaderInfo[1];
		boolean ok = LoopbackCluster.within(SETTLE_TIMEOUT, () -> {
			leader[0] = c.whole() ? c.agreedLeader(c.names()).orElse(null) : null;
			return leader[0] != null && settled.test(leader[0]);
		});
		return ok ? leader[0] : null;
	}

	/** The survivors' new leader, when each of them received its LeaderElectedEvent, and events for any other. */
	record Election(LeaderInfo leader, Map<String, Long> electedAt, int otherEvents) {
	}

}
