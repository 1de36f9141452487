package dev.clustering.benchmark;

import java.util.EnumSet;
import java.util.List;

/**
 * The consul scenario's figures and table: A this project's {@code consul} strategy, B
 * {@code consul lock} running a child process.
 */
final class ConsulReport extends CandidateReport {

	/** This project's engine: a Spring Boot application with a {@code consul} topology. */
	static final CandidateSide ENGINE = new CandidateSide("A", "engine", "A engine", true, true, true,
			EnumSet.allOf(Fault.class));

	/**
	 * {@code consul lock}: no fencing token, no status to ask; not frozen (its session would end as
	 * after a kill, by its TTL).
	 */
	static final CandidateSide LOCK = new CandidateSide("B", "consul-lock", "B consul lock", false, false, false,
			EnumSet.of(Fault.STOP, Fault.KILL));

	final long checkTtlMillis;

	ConsulReport(long checkTtlMillis) {
		super(ENGINE, LOCK);
		this.checkTtlMillis = checkTtlMillis;
	}

	@Override
	String title() {
		return "=== consul: A this project's consul strategy vs B consul lock, 3 processes each, check TTL "
				+ Format.ms(this.checkTtlMillis);
	}

	@Override
	List<String> preamble() {
		return List.of("Consul     " + this.server + ", the same agent for both",
				"B          consul lock with its defaults: a session of TTL " + Format.duration(ConsulScenario.LOCK_SESSION_TTL)
						+ " (Consul invalidates it up to twice that after its last renewal), lock delay "
						+ Format.duration(ConsulScenario.LOCK_DELAY),
				"t0 just before the signal; t1 the first \"leader\" line of another candidate, for B the first line of "
						+ "its child (both wall clock, this machine)");
	}

	@Override
	Goal goal(Fault fault) {
		double ttl = this.checkTtlMillis;
		return switch (fault) {
			case STOP -> new Goal("median < 50 ms", (a) -> Format.percentile(a, 50) < 50);
			case KILL -> new Goal("median < 200 ms", (a) -> Format.percentile(a, 50) < 200);
			case FREEZE -> new Goal("max < " + Format.ms(ttl + 1000), (a) -> Format.max(a) < ttl + 1000);
		};
	}

	/** After a stop and a kill: whether the old holder's child still ran once the new holder's had started (t1). */
	@Override
	void moreRows(Fault fault) {
		if (fault != Fault.FREEZE) {
			FailoverStats b = of(fault, this.b);
			line("    old holder's child still running at t1, runs", "n/a", b.workStillRunning + " / " + b.workChecks, "",
					"", null);
		}
	}

}
