package dev.clustering.faults;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import dev.clustering.faults.CheckResult.Convergence;
import dev.clustering.faults.CheckResult.FaultWindow;
import dev.clustering.faults.CheckResult.Gap;
import dev.clustering.faults.Violation.Rule;

/**
 * The suite's table: one row per kind of fault. A fault owns the time from its start to the start
 * of the next one (so its heal and convergence count for it); violations and gaps are attributed
 * by when they began.
 */
final class FaultTable {

	private static final String FORMAT = "%-22s %5s %9s %9s %9s %9s %9s %13s%n";

	private FaultTable() {
	}

	private static final class Row {

		int runs;

		int failures;

		int overlaps;

		long longestGap;

		long longestRawGap;

		final List<Convergence> convergences = new ArrayList<>();

	}

	static String render(CheckResult result, long goalMillis) {
		List<FaultWindow> windows = new ArrayList<>(result.windows());
		windows.sort(Comparator.comparingLong(FaultWindow::begin));
		Map<String, Row> rows = new LinkedHashMap<>();
		Row before = new Row();
		rows.put("(before faults)", before);
		Map<String, Convergence> byId = new LinkedHashMap<>();
		result.convergences().forEach((c) -> byId.putIfAbsent(c.id(), c));
		for (int i = 0; i < windows.size(); i++) {
			FaultWindow window = windows.get(i);
			long from = window.begin();
			long to = (i + 1 < windows.size()) ? windows.get(i + 1).begin() : result.finish() + 1;
			Row row = rows.computeIfAbsent(window.kind(), (k) -> new Row());
			row.runs++;
			boolean failed = false;
			for (Violation v : result.violations()) {
				if (v.at() >= from && v.at() < to) {
					failed = true;
					row.overlaps += (v.rule() == Rule.OVERLAP) ? 1 : 0;
				}
			}
			row.failures += failed ? 1 : 0;
			for (Gap gap : result.gaps()) {
				if (gap.from() >= from && gap.from() < to) {
					row.longestGap = Math.max(row.longestGap, gap.effective());
					row.longestRawGap = Math.max(row.longestRawGap, gap.length());
				}
			}
			Convergence convergence = byId.get(window.id());
			if (convergence != null) {
				row.convergences.add(convergence);
			}
		}
		long firstBegin = windows.isEmpty() ? result.finish() + 1 : windows.get(0).begin();
		for (Violation v : result.violations()) {
			if (v.at() < firstBegin) {
				before.failures++;
				before.overlaps += (v.rule() == Rule.OVERLAP) ? 1 : 0;
			}
		}
		for (Gap gap : result.gaps()) {
			if (gap.from() < firstBegin) {
				before.longestGap = Math.max(before.longestGap, gap.effective());
				before.longestRawGap = Math.max(before.longestRawGap, gap.length());
			}
		}

		StringBuilder text = new StringBuilder();
		text.append(String.format(Locale.ROOT, FORMAT, "fault", "runs", "failures", "conv p50", "conv p99", "conv max",
				"overlaps", "longest gap"));
		Row total = new Row();
		rows.forEach((kind, row) -> {
			text.append(line(kind, row));
			total.runs += row.runs;
			total.failures += row.failures;
			total.overlaps += row.overlaps;
			total.longestGap = Math.max(total.longestGap, row.longestGap);
			total.longestRawGap = Math.max(total.longestRawGap, row.longestRawGap);
			total.convergences.addAll(row.convergences);
		});
		text.append(line("total", total));
		long withinGoal = total.convergences.stream().filter((c) -> c.agreed() && c.millis() <= goalMillis).count();
		text.append(String.format(Locale.ROOT, "convergence within the %s goal: %d of %d heals; violations: %d%n",
				HistoryChecker.seconds(goalMillis), withinGoal, total.convergences.size(), result.violations().size()));
		return text.toString();
	}

	private static String line(String kind, Row row) {
		List<Convergence> sorted = new ArrayList<>(row.convergences);
		sorted.sort(Comparator.comparingLong(FaultTable::rank));
		String gap = (row.longestRawGap == 0) ? "-" : HistoryChecker.seconds(row.longestGap)
				+ ((row.longestRawGap > row.longestGap) ? " (" + HistoryChecker.seconds(row.longestRawGap) + ")" : "");
		return String.format(Locale.ROOT, FORMAT, kind, row.runs, row.failures, percentile(sorted, 50),
				percentile(sorted, 99), percentile(sorted, 100), row.overlaps, gap);
	}

	// a heal that never converged ranks above every one that did
	private static long rank(Convergence c) {
		return c.agreed() ? c.millis() : Long.MAX_VALUE / 2 + c.millis();
	}

	private static String percentile(List<Convergence> sorted, int p) {
		if (sorted.isEmpty()) {
			return "-";
		}
		int index = Math.max(0, (int) Math.ceil(p / 100.0 * sorted.size()) - 1);
		Convergence c = sorted.get(index);
		return (c.agreed() ? "" : ">") + HistoryChecker.seconds(c.millis()).replace(" s", "s");
	}

}
