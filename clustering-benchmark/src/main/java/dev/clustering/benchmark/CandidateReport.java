package dev.clustering.benchmark;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * The figures of a scenario of candidate processes (zookeeper, consul), per fault and side, and its
 * table: both sides in one row, the ratio B/A of the two, and this project's goal and verdict for A.
 */
abstract class CandidateReport {

	/**
	 * A goal of A's new-leader times.
	 * @param text as printed
	 * @param verdict whether the sorted times meet it
	 */
	record Goal(String text, Function<double[], Boolean> verdict) {
	}

	/** This project's side. */
	final CandidateSide a;

	/** The other side. */
	final CandidateSide b;

	String server = "-";

	final Map<Fault, Map<CandidateSide, FailoverStats>> stats = new EnumMap<>(Fault.class);

	double worstHiccup;

	double seconds;

	final List<String> problems = new ArrayList<>();

	CandidateReport(CandidateSide a, CandidateSide b) {
		this.a = a;
		this.b = b;
		for (Fault fault : Fault.values()) {
			this.stats.put(fault, new LinkedHashMap<>());
		}
	}

	/** Both sides, A first. */
	List<CandidateSide> sides() {
		return List.of(this.a, this.b);
	}

	FailoverStats of(Fault fault, CandidateSide side) {
		return this.stats.get(fault).computeIfAbsent(side, (k) -> new FailoverStats());
	}

	/** The first line, without its closing rule. */
	abstract String title();

	/** The lines between the title and the table: the server, and what t0 and t1 are. */
	abstract List<String> preamble();

	/** A's goal for the new leader after a fault. */
	abstract Goal goal(Fault fault);

	/** Rows of a fault after its own; none unless a scenario has more to say. */
	void moreRows(Fault fault) {
	}

	void print() {
		System.out.println();
		System.out.println(title() + " " + "=".repeat(10));
		preamble().forEach(System.out::println);
		System.out.printf("%-50s %-14s %-14s %-8s %-18s %s%n", "measure", this.a.column(), this.b.column(), "B/A",
				"goal (A)", "");
		System.out.println("-".repeat(112));
		election(Fault.STOP, "1");
		exits();
		moreRows(Fault.STOP);
		election(Fault.KILL, "2");
		FailoverStats killed = of(Fault.KILL, this.a);
		line("    runs a survivor read a crash (end of stream)", killed.crashRead + " / " + killed.newLeader.size(),
				"n/a", "", "", null);
		line("    runs the survivors read a reset only", killed.resetRead + " / " + killed.newLeader.size(), "n/a", "",
				"", null);
		moreRows(Fault.KILL);
		election(Fault.FREEZE, "3");
		thaws();
		moreRows(Fault.FREEZE);
		line("  worst JVM scheduling hiccup (benchmark JVM)", Format.ms(this.worstHiccup), "", "", "", null);
		line("  scenario run time", Format.num(this.seconds, 0) + " s", "", "", "", null);
		ClusterBenchmark.printProblems(this.problems);
	}

	private void election(Fault fault, String number) {
		double[] a = Format.sorted(of(fault, this.a).newLeader);
		double[] b = Format.sorted(of(fault, this.b).newLeader);
		Goal goal = goal(fault);
		line(number + " " + fault.label + ", " + a.length + " + " + b.length + " runs", "", "", "", "", null);
		line("    new leader after: median", Format.ms(Format.percentile(a, 50)),
				ofB(fault, () -> Format.ms(Format.percentile(b, 50))),
				ratio(Format.percentile(b, 50), Format.percentile(a, 50)), goal.text(),
				(a.length == 0) ? null : goal.verdict().apply(a));
		line("    p90", Format.ms(Format.percentile(a, 90)), ofB(fault, () -> Format.ms(Format.percentile(b, 90))),
				ratio(Format.percentile(b, 90), Format.percentile(a, 90)), "", null);
		line("    max", Format.ms(Format.max(a)), ofB(fault, () -> Format.ms(Format.max(b))),
				ratio(Format.max(b), Format.max(a)), "", null);
		line("    runs without a new leader in time", String.valueOf(of(fault, this.a).missing),
				ofB(fault, () -> String.valueOf(of(fault, this.b).missing)), "", "0",
				(a.length == 0) ? null : of(fault, this.a).missing == 0);
	}

	private void exits() {
		line("    SIGTERM not enough (killed after 10 s)", String.valueOf(of(Fault.STOP, this.a).killedAfterTerm),
				ofB(Fault.STOP, () -> String.valueOf(of(Fault.STOP, this.b).killedAfterTerm)), "", "", null);
	}

	private void thaws() {
		FailoverStats a = of(Fault.FREEZE, this.a);
		FailoverStats b = of(Fault.FREEZE, this.b);
		line("    not leading (its answer) after SIGCONT p50/max", Format.pairMax(Format.sorted(a.notLeadingAfterThaw)),
				ofB(Fault.FREEZE, () -> Format.pairMax(Format.sorted(b.notLeadingAfterThaw))), "", "", null);
		line("    its revocation line after SIGCONT p50 / max", Format.pairMax(Format.sorted(a.revokedAfterThaw)),
				ofB(Fault.FREEZE, () -> Format.pairMax(Format.sorted(b.revokedAfterThaw))), "", "", null);
		line("      revocations seen (reason)", reasons(a), ofB(Fault.FREEZE, () -> reasons(b)), "", "", null);
		line("    still leading at the end of the watch", String.valueOf(a.stillLeading),
				ofB(Fault.FREEZE, () -> String.valueOf(b.stillLeading)), "", "0",
				a.notLeadingAfterThaw.isEmpty() ? null : a.stillLeading == 0);
		line("    old token < new leader's (stale), runs", a.stale + " / " + a.tokenChecks,
				ofB(Fault.FREEZE, () -> this.b.hasTokens() ? b.stale + " / " + b.tokenChecks : "n/a: no token"), "",
				"all", (a.tokenChecks == 0) ? null : a.stale == a.tokenChecks);
	}

	/** B's cell of a fault's row, or "not run" when B is not put through that fault. */
	String ofB(Fault fault, Supplier<String> cell) {
		return this.b.runs(fault) ? cell.get() : "not run";
	}

	private static String reasons(FailoverStats s) {
		if (s.reasons.isEmpty()) {
			return "none";
		}
		List<String> parts = new ArrayList<>();
		s.reasons.forEach((reason, count) -> parts.add(count + " " + reason));
		return String.join(", ", parts);
	}

	private static String ratio(double b, double a) {
		if (Double.isNaN(a) || Double.isNaN(b) || Double.isInfinite(a) || Double.isInfinite(b) || a <= 0) {
			return "-";
		}
		return String.format(Locale.ROOT, "%.1fx", b / a);
	}

	static void line(String label, String a, String b, String ratio, String goal, Boolean ok) {
		String verdict = (ok == null) ? "" : (ok ? "ok" : "MISSED");
		System.out.printf("%-50s %-14s %-14s %-8s %-18s %s%n", label, a, b, ratio, goal, verdict);
	}

}
