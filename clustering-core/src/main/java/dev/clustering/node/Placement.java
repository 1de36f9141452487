package dev.clustering.node;

import java.util.Comparator;
import java.util.List;
import java.util.Set;

import dev.clustering.singleton.SingletonSpec;
import dev.clustering.singleton.SingletonState;
import dev.clustering.singleton.SingletonStatus;
import dev.clustering.singleton.StartType;
import dev.clustering.singleton.StopReason;

/**
 * Where a singleton should run, decided by the leader: a pure function of what the members report,
 * what is known of the nodes that no longer report, the candidates, and the clock, returning at
 * most one order. The rules, each with a unit test:
 * <ol>
 * <li>Two runs at once (after a heal, or a forged claim): the newest run this leader started stays
 * and the others are stopped; if it started none of them, all are stopped and it starts one anew.</li>
 * <li>One run: it stays, unless a node of higher priority has been up for {@code takeover-delay}
 * (or the operator pinned it elsewhere): then it is stopped there and, once stopped, started on
 * that node as TAKEOVER. A run on a node that is leaving is left to stop by itself.</li>
 * <li>No run, and the latest run stopped cleanly on a node that is leaving or left: started
 * elsewhere at once as HANDOVER.</li>
 * <li>No run, and the latest run was on a node that no longer reports: started elsewhere as
 * FAILOVER once that node cannot be running it any more: {@code failover-timeout} after its process
 * died or left or after the failure detector judged it silent; after a silence, also the longer of a
 * lease and {@code failover-timeout} after it was last heard from (its permit to run ends before
 * that) and after this leadership began (a previous leader may have kept it running that long). The
 * last wait applies
 * too whenever some known node is neither reachable and reported nor known dead: a run this leader
 * does not know of may be there. With a registry, only once the registry no longer lists that
 * node.</li>
 * <li>No run ever reported: started as NORMAL once this leader has led for a lease (so it heard
 * what the members run), and, unless every known node is reachable and reported, the longer of a lease and
 * {@code failover-timeout} after its leadership began.</li>
 * <li>The node chosen: the first priority group with a candidate; in a group, the node running the
 * fewest singletons; then by name. A pinned node comes first. Two starts of one singleton are at
 * least half a second apart, except a hand-over.</li>
 * </ol>
 */
final class Placement {

	/** Least time between two starts of one singleton, against flapping. */
	static final long MIN_START_SPACING_NANOS = 500_000_000L;

	private Placement() {
	}

	/**
	 * What is known of a node that no longer reports.
	 * @param kind what happened to it
	 * @param sinceNanos when this node learned it
	 * @param lastHeardNanos when anything was last heard from it, or {@link Long#MIN_VALUE} if unknown
	 * @param registered whether a registry still lists it (registry mode only)
	 */
	record Fate(Kind kind, long sinceNanos, long lastHeardNanos, boolean registered) {

		enum Kind {

			/** Silent (frozen, cut off), or its connection closed on this side: it may still be running. */
			SILENT,

			/** Its process died (its connection was closed by its operating system), or it restarted. */
			ENDED,

			/** It said goodbye. */
			LEFT

		}

	}

	/**
	 * A run that may still be going on a node that does not report (silent, gone, or an earlier
	 * process of a restarted node).
	 * @param status the last the run's node said of it
	 * @param fate what happened to that node
	 */
	record Suspect(SingletonStatus status, Fate fate) {
	}

	/**
	 * A node the singleton may be started on.
	 * @param name the node
	 * @param running how many other singletons it runs
	 * @param upSinceNanos since when it has been up, or {@link Deadlines#NONE} for this node (always stable)
	 */
	record Candidate(String name, long running, long upSinceNanos) {
	}

	/**
	 * An order in flight.
	 * @param start a start (else a stop before a takeover)
	 * @param target where the singleton starts
	 * @param from where it comes from, or {@code null}
	 * @param deadlineNanos when the order is given up
	 */
	record Pending(boolean start, String target, String from, long deadlineNanos) {
	}

