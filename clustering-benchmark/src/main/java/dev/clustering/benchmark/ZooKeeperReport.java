package dev.clustering.benchmark;

import java.util.EnumSet;
import java.util.List;

/**
 * The zookeeper scenario's figures and table: A this project's {@code zookeeper} strategy, B Spring
 * Integration's {@code LeaderInitiator}.
 */
final class ZooKeeperReport extends CandidateReport {

	/** This project's engine: a {@code ClusterNode} with a {@code zookeeper} topology. */
	static final CandidateSide ENGINE = new CandidateSide("A", "engine", "A engine", true, true, true,
			EnumSet.allOf(Fault.class));

	/** Spring Integration's {@code LeaderInitiator}. */
	static final CandidateSide SPRING = new CandidateSide("B", "spring", "B Spring Int.", false, false, true,
			EnumSet.allOf(Fault.class));

	final long sessionMillis;

	ZooKeeperReport(long sessionMillis) {
		super(ENGINE, SPRING);
		this.sessionMillis = sessionMillis;
	}

	@Override
	String title() {
		return "=== zookeeper: A this project's zookeeper strategy vs B Spring Integration LeaderInitiator, "
				+ "3 processes each, session " + Format.ms(this.sessionMillis);
	}

	@Override
	List<String> preamble() {
		return List.of("ZooKeeper  " + this.server + ", the same server and session timeout for both",
				"t0 just before the signal; t1 the first \"leader\" line of another candidate "
						+ "(both wall clock, this machine)");
	}

	@Override
	Goal goal(Fault fault) {
		double session = this.sessionMillis;
		return switch (fault) {
			case STOP -> new Goal("median < 50 ms", (a) -> Format.percentile(a, 50) < 50);
			case KILL -> new Goal("median < 100 ms", (a) -> Format.percentile(a, 50) < 100);
			case FREEZE -> new Goal("max < " + Format.ms(session + 500), (a) -> Format.max(a) < session + 500);
		};
	}

}
