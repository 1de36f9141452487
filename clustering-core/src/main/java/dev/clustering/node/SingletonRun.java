package dev.clustering.node;

import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.LongSupplier;
import java.util.function.LongUnaryOperator;

import dev.clustering.singleton.SingletonState;
import dev.clustering.singleton.StartType;

/**
 * One run of a singleton on this node, started by {@link SingletonRunner}: what it was started with
 * and whether it may act now ({@link #isValid()}, against its permit). The loop owns its state; its
 * permit is written by the loop and read by any thread (the watchdog, the bean through its context);
 * its stop is claimed once, by the loop or the watchdog, whichever comes first.
 */
final class SingletonRun {

	// the runner's clock and permits, read live
	private final LongSupplier nanoTime;

	private final LongUnaryOperator permits;

	final String name;

	final long token;

	final StartType type;

	final String from;

	final long failoverNanos;

	final long createdNanos;

	final AtomicBoolean stopClaimed = new AtomicBoolean();

	volatile boolean launched;

	// written and read on the singleton's thread only
	boolean startCalled;

	SingletonState state = SingletonState.STARTING;

	SingletonRun(String name, long token, StartType type, String from, long failoverNanos, long createdNanos,
			LongSupplier nanoTime, LongUnaryOperator permits) {
		this.name = name;
		this.token = token;
		this.type = type;
		this.from = from;
		this.failoverNanos = failoverNanos;
		this.createdNanos = createdNanos;
		this.nanoTime = nanoTime;
		this.permits = permits;
	}

	/**
	 * Whether the run may act now: read the clock first, then the permit, so a permit that shrinks
	 * (its leader stepped down) is never applied to a later moment.
	 */
	boolean isValid() {
		long now = this.nanoTime.getAsLong();
		return !this.stopClaimed.get() && Deadlines.holds(this.permits.applyAsLong(this.failoverNanos), now);
	}

}