	/**
	 * Everything the decision depends on.
	 * @param spec the singleton's placement
	 * @param now the monotonic clock now
	 * @param leaderSinceNanos when this node began to lead
	 * @param leaseNanos the lease (0 with a registry)
	 * @param newLeaderWaitNanos how long after its leadership began a leader waits before it may start
	 * a run that another leader may have placed where it cannot see
	 * @param evidenceComplete whether every known node is reachable and reported its state
	 * @param live what the reachable members (this node included) report
	 * @param latest the latest run ever reported (an active run is not hidden by a stopped report of
	 * another node), or {@code null}
	 * @param suspects every run that may still be going on a node that does not report
	 * @param candidates where it may start
	 * @param leaving nodes that are leaving or left gracefully
	 * @param pending the order in flight, or {@code null}
	 * @param pin the node an operator moved it to, or {@code null}
	 * @param lastStartNanos when it was last started, or {@link Long#MIN_VALUE}
	 * @param vouched the tokens this leader issued for it (runs it knows are genuine)
	 */
	record Input(SingletonSpec spec, long now, long leaderSinceNanos, long leaseNanos, long newLeaderWaitNanos,
			boolean evidenceComplete, List<SingletonStatus> live, SingletonStatus latest, List<Suspect> suspects,
			List<Candidate> candidates, Set<String> leaving, Pending pending, String pin, long lastStartNanos,
			Set<Long> vouched) {

		Input {
			suspects = List.copyOf(suspects);
			vouched = Set.copyOf(vouched);
		}

	}

	/** The order to give. */
	sealed interface Decision {

	}

	/**
	 * Nothing to do now.
	 * @param why for the log and tests
	 */
	record Wait(String why) implements Decision {
	}

	/**
	 * Start it.
	 * @param target where
	 * @param type how
	 * @param from where it came from, or {@code null}
	 */
	record Start(String target, StartType type, String from) implements Decision {
	}

	/**
	 * Stop it on a node.
	 * @param node where
	 * @param reason why
	 * @param takeoverTarget where it starts once stopped (a takeover), or {@code null}
	 */
	record Stop(String node, StopReason reason, String takeoverTarget) implements Decision {
	}

	static Decision decide(Input in) {
		List<SingletonStatus> active = in.live().stream().filter(SingletonStatus::isActive).toList();
		if (active.size() > 1) {
			// keep the newest run this leader started; if it started none of them, none is kept (a claim
			// with a larger token is not proof of a run: it is started again, with a token of this leader)
			SingletonStatus kept = active.stream()
				.filter((s) -> in.vouched().contains(s.fencingToken()))
				.max(Comparator.comparingLong(SingletonStatus::fencingToken))
				.orElse(null);
			return active.stream()
				.filter((s) -> s != kept && s.state() != SingletonState.STOPPING)
				.findFirst()
				.<Decision>map((s) -> new Stop(s.node(), StopReason.FAILOVER, null))
				.orElse(new Wait("other runs are stopping"));
		}
		if (active.size() == 1) {
			SingletonStatus runner = active.get(0);
			if (runner.state() != SingletonState.RUNNING || in.pending() != null
					|| in.leaving().contains(runner.node())) {
				return new Wait("runs on " + runner.node());
			}
			String target = takeoverTarget(in, runner.node());
			return (target != null) ? new Stop(runner.node(), StopReason.TAKEOVER, target)
					: new Wait("runs on " + runner.node());
		}
		Pending pending = in.pending();
		if (pending != null && pending.start()) {
			return new Wait("starting on " + pending.target());
		}
		// a takeover starts only once the node it comes from reported it stopped; if that node went
		// quiet or away first, the failover rules below decide
		SingletonStatus latestRun = in.latest();
		boolean stoppedThere = pending != null && latestRun != null && latestRun.node().equals(pending.from())
				&& !latestRun.isActive() && in.suspects().isEmpty();
		if (stoppedThere && isCandidate(in, pending.target())) {
			return spaced(in) ? new Start(pending.target(), StartType.TAKEOVER, pending.from())
					: new Wait("started moments ago");
		}
		SingletonStatus latest = in.latest();
		StartType type;
		String from;
		if (!in.suspects().isEmpty()) {
			// every run that may still be going must be past its failover time, not only the latest
			for (Suspect suspect : in.suspects()) {
				long at = failoverAt(in, suspect.fate());
				if (in.now() - at < 0) {
					return new Wait("failover from " + suspect.status().node() + " in " + (at - in.now()) / 1_000_000
							+ " ms");
				}
				if (suspect.fate().registered()) {
					return new Wait("the registry still lists " + suspect.status().node());
				}
			}
			type = StartType.FAILOVER;
			from = in.suspects()
				.stream()
				.max(Comparator.comparingLong((Suspect s) -> s.status().fencingToken()))
				.get()
				.status()
				.node();
		}
		else if (latest != null) {
			// the latest run stopped (or its node, alive and reporting, runs it no more)
			if (in.leaving().contains(latest.node()) && latest.state() == SingletonState.STOPPED) {
				String target = best(in, 0);
				return (target != null) ? new Start(target, StartType.HANDOVER, latest.node())
						: new Wait("no node to hand it over to");
			}
			if (!in.evidenceComplete() && in.now() - (in.leaderSinceNanos() + in.newLeaderWaitNanos()) < 0) {
				return new Wait("a node this leader cannot hear may run it");
			}
			type = null;
			from = latest.node();
		}
		else {
			if (in.now() - in.leaderSinceNanos() < in.leaseNanos()) {
				return new Wait("a new leader first hears what the members run");
			}
			if (!in.evidenceComplete() && in.now() - (in.leaderSinceNanos() + in.newLeaderWaitNanos()) < 0) {
				return new Wait("a node this leader cannot hear may run it");
			}
			type = StartType.NORMAL;
			from = null;
		}
		String target = best(in, 0);
		if (target == null) {
			return new Wait("no node may run it");
		}
		if (type == null) {
			type = target.equals(from) ? StartType.NORMAL : StartType.FAILOVER;
			from = (type == StartType.FAILOVER) ? from : null;
		}
		if (!spaced(in)) {
			return new Wait("started moments ago");
		}
		return new Start(target, type, from);
	}

