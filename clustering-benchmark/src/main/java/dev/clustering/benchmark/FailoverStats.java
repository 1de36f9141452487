package dev.clustering.benchmark;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * One side's runs of one fault in a scenario of candidate processes (zookeeper, consul).
 */
final class FailoverStats {

	/** From just before the signal to another candidate's first "leader" line, in ms. */
	final List<Double> newLeader = new ArrayList<>();

	int missing;

	int killedAfterTerm;

	/** kill -9, engine only: runs where a survivor read the closed connection as the leader's death. */
	int crashRead;

	/** kill -9, engine only: runs where no survivor read a crash but one read a reset. */
	int resetRead;

	/** SIGSTOP only: from SIGCONT to the thawed leader's first answer that it does not lead. */
	final List<Double> notLeadingAfterThaw = new ArrayList<>();

	/** SIGSTOP only: from SIGCONT to its revocation line. */
	final List<Double> revokedAfterThaw = new ArrayList<>();

	final Map<String, Integer> reasons = new TreeMap<>();

	int stillLeading;

	int tokenChecks;

	int stale;

	/** Runs where it was asked whether the old leader's work still ran once the new leader's had started. */
	int workChecks;

	/** Of those, runs where it did: two holders' work ran at once. */
	int workStillRunning;

}
