package dev.clustering.faults;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;

import dev.clustering.faults.CheckResult.Convergence;
import dev.clustering.faults.CheckResult.ExplainedGap;
import dev.clustering.faults.CheckResult.FaultWindow;
import dev.clustering.faults.CheckResult.Gap;
import dev.clustering.faults.CheckResult.Run;
import dev.clustering.faults.HistoryLine.Kind;
import dev.clustering.faults.Violation.Rule;

/**
 * Checks a recorded history against the suite's rules, with no lab: a pure function of the nodes'
 * history lines and the driver's log.
 * <ol>
 * <li>No two runs of one singleton overlap while each believes its token valid: for any two runs,
 * every observation (start, tick) of one comes before the first observation of the other.</li>
 * <li>Singleton tokens strictly increase in start order; leader tokens never interleave (every
 * {@code lead} line of a token comes before the first of any larger token), and no token is held
 * by two processes.</li>
 * <li>After the cluster is ready, no singleton goes unobserved for longer than {@code maxGap},
 * except inside fault windows that touch a majority of the nodes. A longer gap is explained, not a
 * violation, when a later fault during it legitimately started the failover over (the leader, or
 * the node that ran the singleton next, was sent KILL, TERM or STOP; a lost quorum came back) and
 * the singleton was back within {@code maxGap} of that: overlapping faults of the crash loop.</li>
 * <li>After every heal the views agreed within {@code convergenceBound}.</li>
 * </ol>
 * Besides, every check the driver made live and recorded as failed ({@code broken} in its log: the
 * attack's) is a violation.
 */
final class HistoryChecker {

	private static final long REPORTED_GAP_MILLIS = 500;

	private final List<String> singletons;

	private final Duration maxGap;

	private final Duration convergenceBound;

	/**
	 * @param singletons the singletons that must always run somewhere
	 * @param maxGap longest allowed time without an observed run while a quorum is up
	 * @param convergenceBound longest allowed time from a heal to agreeing views
	 */
	HistoryChecker(List<String> singletons, Duration maxGap, Duration convergenceBound) {
		this.singletons = List.copyOf(singletons);
		this.maxGap = maxGap;
		this.convergenceBound = convergenceBound;
	}

	CheckResult check(History history, List<DriverLog.Event> driver) {
		List<Violation> violations = new ArrayList<>();
		for (String line : history.unreadable()) {
			violations.add(new Violation(Rule.UNREADABLE, 0, "a history line does not parse", List.of(line)));
		}
		long ready = driver.stream().filter((e) -> e.type().equals("ready")).mapToLong(DriverLog.Event::at).findFirst()
			.orElse(history.lines().isEmpty() ? 0 : history.lines().get(0).at());
		long finish = driver.stream().filter((e) -> e.type().equals("finish")).mapToLong(DriverLog.Event::at).findFirst()
			.orElse(history.lines().isEmpty() ? ready : history.lines().get(history.lines().size() - 1).at());
		List<HistoryLine> lines = history.lines().stream().filter((l) -> l.at() <= finish).toList();
		List<FaultWindow> windows = windows(driver, finish);
		Map<Long, List<DriverLog.Event>> signals = driver.stream()
			.filter((e) -> e.type().equals("signal"))
			.collect(Collectors.groupingBy((e) -> Long.parseLong(e.arg(1))));

		List<Run> runs = runs(lines);
		overlaps(runs, signals, violations);
		singletonTokens(lines, violations);
		leaderTokens(lines, violations);
		List<Gap> gaps = gaps(lines, ready, finish, windows);
		List<ExplainedGap> explained = new ArrayList<>();
		for (Gap gap : gaps) {
			if (gap.effective() > this.maxGap.toMillis()) {
				Restart restart = lastRestart(gap, lines, driver);
				if (restart != null && gap.to() - restart.at() <= this.maxGap.toMillis()) {
					explained.add(new ExplainedGap(gap, restart.at(), restart.why()));
					continue;
				}
				violations.add(new Violation(Rule.GAP, gap.from(),
						gap.singleton() + " was observed nowhere for " + seconds(gap.effective()) + " with a quorum up"
								+ " (bound " + seconds(this.maxGap.toMillis()) + "; whole gap " + seconds(gap.length())
								+ ((restart != null) ? "; " + seconds(gap.to() - restart.at()) + " after " + restart.why()
										+ " at " + HistoryLine.clock(restart.at()) : "")
								+ ")",
						around(lines, gap)));
			}
		}
		List<Convergence> convergences = convergences(driver);
		for (Convergence c : convergences) {
			if (!c.agreed() || c.millis() > this.convergenceBound.toMillis()) {
				violations.add(new Violation(Rule.CONVERGENCE, c.at(),
						"after healing " + c.id() + " the views " + (c.agreed() ? "agreed only after " + seconds(c.millis())
								: "still disagreed after " + seconds(c.millis()))
								+ " (bound " + seconds(this.convergenceBound.toMillis()) + ")",
						c.views().isEmpty() ? List.of() : List.of(c.views())));
			}
		}
		for (DriverLog.Event e : driver) {
			if (e.type().equals("broken")) {
				violations.add(new Violation(Rule.LIVE_CHECK, e.at(), e.arg(0) + ": " + e.rest(1), List.of()));
			}
		}
		violations.sort(Comparator.comparingLong(Violation::at));
		return new CheckResult(violations, runs, gaps, explained, windows, convergences, ready, finish);
	}

