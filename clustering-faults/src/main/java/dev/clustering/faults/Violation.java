package dev.clustering.faults;

import java.util.LinkedHashSet;
import java.util.List;

/**
 * A rule the history broke, with the lines that show it.
 *
 * @param rule which rule
 * @param at when (wall-clock milliseconds), to attribute it to a fault
 * @param message what happened, naming nodes, PIDs and tokens
 * @param evidence the history or driver lines that show it
 */
record Violation(Rule rule, long at, String message, List<String> evidence) {

	Violation {
		evidence = List.copyOf(new LinkedHashSet<>(evidence));
	}

	/** The checker's rules. */
	enum Rule {

		/** Rule 1: two runs of one singleton both believed their token valid at once. */
		OVERLAP("rule 1 (overlap)"),

		/** Rule 2: a singleton started with a token not above an earlier start's. */
		SINGLETON_TOKEN("rule 2 (singleton token order)"),

		/** Rule 2: two leader tokens were observed interleaved, or one token on two nodes. */
		LEADER_TOKEN("rule 2 (leader tokens)"),

		/** Rule 3: no run observed for longer than the bound while a quorum was up. */
		GAP("rule 3 (gap)"),

		/** Rule 4: the views did not agree soon enough after a heal. */
		CONVERGENCE("rule 4 (convergence)"),

		/**
		 * A check the driver made while the run went on (the attack's: a node died, lost a member, changed
		 * leader, outgrew its memory bound, counted an error of its own) failed.
		 */
		LIVE_CHECK("live check"),

		/** A history line could not be read. */
		UNREADABLE("unreadable history");

		private final String title;

		Rule(String title) {
			this.title = title;
		}

		String title() {
			return this.title;
		}

	}

	String describe() {
		StringBuilder text = new StringBuilder(this.rule.title()).append(" at ")
			.append(HistoryLine.clock(this.at))
			.append(": ")
			.append(this.message);
		for (String line : this.evidence) {
			text.append("\n      ").append(line);
		}
		return text.toString();
	}

}
