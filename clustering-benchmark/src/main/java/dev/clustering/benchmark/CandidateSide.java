package dev.clustering.benchmark;

import java.util.Set;

/**
 * One side of a scenario that compares two kinds of candidate processes on one registry: A, this
 * project's engine, and B, the alternative users reach for.
 *
 * @param letter {@code A} or {@code B}
 * @param kind its candidates' kind, in their log files' names
 * @param column its column's header in the table
 * @param engine whether its candidates run this project's engine (a killed leader's survivors are
 * asked, from their logs, whether they read a crash)
 * @param hasTokens whether its leaders carry a fencing token
 * @param answersStatus whether its candidates answer a {@code status} line on stdin; a candidate that
 * does not leads from its first {@code LEADER} line on
 * @param faults the faults it is put through
 */
record CandidateSide(String letter, String kind, String column, boolean engine, boolean hasTokens,
		boolean answersStatus, Set<Fault> faults) {

	CandidateSide {
		faults = Set.copyOf(faults);
	}

	boolean runs(Fault fault) {
		return this.faults.contains(fault);
	}

}
