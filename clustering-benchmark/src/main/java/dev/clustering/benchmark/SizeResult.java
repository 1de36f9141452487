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

	// 4. crashes, 5. freezes
	final Faults kills = new Faults();

	final Faults freezes = new Faults();

	final List<Double> freezeFreshObservers = new ArrayList<>();

	final List<Double> freezeThawedObservers = new ArrayList<>();

	/** Every (freeze, observer) detection, to show the slowest ones with what they had been through. */
	final List<Pair> freezeDetections = new ArrayList<>();

	/** Nodes restarted by the kill phase (their detectors, and their peers' detectors for them, are young). */
	final Set<String> restarted = new HashSet<>();

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

	/** The detections of one kind of fault (crashes or freezes). */
	static final class Faults {

		int count;

		/** Delay per (fault, observer) pair, in ms; infinite for an observer that never reported it. */
		final List<Double> pairs = new ArrayList<>();

		/** The slowest observer's delay, per fault. */
		final List<Double> maxPerFault = new ArrayList<>();

		/** From the restart or thaw until the cluster was whole again. */
		final List<Double> rejoin = new ArrayList<>();

		int missing;

		final Map<LeaveReason, Integer> reasons = new EnumMap<>(LeaveReason.class);

	}

	SizeResult(int size) {
		this.size = size;
	}

	double heapPerPeer() {
		return this.heapPerNode / (this.size - 1);
	}

}