	private static List<Run> runs(List<HistoryLine> lines) {
		record Key(String singleton, String node, long pid, long token) {
		}
		Map<Key, List<HistoryLine>> observations = new LinkedHashMap<>();
		Map<Key, HistoryLine> stops = new LinkedHashMap<>();
		for (HistoryLine line : lines) {
			if (line.kind() == Kind.LEAD) {
				continue;
			}
			Key key = new Key(line.singleton(), line.node(), line.pid(), line.token());
			if (line.isObservation()) {
				observations.computeIfAbsent(key, (k) -> new ArrayList<>()).add(line);
			}
			else {
				stops.putIfAbsent(key, line);
			}
		}
		List<Run> runs = new ArrayList<>();
		observations.forEach((k, obs) -> runs.add(new Run(k.singleton(), k.node(), k.pid(), k.token(), List.copyOf(obs),
				stops.get(k))));
		runs.sort(Comparator.comparingLong((Run r) -> r.first().at()).thenComparingLong(Run::token));
		return runs;
	}

	private static void overlaps(List<Run> runs, Map<Long, List<DriverLog.Event>> signals, List<Violation> violations) {
		for (int j = 0; j < runs.size(); j++) {
			Run later = runs.get(j);
			for (int i = 0; i < j; i++) {
				Run earlier = runs.get(i);
				if (!earlier.singleton().equals(later.singleton()) || earlier.last().at() < later.first().at()) {
					continue;
				}
				HistoryLine stillValid = earlier.observations().stream()
					.filter((l) -> l.at() >= later.first().at())
					.findFirst()
					.orElseThrow();
				violations.add(new Violation(Rule.OVERLAP, later.first().at(),
						"two runs of " + later.singleton() + " believed their token valid at once: " + earlier.label()
								+ " (" + ending(earlier, signals) + ") was still observed "
								+ (earlier.last().at() - later.first().at()) + " ms after " + later.label()
								+ " started at " + HistoryLine.clock(later.first().at()) + " (" + ending(later, signals)
								+ ")",
						List.of(earlier.first().cite(), later.first().cite(), stillValid.cite(), earlier.last().cite())));
			}
		}
	}

	private static String ending(Run run, Map<Long, List<DriverLog.Event>> signals) {
		long until = (run.stop() != null) ? run.stop().at() : Long.MAX_VALUE;
		List<String> sent = signals.getOrDefault(run.pid(), List.of()).stream()
			.filter((e) -> e.at() >= run.first().at() && e.at() <= until)
			.map((e) -> e.arg(2) + " at " + HistoryLine.clock(e.at()))
			.toList();
		String end = (run.stop() != null) ? "stopped " + run.stop().detail() + " at " + HistoryLine.clock(run.stop().at())
				: "no stop line, last seen " + HistoryLine.clock(run.last().at());
		return end + (sent.isEmpty() ? "" : "; the driver sent " + String.join(", ", sent));
	}

