package dev.clustering.node;

import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;

/**
 * When an address that discovery lists may be dialled again: exponential back-off with jitter
 * after each failure, reset by a successful handshake. Remembers the last failure so a peer that
 * stays down is logged once, not on every attempt.
 */
final class DialBackoff {

	private final long initialNanos;

	private final long maxNanos;

	private int failures;

	private long nextAttemptNanos;

	private boolean inFlight;

	private String lastFailure;

	Set<String> topologies = Set.of();

	DialBackoff(Duration initial, Duration max) {
		this.initialNanos = initial.toNanos();
		this.maxNanos = Math.max(max.toNanos(), this.initialNanos);
	}

	boolean mayDial(long nowNanos) {
		return !this.inFlight && nowNanos - this.nextAttemptNanos >= 0;
	}

	void dialling() {
		this.inFlight = true;
	}

	boolean inFlight() {
		return this.inFlight;
	}

	/**
	 * Records a failed attempt.
	 * @return whether this failure differs from the previous one (worth logging)
	 */
	boolean failed(long nowNanos, String reason) {
		this.inFlight = false;
		this.failures = Math.min(this.failures + 1, 30);
		long delay = Math.min(this.maxNanos, this.initialNanos << Math.min(this.failures - 1, 20));
		delay = (long) (delay * ThreadLocalRandom.current().nextDouble(0.8, 1.2));
		this.nextAttemptNanos = nowNanos + delay;
		boolean news = !reason.equals(this.lastFailure);
		this.lastFailure = reason;
		return news;
	}

	/** A handshake completed: the next loss is redialled after the initial delay. */
	void connected() {
		this.inFlight = false;
		this.failures = 0;
		this.lastFailure = null;
	}

	/** The established connection closed: wait the initial delay before redialling. */
	void disconnected(long nowNanos) {
		this.inFlight = false;
		this.nextAttemptNanos = nowNanos + this.initialNanos;
	}

}
