package dev.clustering.discovery;

/**
 * A registration or candidacy handle whose backend vouches for it only until a deadline (an etcd
 * lease, a ZooKeeper session, a Consul session): the engine checks that deadline against the
 * monotonic clock whenever it is asked whether this node leads, or whether a singleton may run, so
 * a node whose registry went quiet stops on time even if nothing tells it.
 */
public interface LeaseBound {

	/**
	 * Until when the backend vouches for this handle, on the {@link System#nanoTime()} clock: a moment
	 * before which the backend cannot have dropped it (for a lease renewed on receipt, the send time of
	 * the last answered renewal plus its time to live). Thread-safe.
	 * @return monotonic nanoseconds, or {@link Long#MIN_VALUE} while it is not vouched for
	 */
	long validUntilNanos();

}