	private static void singletonTokens(List<HistoryLine> lines, List<Violation> violations) {
		Map<String, HistoryLine> highest = new TreeMap<>();
		List<HistoryLine> starts = lines.stream()
			.filter((l) -> l.kind() == Kind.START)
			.sorted(Comparator.comparingLong(HistoryLine::at).thenComparingLong(HistoryLine::token))
			.toList();
		for (HistoryLine start : starts) {
			HistoryLine before = highest.get(start.singleton());
			if (before != null && start.token() <= before.token()) {
				violations.add(new Violation(Rule.SINGLETON_TOKEN, start.at(),
						start.singleton() + " started on " + start.node() + " with token " + start.token()
								+ ", not above token " + before.token() + " started earlier on " + before.node(),
						List.of(before.cite(), start.cite())));
			}
			if (before == null || start.token() > before.token()) {
				highest.put(start.singleton(), start);
			}
		}
	}

	private static void leaderTokens(List<HistoryLine> lines, List<Violation> violations) {
		Map<Long, List<HistoryLine>> terms = new TreeMap<>();
		for (HistoryLine line : lines) {
			if (line.kind() == Kind.LEAD) {
				terms.computeIfAbsent(line.token(), (k) -> new ArrayList<>()).add(line);
			}
		}
		List<HistoryLine> latestTerm = null;
		for (List<HistoryLine> term : terms.values()) {
			Map<String, HistoryLine> holders = new LinkedHashMap<>();
			term.forEach((l) -> holders.putIfAbsent(l.node() + " pid " + l.pid(), l));
			if (holders.size() > 1) {
				violations.add(new Violation(Rule.LEADER_TOKEN, term.get(0).at(),
						"leader token " + term.get(0).token() + " was held by " + String.join(" and ", holders.keySet()),
						holders.values().stream().map(HistoryLine::cite).toList()));
			}
			HistoryLine first = term.get(0);
			if (latestTerm != null && last(latestTerm).at() >= first.at()) {
				HistoryLine stillLeading = latestTerm.stream().filter((l) -> l.at() >= first.at()).findFirst().orElseThrow();
				violations.add(new Violation(Rule.LEADER_TOKEN, first.at(),
						"leader tokens interleave: " + latestTerm.get(0).node() + " still led with token "
								+ latestTerm.get(0).token() + " until " + HistoryLine.clock(last(latestTerm).at())
								+ " after " + first.node() + " led with the larger token " + first.token() + " from "
								+ HistoryLine.clock(first.at()),
						List.of(latestTerm.get(0).cite(), first.cite(), stillLeading.cite(), last(latestTerm).cite())));
			}
			if (latestTerm == null || last(term).at() > last(latestTerm).at()) {
				latestTerm = term;
			}
		}
	}

	private static HistoryLine last(List<HistoryLine> lines) {
		return lines.get(lines.size() - 1);
	}

	private List<Gap> gaps(List<HistoryLine> lines, long ready, long finish, List<FaultWindow> windows) {
		List<FaultWindow> exempt = windows.stream()
			.filter((w) -> !w.quorum())
			.sorted(Comparator.comparingLong(FaultWindow::begin))
			.toList();
		List<Gap> gaps = new ArrayList<>();
		for (String singleton : this.singletons) {
			long previous = ready;
			for (HistoryLine line : lines) {
				if (!line.isObservation() || !singleton.equals(line.singleton())) {
					continue;
				}
				if (line.at() > previous) {
					add(gaps, singleton, previous, line.at(), exempt);
				}
				previous = Math.max(previous, line.at());
			}
			add(gaps, singleton, previous, finish, exempt);
		}
		return gaps;
	}

	private static void add(List<Gap> gaps, String singleton, long from, long to, List<FaultWindow> exempt) {
		if (to - from <= REPORTED_GAP_MILLIS) {
			return;
		}
		gaps.add(new Gap(singleton, from, to, uncovered(from, to, exempt)));
	}

	/** The longest part of [from, to] that no exempt window covers. */
	static long uncovered(long from, long to, List<FaultWindow> exempt) {
		long longest = 0;
		long cursor = from;
		for (FaultWindow window : exempt) {
			if (window.end() <= cursor) {
				continue;
			}
			if (window.begin() >= to) {
				break;
			}
			longest = Math.max(longest, window.begin() - cursor);
			cursor = Math.max(cursor, window.end());
			if (cursor >= to) {
				return longest;
			}
		}
		return Math.max(longest, to - cursor);
	}

	private record Restart(long at, String why) {
	}

