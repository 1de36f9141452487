package dev.clustering.benchmark;

import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.stream.Collectors;

import dev.clustering.membership.LeaveReason;

import static dev.clustering.benchmark.ClusterBenchmark.header;
import static dev.clustering.benchmark.ClusterBenchmark.row;

/**
 * The size scenario's report: a table per size of what {@link SizeScenario} measured, against the
 * goals, then a summary across the sizes with a least-squares model of the heap per node.
 */
final class SizeReport {

	private static final double GOAL_FORMATION_MS = 3000;

	private static final double GOAL_HEAP_PER_NODE = 8 * 1024 * 1024;

	private static final double GOAL_CRASH_P99_MS = 50;

	private static final double GOAL_FREEZE_P99_MS = 3000;

	private SizeReport() {
	}

	static void print(SizeResult r, BenchmarkOptions options) {
		int n = r.size;
		System.out.println();
		System.out.printf("=== N = %d nodes (%d peers each, %d links) %s%n", n, n - 1, n * (n - 1) / 2,
				"=".repeat(Math.max(3, 60 - String.valueOf(n).length() * 3)));
		header();
		row("1 time to full membership", Format.ms(r.formationMillis), "< 3 s (at 50)",
				Format.verdict(r.formationMillis, GOAL_FORMATION_MS));
		row("    all N start() calls returned after", Format.ms(r.startedMillis), "", null);
		row("    joined / left events while forming", r.joinsAtFormation + " / " + r.leavesAtFormation,
				"exactly " + ((long) n * (n - 1)) + " / 0",
				r.formed ? r.joinsAtFormation == (long) n * (n - 1) && r.leavesAtFormation == 0 : null);
		if (!Double.isNaN(r.heapPerNode)) {
			row("    extra joins during settle", String.valueOf(r.joinsDuringSettle), "0", r.joinsDuringSettle == 0);
		}
		row("2 idle heap per node", Format.bytes(r.heapPerNode), "< 8 MB (at 50)",
				Format.verdict(r.heapPerNode, GOAL_HEAP_PER_NODE));
		row("    heap per peer (per node / (N-1))", Format.bytes(r.heapPerPeer()), "flat across N", null);
		row("    direct buffers per node", Format.bytes(r.directPerNode), "", null);
		row("    threads per node", Format.num(r.threadsPerNode, 1), "", null);
		row("3 heartbeat bytes written per node", Format.rate(r.writtenPerNodePerSecond), "", null);
		row("    per peer", Format.rate(r.writtenPerNodePerSecond / (n - 1)), "", null);
		row("    bytes read per node (check)", Format.rate(r.readPerNodePerSecond), "= written", null);
		printFaults(r, r.kills, options, "4 crash detection", "kill", "< 50 ms", GOAL_CRASH_P99_MS, "CONNECTION_LOST",
				"restart");
		printFaults(r, r.freezes, options, "5 freeze detection", "freeze", "< 3 s", GOAL_FREEZE_P99_MS, "UNREACHABLE",
				"thaw");
		printSlowest("slowest pairs:", r.freezeDetections, (p) -> true);
		printSlowest("slowest pairs whose observer was never frozen:", r.freezeDetections,
				(p) -> !p.notes().contains("observer was frozen"));
		row("    worst JVM scheduling hiccup (freezes)", Format.ms(r.freezeWorstHiccup), "", null);
		if (r.idleLeaves >= 0) {
			row("6 false detections while idle " + Format.num(r.idleSeconds, 0) + " s", String.valueOf(r.idleLeaves),
					"0", r.idleLeaves == 0);
			row("    joined events while idle", String.valueOf(r.idleJoins), "0", r.idleJoins == 0);
			row("    worst JVM scheduling hiccup (idle)", Format.ms(r.idleWorstHiccup), "", null);
		}
		else {
			row("6 false detections while idle", "not run at this size", "", null);
		}
		row("  unexpected leave events (all phases)", String.valueOf(r.unexpected.size()), "0", r.unexpected.isEmpty());
		row("  graceful close of all nodes", Format.ms(r.closeMillis), "", null);
		row("  threads left after close", String.valueOf(r.threadsLeft), "0", r.threadsLeft <= 0);
		row("  heap retained after close", Format.bytes(r.heapRetained), "~0", null);
		int shown = 0;
		for (String line : r.unexpected) {
			if (shown++ == 10) {
				System.out.printf("    ... and %d more%n", r.unexpected.size() - 10);
				break;
			}
			System.out.println("    unexpected: " + line);
		}
		ClusterBenchmark.printProblems(r.problems);
	}

	private static void printFaults(SizeResult r, SizeResult.Faults f, BenchmarkOptions options, String title,
			String kind, String goal, double goalMillis, String reason, String back) {
		double[] pairs = Format.sorted(f.pairs);
		row(title + " p50 (" + f.count + " " + kind + "s, " + pairs.length + " pairs)",
				Format.ms(Format.percentile(pairs, 50)), "", null);
		row("    p99 over (" + kind + ", observer) pairs", Format.ms(Format.percentile(pairs, 99)), goal,
				Format.verdict(Format.percentile(pairs, 99), goalMillis));
		row("    max over pairs", Format.ms(Format.max(pairs)), "", null);
		row("    slowest observer per " + kind + " p50 / p99", Format.pair(Format.sorted(f.maxPerFault)), "", null);
		if (kind.equals("freeze")) {
			double[] fresh = Format.sorted(r.freezeFreshObservers);
			double[] thawed = Format.sorted(r.freezeThawedObservers);
			row("    observers never frozen: n, p50 / p99", fresh.length + ", " + Format.pair(fresh), "", null);
			row("    observers frozen+thawed before: n, p50 / p99", thawed.length + ", " + Format.pair(thawed), "", null);
		}
		row("    observers that never saw it leave (" + Format.duration(options.detectTimeout) + ")",
				String.valueOf(f.missing), "0", (f.count > 0) ? f.missing == 0 : null);
		row("    reasons", reasons(f.reasons), reason, null);
		row("    " + back + " -> whole again p50 / max", Format.pairMax(Format.sorted(f.rejoin)), "", null);
	}

