package dev.clustering.detection;

/**
 * Phi-accrual failure detector (Hayashibara et al.), as Cassandra and Pekko use it: instead of a
 * fixed timeout it computes how unlikely the current silence is, given the intervals between the
 * heartbeats seen so far, and reports phi = -log10(probability that a heartbeat is still to come).
 * Not thread-safe: one instance per peer, used from the node's event loop. Times are nanoseconds
 * from a monotonic clock, passed in so tests need no real time.
 */
public final class PhiAccrualFailureDetector {

	private final double threshold;

	private final double minStdDeviationMillis;

	private final double acceptablePauseMillis;

	// never judged unavailable before this much silence (heartbeat interval plus acceptable pause),
	// whatever the history: the leases of leadership and singletons are shorter than this
	private final long floorNanos;

	private final double[] intervals;

	private int count;

	private int next;

	private double sum;

	private double sumOfSquares;

	private long lastHeartbeatNanos = -1;

	private boolean skipNext;

	/**
	 * Creates a detector whose history starts with one interval equal to the heartbeat interval.
	 * @param settings the settings
	 */
	public PhiAccrualFailureDetector(FailureDetectorSettings settings) {
		this.threshold = settings.threshold();
		this.minStdDeviationMillis = settings.minStdDeviation().toNanos() / 1e6;
		this.acceptablePauseMillis = settings.acceptableHeartbeatPause().toNanos() / 1e6;
		this.intervals = new double[settings.maxSampleSize()];
		this.floorNanos = settings.heartbeatInterval().toNanos() + settings.acceptableHeartbeatPause().toNanos();
		// Seed with the expected interval +/- the minimum deviation, so the first silence is judged
		// as a steady history would judge it.
		double first = settings.heartbeatInterval().toNanos() / 1e6;
		add(first - this.minStdDeviationMillis);
		add(first + this.minStdDeviationMillis);
	}

	/**
	 * Records that a heartbeat (or any frame) arrived.
	 * @param nowNanos monotonic time now
	 */
	public void heartbeat(long nowNanos) {
		if (this.lastHeartbeatNanos >= 0 && !this.skipNext) {
			double interval = (nowNanos - this.lastHeartbeatNanos) / 1e6;
			// A gap long enough to judge the peer unavailable (a freeze, a partition) is an outage,
			// not a sample of the usual interval: recording it would slow every later detection.
			if (interval >= 0 && isAvailable(nowNanos)) {
				add(interval);
			}
		}
		this.skipNext = false;
		this.lastHeartbeatNanos = nowNanos;
	}

	/**
	 * Starts watching a new connection: silence counts from now, and the first interval (from the
	 * handshake to the peer's first heartbeat, which is not aligned with its heartbeat timer) is not
	 * recorded.
	 * @param nowNanos monotonic time now
	 */
	public void start(long nowNanos) {
		this.lastHeartbeatNanos = nowNanos;
		this.skipNext = true;
	}

	/**
	 * Forgets the silence so far, as if a heartbeat had just arrived, without recording an interval.
	 * Used when this node itself was paused, so a peer is not blamed for our own stall.
	 * @param nowNanos monotonic time now
	 */
	public void restartSilence(long nowNanos) {
		if (this.lastHeartbeatNanos >= 0) {
			this.lastHeartbeatNanos = nowNanos;
		}
	}

	/**
	 * The suspicion level now.
	 * @param nowNanos monotonic time now
	 * @return phi; 0 before the first heartbeat
	 */
	public double phi(long nowNanos) {
		if (this.lastHeartbeatNanos < 0) {
			return 0.0;
		}
		double elapsed = (nowNanos - this.lastHeartbeatNanos) / 1e6;
		double mean = this.sum / this.count;
		double variance = Math.max(0.0, this.sumOfSquares / this.count - mean * mean);
		double stdDeviation = Math.max(Math.sqrt(variance), this.minStdDeviationMillis);
		return phi(elapsed, mean + this.acceptablePauseMillis, stdDeviation);
	}

	/**
	 * Whether the peer is judged available now: phi is below the threshold, or the silence is
	 * shorter than the heartbeat interval plus the acceptable pause (a floor that a burst of
	 * heartbeats, which shortens the mean interval, cannot lower).
	 * @param nowNanos monotonic time now
	 * @return whether the peer is judged available
	 */
	public boolean isAvailable(long nowNanos) {
		if (this.lastHeartbeatNanos >= 0 && nowNanos - this.lastHeartbeatNanos < this.floorNanos) {
			return true;
		}
		return phi(nowNanos) < this.threshold;
	}

	/**
	 * When the last heartbeat arrived.
	 * @return monotonic nanoseconds, or -1 before the first one
	 */
	public long lastHeartbeatNanos() {
		return this.lastHeartbeatNanos;
	}

	// Logistic approximation of the normal CDF (error < 0.0002), as in Pekko.
	static double phi(double elapsed, double mean, double stdDeviation) {
		double y = (elapsed - mean) / stdDeviation;
		double e = Math.exp(-y * (1.5976 + 0.070566 * y * y));
		if (elapsed > mean) {
			return -Math.log10(e / (1.0 + e));
		}
		return -Math.log10(1.0 - 1.0 / (1.0 + e));
	}

	private void add(double interval) {
		if (this.count == this.intervals.length) {
			double old = this.intervals[this.next];
			this.sum -= old;
			this.sumOfSquares -= old * old;
		}
		else {
			this.count++;
		}
		this.intervals[this.next] = interval;
		this.next = (this.next + 1) % this.intervals.length;
		this.sum += interval;
		this.sumOfSquares += interval * interval;
	}

}