	/**
	 * The last moment during a gap at which a failover legitimately started over: the leader (a node
	 * that logged {@code lead} within the second before) or the node that ran the singleton next was
	 * sent KILL, TERM or STOP, or a lost quorum came back (nodes count as down from KILL or TERM to
	 * their next spawn, and from STOP to CONT).
	 */
	private static Restart lastRestart(Gap gap, List<HistoryLine> lines, List<DriverLog.Event> driver) {
		String next = lines.stream()
			.filter((l) -> l.isObservation() && gap.singleton().equals(l.singleton()) && l.at() >= gap.to())
			.findFirst()
			.map(HistoryLine::node)
			.orElse(null);
		Set<String> nodes = new HashSet<>();
		lines.forEach((l) -> nodes.add(l.node()));
		driver.stream().filter((e) -> e.type().equals("spawn")).forEach((e) -> nodes.add(e.arg(0)));
		int majority = nodes.size() / 2 + 1;
		Set<String> down = new HashSet<>();
		Restart last = null;
		for (DriverLog.Event e : driver) {
			if (e.at() >= gap.to()) {
				break;
			}
			boolean lostBefore = nodes.size() - down.size() < majority;
			String node = e.args().isEmpty() ? null : e.arg(0);
			String signal = (e.type().equals("signal") && e.args().size() > 2) ? e.arg(2) : null;
			if (e.type().equals("spawn") || "CONT".equals(signal)) {
				down.remove(node);
			}
			else if ("KILL".equals(signal) || "TERM".equals(signal) || "STOP".equals(signal)) {
				down.add(node);
				if (e.at() > gap.from() && node.equals(next)) {
					last = new Restart(e.at(), node + ", where it ran next, was sent " + signal);
				}
				else if (e.at() > gap.from() && led(lines, node, e.at())) {
					last = new Restart(e.at(), "the leader " + node + " was sent " + signal);
				}
			}
			if (e.at() > gap.from() && lostBefore && nodes.size() - down.size() >= majority) {
				last = new Restart(e.at(), "a quorum was back (" + (nodes.size() - down.size()) + " of " + nodes.size()
						+ " nodes up)");
			}
		}
		return last;
	}

	// whether a node logged a lead line within the second before a moment
	private static boolean led(List<HistoryLine> lines, String node, long at) {
		return lines.stream()
			.anyMatch((l) -> l.kind() == Kind.LEAD && l.node().equals(node) && l.at() <= at && at - l.at() <= 1000);
	}

	private static List<String> around(List<HistoryLine> lines, Gap gap) {
		List<String> evidence = new ArrayList<>();
		lines.stream()
			.filter((l) -> l.isObservation() && gap.singleton().equals(l.singleton()) && l.at() <= gap.from())
			.reduce((a, b) -> b)
			.ifPresent((l) -> evidence.add("last before: " + l.cite()));
		lines.stream()
			.filter((l) -> l.isObservation() && gap.singleton().equals(l.singleton()) && l.at() >= gap.to())
			.findFirst()
			.ifPresentOrElse((l) -> evidence.add("next: " + l.cite()),
					() -> evidence.add("next: none before the driver finished"));
		return evidence;
	}

	private static List<FaultWindow> windows(List<DriverLog.Event> driver, long finish) {
		Map<String, Long> ends = new LinkedHashMap<>();
		driver.stream().filter((e) -> e.type().equals("end")).forEach((e) -> ends.putIfAbsent(e.arg(0), e.at()));
		List<FaultWindow> windows = new ArrayList<>();
		for (DriverLog.Event e : driver) {
			if (e.type().equals("begin")) {
				List<String> affected = e.arg(3).equals("-") ? List.of() : List.of(e.arg(3).split(","));
				windows.add(new FaultWindow(e.arg(0), e.arg(1), e.at(), ends.getOrDefault(e.arg(0), finish),
						e.arg(2).equals("quorum"), affected));
			}
		}
		return windows;
	}

	private static List<Convergence> convergences(List<DriverLog.Event> driver) {
		List<Convergence> convergences = new ArrayList<>();
		for (DriverLog.Event e : driver) {
			if (e.type().equals("converged")) {
				convergences.add(new Convergence(e.arg(0), e.at(), Long.parseLong(e.arg(1)), true, ""));
			}
			else if (e.type().equals("diverged")) {
				convergences.add(new Convergence(e.arg(0), e.at(), Long.parseLong(e.arg(1)), false, e.rest(2)));
			}
		}
		return convergences;
	}

	static String seconds(long millis) {
		return String.format(Locale.ROOT, "%.1f s", millis / 1000.0);
	}

}
