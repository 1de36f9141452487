package dev.clustering.node;

/**
 * Deadlines on the monotonic clock ({@link System#nanoTime()} values), compared by difference as
 * such values must be, with two sentinels: {@link Long#MIN_VALUE} for "none" (never holds) and
 * {@link Long#MAX_VALUE} for "no end" (always holds).
 */
final class Deadlines {

	/** No deadline: nothing is vouched for. */
	static final long NONE = Long.MIN_VALUE;

	/** No end: vouched for until further notice. */
	static final long FOREVER = Long.MAX_VALUE;

	private Deadlines() {
	}

	/**
	 * Whether a deadline still holds.
	 * @param deadline the deadline
	 * @param now the monotonic clock now
	 * @return whether now is before the deadline
	 */
	static boolean holds(long deadline, long now) {
		if (deadline == NONE) {
			return false;
		}
		return deadline == FOREVER || now - deadline < 0;
	}

	/**
	 * A deadline moved by an amount, sentinels kept.
	 * @param deadline the deadline
	 * @param nanos how much later (negative: earlier)
	 * @return the moved deadline
	 */
	static long plus(long deadline, long nanos) {
		return (deadline == NONE || deadline == FOREVER) ? deadline : deadline + nanos;
	}

	/**
	 * The later of two deadlines.
	 * @param a one
	 * @param b the other
	 * @return the later one
	 */
	static long later(long a, long b) {
		if (a == FOREVER || b == FOREVER) {
			return FOREVER;
		}
		if (a == NONE) {
			return b;
		}
		if (b == NONE) {
			return a;
		}
		return (a - b > 0) ? a : b;
	}

}