	static void printSummary(List<SizeResult> results) {
		System.out.println();
		System.out.println("=== Summary " + "=".repeat(70));
		StringBuilder head = new StringBuilder(String.format("%-36s", ""));
		for (SizeResult r : results) {
			head.append(String.format("%16s", "N=" + r.size));
		}
		head.append("   goal");
		System.out.println(head);
		summaryRow(results, "1 full membership", (r) -> Format.ms(r.formationMillis), "< 3 s at 50");
		summaryRow(results, "2 heap per node", (r) -> Format.bytes(r.heapPerNode), "< 8 MB at 50");
		summaryRow(results, "  heap per peer", (r) -> Format.bytes(r.heapPerPeer()), "flat");
		summaryRow(results, "3 heartbeat bytes/s per node", (r) -> Format.rate(r.writtenPerNodePerSecond), "");
		summaryRow(results, "  bytes/s per peer", (r) -> Format.rate(r.writtenPerNodePerSecond / (r.size - 1)), "");
		summaryRow(results, "4 crash p50 (pairs)", (r) -> Format.ms(r.kills.pairs, 50), "");
		summaryRow(results, "  crash p99 (pairs)", (r) -> Format.ms(r.kills.pairs, 99), "< 50 ms");
		summaryRow(results, "  crash p99 (slowest per kill)", (r) -> Format.ms(r.kills.maxPerFault, 99), "");
		summaryRow(results, "5 freeze p50 (pairs)", (r) -> Format.ms(r.freezes.pairs, 50), "");
		summaryRow(results, "  freeze p99 (pairs)", (r) -> Format.ms(r.freezes.pairs, 99), "< 3 s");
		summaryRow(results, "  freeze p99 (slowest per freeze)", (r) -> Format.ms(r.freezes.maxPerFault, 99), "");
		summaryRow(results, "  freeze p99 (never-frozen observers)", (r) -> Format.ms(r.freezeFreshObservers, 99), "");
		summaryRow(results, "6 idle false detections",
				(r) -> (r.idleLeaves >= 0) ? r.idleLeaves + " in " + Format.num(r.idleSeconds, 0) + "s" : "-", "0");
		summaryRow(results, "  unexpected leaves (all phases)", (r) -> String.valueOf(r.unexpected.size()), "0");
		// heap per node = fixed + perPeer * (N - 1), least squares over the sizes measured
		List<SizeResult> measured = results.stream().filter((r) -> !Double.isNaN(r.heapPerNode)).toList();
		if (measured.size() >= 2) {
			double mx = measured.stream().mapToDouble((r) -> r.size - 1).average().orElse(0);
			double my = measured.stream().mapToDouble((r) -> r.heapPerNode).average().orElse(0);
			double sxy = measured.stream().mapToDouble((r) -> (r.size - 1 - mx) * (r.heapPerNode - my)).sum();
			double sxx = measured.stream().mapToDouble((r) -> (r.size - 1 - mx) * (r.size - 1 - mx)).sum();
			double slope = sxy / sxx;
			double intercept = my - slope * mx;
			System.out.printf("%nHeap model (least squares over the sizes): heap per node ~ %s + %s x (N-1)%n",
					Format.bytes(intercept), Format.bytes(slope));
		}
		boolean anyProblem = results.stream().anyMatch((r) -> !r.problems.isEmpty());
		if (anyProblem) {
			System.out.println("Some sizes reported PROBLEMs; see their tables above.");
		}
	}

	private static void printSlowest(String title, List<SizeResult.Pair> pairs,
			Predicate<SizeResult.Pair> filter) {
		List<SizeResult.Pair> slowest = pairs.stream()
			.filter(filter)
			.sorted(Comparator.comparingDouble(SizeResult.Pair::millis).reversed())
			.limit(4)
			.toList();
		if (slowest.isEmpty()) {
			return;
		}
		System.out.println("      " + title);
		slowest.forEach((p) -> System.out.printf("        freeze %d: %s seen by %s %s%s%n", p.fault(), p.victim(),
				p.observer(), Double.isInfinite(p.millis()) ? "NOT within " + Format.duration(Format.timeout)
						: "after " + Format.ms(p.millis()),
				p.notes().isEmpty() ? "" : " (" + p.notes() + ")"));
	}

	private static void summaryRow(List<SizeResult> results, String label, Function<SizeResult, String> value,
			String goal) {
		StringBuilder line = new StringBuilder(String.format("%-36s", label));
		for (SizeResult r : results) {
			line.append(String.format("%16s", value.apply(r)));
		}
		line.append("   ").append(goal);
		System.out.println(line);
	}

	private static String reasons(Map<LeaveReason, Integer> reasons) {
		if (reasons.isEmpty()) {
			return "-";
		}
		return reasons.entrySet().stream().map((e) -> e.getKey() + " " + e.getValue()).collect(Collectors.joining(", "));
	}

}
