package dev.clustering.faults;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The fault suite: starts the {@link Lab}, waits for the cluster to form, runs the faults of its
 * mode ({@code ci}: each fault once, a short transport attack and a short crash loop; {@code long}:
 * 50 random partitions, 30 s of flapping, the long attack and 1,000 crash-loop iterations;
 * {@code attack}: the long attack alone, then the leader killed to show that the cluster still elects),
 * then checks the recorded history and renders the table.
 */
public final class FaultSuite {

	/** The {@code distro} singleton's failover timeout the nodes run with. */
	static final Duration FAILOVER_TIMEOUT = Duration.ofSeconds(2);

	/** Detection of a silent peer with the default failure detector (README: 1.6 to 2.6 s). */
	static final Duration DETECTION = Duration.ofMillis(2600);

	/**
	 * The most detection may take in rule 3's bound, however slow the nodes' detectors were: the
	 * detector learns the heartbeat intervals it sees, so after a flood that delayed heartbeats it
	 * waits longer for a silent peer (by design), but never this long.
	 */
	static final Duration MAX_DETECTION = Duration.ofSeconds(5);

	private static final Pattern JUDGED = Pattern.compile("is unreachable: nothing heard for (\\d+) ms");

	/** Rule 4, as asserted: views agree within this after a heal. */
	static final Duration CONVERGENCE_BOUND = Duration.ofSeconds(10);

	/** Rule 4, as reported: the goal. */
	static final Duration CONVERGENCE_GOAL = Duration.ofSeconds(3);

	/** How long the driver keeps polling a cluster that has not converged before it moves on. */
	static final Duration SETTLE = Duration.ofSeconds(20);

	private final Settings settings;

	/**
	 * What to run.
	 *
	 * @param mode {@code ci}, {@code long} or {@code attack}
	 * @param seed the seed of every random choice
	 * @param sampleJar the sample application's jar
	 * @param logs where each run gets its directory
	 * @param attackPlan the size of the attack in mode {@code attack}: {@code long} (the long version's)
	 * or {@code ci}
	 * @param attackDeaf state requests a member that never reads sends each node at the end of the
	 * attack; 0 for none
	 */
	public record Settings(String mode, long seed, Path sampleJar, Path logs, String attackPlan, long attackDeaf) {

		/**
		 * From {@code faults.mode}, {@code faults.seed}, {@code faults.sample.jar}, {@code faults.logs},
		 * {@code faults.attack.plan}, {@code faults.attack.deaf}.
		 */
		public static Settings fromSystemProperties() {
			String seed = System.getProperty("faults.seed", "");
			String plan = System.getProperty("faults.attack.plan", "");
			String deaf = System.getProperty("faults.attack.deaf", "");
			return new Settings(System.getProperty("faults.mode", "ci"),
					seed.isBlank() ? System.currentTimeMillis() : Long.parseLong(seed.strip()),
					Path.of(System.getProperty("faults.sample.jar",
							"../clustering-sample/target/clustering-sample-0.1.0-SNAPSHOT.jar")),
					Path.of(System.getProperty("faults.logs", "target/fault-logs")), plan.isBlank() ? "long" : plan,
					deaf.isBlank() ? 0 : Long.parseLong(deaf.strip()));
		}

	}

	/**
	 * A finished run.
	 *
	 * @param report the header, the table and the violations, as printed
	 * @param check what the checker found
	 * @param runDir the run's logs, history and report
	 */
	public record Result(String report, CheckResult check, Path runDir) {

		public boolean passed() {
			return this.check.violations().isEmpty();
		}

	}

	public FaultSuite(Settings settings) {
		if (!List.of("ci", "long", "attack").contains(settings.mode())) {
			throw new IllegalArgumentException("faults.mode must be ci, long or attack, not " + settings.mode());
		}
		if (!List.of("ci", "long").contains(settings.attackPlan())) {
			throw new IllegalArgumentException("faults.attack.plan must be ci or long, not " + settings.attackPlan());
		}
		this.settings = settings;
	}

