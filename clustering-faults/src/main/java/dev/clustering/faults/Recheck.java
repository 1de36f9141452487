package dev.clustering.faults;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/**
 * Checks the history of an earlier run again, with this build's checker: for a run recorded before
 * a checker change. Prints the violations and the explained gaps; exits 1 if any rule is broken.
 * <pre>
 * java -cp clustering-faults/target/classes:... dev.clustering.faults.Recheck clustering-faults/target/fault-logs/run-...
 * </pre>
 */
public final class Recheck {

	private Recheck() {
	}

	public static void main(String[] args) throws IOException {
		if (args.length != 1) {
			System.err.println("usage: Recheck <run directory (with driver.log, history/ and n*.log)>");
			System.exit(2);
		}
		Path runDir = Path.of(args[0]);
		HistoryChecker checker = new HistoryChecker(List.of("distro"),
				FaultSuite.FAILOVER_TIMEOUT.plus(FaultSuite.detection(runDir)).plusSeconds(1),
				FaultSuite.CONVERGENCE_BOUND);
		CheckResult check = checker.check(History.read(runDir.resolve("history")),
				DriverLog.read(runDir.resolve("driver.log")));
		System.out.print(FaultTable.render(check, FaultSuite.CONVERGENCE_GOAL.toMillis()));
		System.out.printf("runs %d, gaps over 0.5 s %d, explained by a later fault %d, violations %d%n",
				check.runs().size(), check.gaps().size(), check.explained().size(), check.violations().size());
		check.explained()
			.forEach((e) -> System.out.printf("  explained: %s at %s, %s without a run; %s at %s, back %s later%n",
					e.gap().singleton(), HistoryLine.clock(e.gap().from()), HistoryChecker.seconds(e.gap().length()),
					e.why(), HistoryLine.clock(e.restartAt()), HistoryChecker.seconds(e.afterRestart())));
		check.violations().forEach((v) -> System.out.println("  violation: " + v.describe()));
		System.exit(check.violations().isEmpty() ? 0 : 1);
	}

}