	private static boolean spaced(Input in) {
		return in.lastStartNanos() == Long.MIN_VALUE || in.now() - in.lastStartNanos() >= MIN_START_SPACING_NANOS;
	}

	/**
	 * When a run on a node that no longer reports may be started elsewhere.
	 * @param in the input
	 * @param fate what happened to that node
	 * @return monotonic nanoseconds
	 */
	static long failoverAt(Input in, Fate fate) {
		long failover = in.spec().failoverTimeout().toNanos();
		long at = fate.sinceNanos() + failover;
		if (fate.kind() == Fate.Kind.SILENT && fate.lastHeardNanos() != Long.MIN_VALUE) {
			at = Deadlines.later(at, fate.lastHeardNanos() + Math.max(in.leaseNanos(), failover));
		}
		if (fate.kind() == Fate.Kind.SILENT || !in.evidenceComplete()) {
			// a node that may still run it, or a newer run this leader does not know of on a node it
			// cannot hear, holds a permit from an earlier leader at most that long
			at = Deadlines.later(at, in.leaderSinceNanos() + in.newLeaderWaitNanos());
		}
		return at;
	}

	private static String takeoverTarget(Input in, String runner) {
		if (in.pin() != null && (in.pin().equals(runner) || isCandidate(in, in.pin()))) {
			return in.pin().equals(runner) ? null : in.pin();
		}
		if (!in.spec().takeover()) {
			return null;
		}
		String best = best(in, in.spec().takeoverDelay().toNanos());
		if (best == null || best.equals(runner)) {
			return null;
		}
		int runnerPriority = in.spec().priority(runner);
		return (runnerPriority < 0 || in.spec().priority(best) < runnerPriority) ? best : null;
	}

	private static boolean isCandidate(Input in, String node) {
		return in.candidates().stream().anyMatch((c) -> c.name().equals(node));
	}

	// the best candidate; with stableNanos > 0, only those up at least that long
	private static String best(Input in, long stableNanos) {
		if (in.pin() != null && isCandidate(in, in.pin()) && !in.leaving().contains(in.pin())) {
			return in.pin();
		}
		return in.candidates()
			.stream()
			.filter((c) -> in.spec().priority(c.name()) >= 0 && !in.leaving().contains(c.name()))
			.filter((c) -> stableNanos <= 0 || c.upSinceNanos() == Deadlines.NONE
					|| in.now() - c.upSinceNanos() >= stableNanos)
			.min(Comparator.comparingInt((Candidate c) -> in.spec().priority(c.name()))
				.thenComparingLong(Candidate::running)
				.thenComparing(Candidate::name))
			.map(Candidate::name)
			.orElse(null);
	}

}
