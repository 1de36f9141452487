package dev.clustering.faults;

import java.util.List;

/**
 * What the checker found: the violations, and what the report table is made of.
 *
 * @param violations every broken rule, in time order
 * @param runs every singleton run
 * @param gaps every stretch without an observed run longer than half a second (after ready)
 * @param windows the driver's fault windows, in order
 * @param convergences the convergence measured after each heal
 * @param ready when the cluster was formed
 * @param finish when the driver finished
 */
record CheckResult(List<Violation> violations, List<Run> runs, List<Gap> gaps, List<ExplainedGap> explained,
		List<FaultWindow> windows, List<Convergence> convergences, long ready, long finish) {

	CheckResult {
		violations = List.copyOf(violations);
		runs = List.copyOf(runs);
		gaps = List.copyOf(gaps);
		explained = List.copyOf(explained);
		windows = List.copyOf(windows);
		convergences = List.copyOf(convergences);
	}

	/**
	 * One run of a singleton: a (node, pid, token) from its start to its last tick or stop.
	 *
	 * @param observations its start and tick lines, in time order
	 * @param stop its stop line, or {@code null} (killed, frozen, or still running)
	 */
	record Run(String singleton, String node, long pid, long token, List<HistoryLine> observations, HistoryLine stop) {

		HistoryLine first() {
			return this.observations.get(0);
		}

		HistoryLine last() {
			return this.observations.get(this.observations.size() - 1);
		}

		String label() {
			return this.singleton + " on " + this.node + " pid " + this.pid + " token " + this.token;
		}

	}

	/**
	 * A stretch with no run of a singleton observed.
	 *
	 * @param from the last observation before it (or ready)
	 * @param to the next observation (or finish)
	 * @param effective its longest part outside the no-quorum windows
	 */
	record Gap(String singleton, long from, long to, long effective) {

		long length() {
			return this.to - this.from;
		}

	}

	/**
	 * A gap longer than the bound that a later fault explains: during it, something that legitimately
	 * starts a failover over (the leader or the node that ran the singleton next was killed, stopped
	 * or frozen; a lost quorum came back) happened, and from then on the singleton was back within
	 * the bound.
	 *
	 * @param gap the gap
	 * @param restartAt when the failover legitimately started over
	 * @param why what happened then
	 */
	record ExplainedGap(Gap gap, long restartAt, String why) {

		long afterRestart() {
			return this.gap.to() - this.restartAt;
		}

	}

	/**
	 * A fault as the driver applied it.
	 *
	 * @param quorum whether a majority of nodes stayed unaffected (the gap rule applies)
	 * @param affected the nodes the fault touched
	 */
	record FaultWindow(String id, String kind, long begin, long end, boolean quorum, List<String> affected) {
	}

	/**
	 * The views after one heal.
	 *
	 * @param millis time from the heal to agreement, or how long the driver waited in vain
	 * @param agreed whether the views agreed
	 * @param views the views when the driver stopped waiting (empty when they agreed)
	 */
	record Convergence(String id, long at, long millis, boolean agreed, String views) {
	}

}
