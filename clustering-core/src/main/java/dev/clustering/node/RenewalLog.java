package dev.clustering.node;

/**
 * A follower's record of the renewals it acknowledged (the latest few): when a leader echoes one
 * back, this node knows the leader heard it since that moment, which anchors its singleton
 * permits. Owned by the event loop, through {@link Election}.
 */
final class RenewalLog {

	private static final int RING = 64;

	private final long[] tokens = new long[RING];

	private final long[] sequences = new long[RING];

	private final long[] times = new long[RING];

	/**
	 * This node acknowledges a renewal now.
	 * @param token the leader's token
	 * @param sequence the renewal's sequence
	 * @param now monotonic nanoseconds
	 */
	void acknowledged(long token, long sequence, long now) {
		int slot = (int) (sequence % RING);
		this.tokens[slot] = token;
		this.sequences[slot] = sequence;
		this.times[slot] = now;
	}

	/**
	 * When this node acknowledged a renewal the leader says it heard acknowledged.
	 * @param token the leader's token
	 * @param sequence the renewal's sequence
	 * @return monotonic nanoseconds, or {@link Deadlines#NONE} if this node no longer knows it
	 */
	long acknowledgedAt(long token, long sequence) {
		int slot = (int) (sequence % RING);
		return (this.tokens[slot] == token && this.sequences[slot] == sequence) ? this.times[slot] : Deadlines.NONE;
	}

}
