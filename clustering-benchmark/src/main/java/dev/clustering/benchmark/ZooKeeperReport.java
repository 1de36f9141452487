package dev.clustering.benchmark;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;

/**
 * The zookeeper scenario's figures, per fault and side, and its table: both sides in one row, the
 * ratio B/A of the two, and this project's goal and verdict for A.
 */
final class ZooKeeperReport {

	/** Who elects: this project's engine (A) or Spring Integration (B). */
	enum Side {

		ENGINE("A", "engine", true, ZooKeeperCandidate.ENGINE_SETTINGS.electionPath()),

		SPRING("B", "spring", false, ZooKeeperCandidate.SPRING_NAMESPACE + ZooKeeperCandidate.SPRING_ROLE);

		final String letter;

		/** The candidate's first argument. */
		final String kind;

		/** Whether its leaders carry a fencing token. */
		final boolean hasTokens;

		/** Where its candidates queue in ZooKeeper. */
		final String electionPath;

		Side(String letter, String kind, boolean hasTokens, String electionPath) {
			this.letter = letter;
			this.kind = kind;
			this.hasTokens = hasTokens;
			this.electionPath = electionPath;
		}

	}

	/** What happens to the leader's process. */
	enum Fault {

		STOP("graceful stop (SIGTERM)"),

		KILL("kill -9"),

		FREEZE("SIGSTOP, SIGCONT once another leads");

		final String label;

		Fault(String label) {
			this.label = label;
		}

	}

	/** One side's runs of one fault. */
	static final class Stats {

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

	}

	String server = "-";

	long sessionMillis;

	final Map<Fault, Map<Side, Stats>> stats = new EnumMap<>(Fault.class);

	double worstHiccup;

	double seconds;

	final List<String> problems = new ArrayList<>();

	ZooKeeperReport() {
		for (Fault fault : Fault.values()) {
			this.stats.put(fault, new EnumMap<>(Side.class));
		}
	}

	private Stats of(Fault fault, Side side) {
		return this.stats.get(fault).computeIfAbsent(side, (k) -> new Stats());
	}

	void print() {
		System.out.println();
		System.out.println("=== zookeeper: A this project's zookeeper strategy vs B Spring Integration LeaderInitiator, "
				+ "3 processes each, session " + Format.ms(this.sessionMillis) + " " + "=".repeat(10));
		System.out.println("ZooKeeper  " + this.server + ", the same server and session timeout for both");
		System.out.println("t0 just before the signal; t1 the first \"leader\" line of another candidate "
				+ "(both wall clock, this machine)");
		System.out.printf("%-50s %-14s %-14s %-8s %-18s %s%n", "measure", "A engine", "B Spring Int.", "B/A",
				"goal (A)", "");
		System.out.println("-".repeat(112));
		double session = this.sessionMillis;
		election(Fault.STOP, "1", "median < 50 ms", (a) -> Format.percentile(a, 50) < 50);
		exits();
		election(Fault.KILL, "2", "median < 100 ms", (a) -> Format.percentile(a, 50) < 100);
		Stats killed = of(Fault.KILL, Side.ENGINE);
		line("    runs a survivor read a crash (end of stream)", killed.crashRead + " / " + killed.newLeader.size(),
				"n/a", "", "", null);
		line("    runs the survivors read a reset only", killed.resetRead + " / " + killed.newLeader.size(), "n/a", "",
				"", null);
		election(Fault.FREEZE, "3", "max < " + Format.ms(session + 500),
				(a) -> Format.max(a) < session + 500);
		thaws();
		line("  worst JVM scheduling hiccup (benchmark JVM)", Format.ms(this.worstHiccup), "", "", "", null);
		line("  scenario run time", Format.num(this.seconds, 0) + " s", "", "", "", null);
		ClusterBenchmark.printProblems(this.problems);
	}

	private void election(Fault fault, String number, String goal, Function<double[], Boolean> verdict) {
		double[] a = Format.sorted(of(fault, Side.ENGINE).newLeader);
		double[] b = Format.sorted(of(fault, Side.SPRING).newLeader);
		line(number + " " + fault.label + ", " + a.length + " + " + b.length + " runs", "", "", "", "", null);
		line("    new leader after: median", Format.ms(Format.percentile(a, 50)), Format.ms(Format.percentile(b, 50)),
				ratio(Format.percentile(b, 50), Format.percentile(a, 50)), goal,
				(a.length == 0) ? null : verdict.apply(a));
		line("    p90", Format.ms(Format.percentile(a, 90)), Format.ms(Format.percentile(b, 90)),
				ratio(Format.percentile(b, 90), Format.percentile(a, 90)), "", null);
		line("    max", Format.ms(Format.max(a)), Format.ms(Format.max(b)), ratio(Format.max(b), Format.max(a)), "",
				null);
		line("    runs without a new leader in time", String.valueOf(of(fault, Side.ENGINE).missing),
				String.valueOf(of(fault, Side.SPRING).missing), "", "0", (a.length == 0) ? null
						: of(fault, Side.ENGINE).missing == 0);
	}

	private void exits() {
		line("    SIGTERM not enough (killed after 10 s)", String.valueOf(of(Fault.STOP, Side.ENGINE).killedAfterTerm),
				String.valueOf(of(Fault.STOP, Side.SPRING).killedAfterTerm), "", "", null);
	}

	private void thaws() {
		Stats a = of(Fault.FREEZE, Side.ENGINE);
		Stats b = of(Fault.FREEZE, Side.SPRING);
		line("    not leading (its answer) after SIGCONT p50/max", Format.pairMax(Format.sorted(a.notLeadingAfterThaw)),
				Format.pairMax(Format.sorted(b.notLeadingAfterThaw)), "", "", null);
		line("    its revocation line after SIGCONT p50 / max", Format.pairMax(Format.sorted(a.revokedAfterThaw)),
				Format.pairMax(Format.sorted(b.revokedAfterThaw)), "", "", null);
		line("      revocations seen (reason)", reasons(a), reasons(b), "", "", null);
		line("    still leading at the end of the watch", String.valueOf(a.stillLeading),
				String.valueOf(b.stillLeading), "", "0", a.notLeadingAfterThaw.isEmpty() ? null : a.stillLeading == 0);
		line("    old token < new leader's (stale), runs", a.stale + " / " + a.tokenChecks, "n/a: no token", "",
				"all", (a.tokenChecks == 0) ? null : a.stale == a.tokenChecks);
	}

	private static String reasons(Stats s) {
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

	private static void line(String label, String a, String b, String ratio, String goal, Boolean ok) {
		String verdict = (ok == null) ? "" : (ok ? "ok" : "MISSED");
		System.out.printf("%-50s %-14s %-14s %-8s %-18s %s%n", label, a, b, ratio, goal, verdict);
	}

}