	public Result run() throws IOException {
		Path runDir = this.settings.logs()
			.resolve("run-" + LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")))
			.toAbsolutePath();
		Files.createDirectories(runDir);
		Random random = new Random(this.settings.seed());
		long started = System.nanoTime();
		String impairment;
		String attack;
		Path driverLog;
		Path historyDir;
		try (Lab lab = Lab.start(this.settings.sampleJar(), runDir, FAILOVER_TIMEOUT)) {
			impairment = lab.network().impairmentMethod();
			driverLog = lab.driver().file();
			historyDir = lab.historyDir();
			lab.awaitFormed(Duration.ofMinutes(2));
			lab.driver().ready();
			FaultScenarios scenarios = new FaultScenarios(lab, random, SETTLE);
			CrashLoop crashLoop = new CrashLoop(lab, scenarios, random, SETTLE);
			boolean small = this.settings.mode().equals("ci")
					|| (this.settings.mode().equals("attack") && this.settings.attackPlan().equals("ci"));
			Attacker attacker = new Attacker(lab, scenarios,
					(small ? Attacker.Plan.ci() : Attacker.Plan.full()).withDeaf(this.settings.attackDeaf()),
					this.settings.seed(), SETTLE);
			attack = switch (this.settings.mode()) {
				case "ci" -> ci(lab, scenarios, crashLoop, attacker);
				case "long" -> longRun(lab, scenarios, crashLoop, attacker);
				default -> attackOnly(lab, scenarios, crashLoop, attacker);
			};
			lab.driver().finish();
		}
		catch (LabException ex) {
			throw new LabException(ex.getMessage() + "\n  (logs: " + runDir + ")", ex);
		}
		long seconds = Duration.ofNanos(System.nanoTime() - started).toSeconds();
		Duration detection = detection(runDir);
		HistoryChecker checker = new HistoryChecker(List.of("distro"),
				FAILOVER_TIMEOUT.plus(detection).plusSeconds(1), CONVERGENCE_BOUND);
		CheckResult check = checker.check(History.read(historyDir), DriverLog.read(driverLog));
		attack = String.format("gap bound (rule 3): failover timeout %.1f s + detection %.1f s (the longest silence after "
				+ "which a node judged a peer unreachable in this run, at least %.1f s, at most %.1f s) + 1 s%n",
				FAILOVER_TIMEOUT.toMillis() / 1000.0, detection.toMillis() / 1000.0, DETECTION.toMillis() / 1000.0,
				MAX_DETECTION.toMillis() / 1000.0) + attack;
		String full = report(check, impairment, attack, seconds, runDir, Integer.MAX_VALUE);
		Files.writeString(runDir.resolve("report.txt"), full);
		Files.writeString(this.settings.logs().resolve("latest-report.txt"), full);
		String report = report(check, impairment, attack, seconds, runDir, 40);
		return new Result(report, check, runDir);
	}

	/**
	 * How long detection took in a run, for rule 3: the longest silence after which a node logged a
	 * peer unreachable, no less than the README's {@link #DETECTION} and no more than
	 * {@link #MAX_DETECTION}.
	 * @param lines the nodes' log lines
	 * @return the detection allowance
	 */
	static Duration detection(Stream<String> lines) {
		long longest = lines.map(JUDGED::matcher)
			.filter(Matcher::find)
			.mapToLong((m) -> Long.parseLong(m.group(1)))
			.max()
			.orElse(0);
		Duration measured = Duration.ofMillis(longest);
		if (measured.compareTo(DETECTION) < 0) {
			return DETECTION;
		}
		return (measured.compareTo(MAX_DETECTION) > 0) ? MAX_DETECTION : measured;
	}

	static Duration detection(Path runDir) throws IOException {
		Duration longest = DETECTION;
		try (Stream<Path> logs = Files.list(runDir)) {
			for (Path log : logs.filter((p) -> p.getFileName().toString().matches("n\\d+\\.log")).toList()) {
				try (Stream<String> lines = Files.lines(log,
						StandardCharsets.ISO_8859_1)) {
					Duration measured = detection(lines);
					longest = (measured.compareTo(longest) > 0) ? measured : longest;
				}
			}
		}
		return longest;
	}

	private static String ci(Lab lab, FaultScenarios scenarios, CrashLoop crashLoop, Attacker attacker) {
		Duration hold = Duration.ofSeconds(8);
		int leader = lab.leaderIndex();
		Set<Integer> minority = Set.of(leader, scenarios.randomOther(leader));
		scenarios.partition(minority, hold);
		// the other sides: two of the nodes that were in the majority
		scenarios.partition(scenarios.randomNodes(2, minority), hold);
		int distro = lab.distroIndex();
		scenarios.partition(Set.of((distro != 0) ? distro : scenarios.randomOther()), hold);
		oneWayAndBridge(lab, scenarios, hold);
		scenarios.loss(20, Duration.ofSeconds(15));
		scenarios.delay(200, 100, Duration.ofSeconds(15));
		flap(lab, scenarios, Duration.ofSeconds(10));
		// before the frozen leader and the crash loop, so that their elections and failovers show the
		// attack left the nodes able to elect and place
		String attack = attacker.run();
		scenarios.freezeLeader(Duration.ofSeconds(10));
		crashLoop.run(8, 1, 1);
		return attack;
	}

	private static String longRun(Lab lab, FaultScenarios scenarios, CrashLoop crashLoop, Attacker attacker) {
		Duration hold = Duration.ofSeconds(8);
		for (int i = 0; i < 50; i++) {
			scenarios.randomPartition(hold);
		}
		for (int i = 0; i < 5; i++) {
			oneWayAndBridge(lab, scenarios, hold);
		}
		for (int i = 0; i < 2; i++) {
			scenarios.loss(20, Duration.ofSeconds(15));
			scenarios.delay(200, 100, Duration.ofSeconds(15));
		}
		flap(lab, scenarios, Duration.ofSeconds(30));
		String attack = attacker.run();
		for (int i = 0; i < 3; i++) {
			scenarios.freezeLeader(Duration.ofSeconds(10));
		}
		crashLoop.run(1000, 2, 10);
		return attack;
	}

	// then the leader is killed, so a new one is elected and distro placed by nodes that were attacked
	// (a kill rather than a freeze: right after forming, the leader often runs distro too, and a frozen
	// leader's distro comes back only after the new leader's own wait, longer than the gap rule allows)
	private static String attackOnly(Lab lab, FaultScenarios scenarios, CrashLoop crashLoop, Attacker attacker) {
		String attack = attacker.run();
		crashLoop.once(orRandom(scenarios, lab.leaderIndex()), "KILL");
		return attack;
	}

	// one-way from the node running distro to the leader, then the leader and another node cut apart
	private static void oneWayAndBridge(Lab lab, FaultScenarios scenarios, Duration hold) {
		int leader = orRandom(scenarios, lab.leaderIndex());
		int distro = lab.distroIndex();
		int a = (distro != 0 && distro != leader) ? distro : scenarios.randomOther(leader);
		scenarios.oneWay(a, leader, hold);
		leader = orRandom(scenarios, lab.leaderIndex());
		scenarios.bridge(leader, scenarios.randomOther(leader), hold);
	}

	private static void flap(Lab lab, FaultScenarios scenarios, Duration duration) {
		scenarios.flap(orRandom(scenarios, lab.leaderIndex()), duration);
	}

	private static int orRandom(FaultScenarios scenarios, int node) {
		return (node != 0) ? node : scenarios.randomOther();
	}

	private String report(CheckResult check, String impairment, String attack, long seconds, Path runDir,
			int limit) {
		StringBuilder text = new StringBuilder();
		text.append(String.format("Fault suite (%s, seed %d): %d s, %d distro runs, loss/delay by %s%n",
				this.settings.mode(), this.settings.seed(), seconds, check.runs().size(), impairment));
		text.append("logs, history and driver log: ").append(runDir).append('\n');
		text.append(FaultTable.render(check, CONVERGENCE_GOAL.toMillis()));
		text.append(attack);
		if (!check.explained().isEmpty()) {
			text.append(String.format("gaps over the bound that a later fault explains (rule 3 counts them from it): %d%n",
					check.explained().size()));
			check.explained().stream().limit(limit).forEach((e) -> text.append(String.format(
					"  - %s at %s: %s without a run; %s at %s, then back after %s%n", e.gap().singleton(),
					HistoryLine.clock(e.gap().from()), HistoryChecker.seconds(e.gap().length()), e.why(),
					HistoryLine.clock(e.restartAt()), HistoryChecker.seconds(e.afterRestart()))));
		}
		if (!check.violations().isEmpty()) {
			Map<Violation.Rule, Integer> counts = new TreeMap<>();
			check.violations().forEach((v) -> counts.merge(v.rule(), 1, Integer::sum));
			text.append("violations by rule: ").append(counts).append('\n');
			check.violations().stream().limit(limit).forEach((v) -> text.append("  - ").append(v.describe()).append('\n'));
			if (check.violations().size() > limit) {
				text.append("  ... ").append(check.violations().size() - limit).append(" more in ").append(runDir)
					.append("/report.txt\n");
			}
		}
		return text.toString();
	}

}
