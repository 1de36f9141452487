package dev.clustering.benchmark;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import dev.clustering.membership.LeaveReason;

/**
 * Everything measured at one cluster size. NaN means "not measured".
 */
final class SizeResult {

	final int size;

	// 1. membership
	boolean formed;

	double startedMillis = Double.NaN;

	double formationMillis = Double.NaN;

	int nodesFull;

	int minMembers;

	long joinsAtFormation;

	long leavesAtFormation;

	long joinsDuringSettle;

	// 2. memory
	double heapPerNode = Double.NaN;

	double directPerNode = Double.NaN;

	double threadsPerNode = Double.NaN;

	// 3. traffic
	double writtenPerNodePerSecond = Double.NaN;

	double readPerNodePerSecond = Double.NaN;

	double windowSeconds = Double.NaN;

	// 4. crashes
	int kills;

	final List<Double> killPairs = new ArrayList<>();

	final List<Double> killMaxPerKill = new ArrayList<>();

	final List<Double> killRejoin = new ArrayList<>();

	int killMissing;

	final Map<LeaveReason, Integer> killReasons = new EnumMap<>(LeaveReason.class);

	// 5. freezes
	int freezes;

	final List<Double> freezePairs = new ArrayList<>();

	final List<Double> freezeMaxPerFreeze = new ArrayList<>();

	final List<Double> freezeFreshObservers = new ArrayList<>();

	final List<Double> freezeThawedObservers = new ArrayList<>();

	final List<Double> freezeRejoin = new ArrayList<>();

	int freezeMissing;

	/** Every (freeze, observer) detection, to show the slowest ones with what they had been through. */
	final List<Pair> freezeDetections = new ArrayList<>();

	/** Nodes restarted by the kill phase (their detectors, and their peers' detectors for them, are young). */
	final Set<String> restarted = new HashSet<>();

	final Map<LeaveReason, Integer> freezeReasons = new EnumMap<>(LeaveReason.class);

	double freezeWorstHiccup = Double.NaN;

	// 6. idle
	double idleSeconds = Double.NaN;

	long idleLeaves = -1;

	long idleJoins = -1;

	double idleWorstHiccup = Double.NaN;

	// all phases
	final List<String> unexpected = new ArrayList<>();

	final List<String> problems = new ArrayList<>();

	double closeMillis = Double.NaN;

	int threadsLeft;

	double heapRetained = Double.NaN;

	record Pair(int fault, String victim, String observer, double millis, String notes) {
	}

	SizeResult(int size) {
		this.size = size;
	}

	double heapPerPeer() {
		return this.heapPerNode / (this.size - 1);
	}

}
