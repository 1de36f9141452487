package dev.clustering.discovery;

/**
 * A strategy whose backend can run a linearizable leader election and hand out a fencing token
 * that only grows (etcd's revision, ZooKeeper's zxid, a Consul session's index). The engine uses
 * it instead of electing among reachable members when a topology offers it.
 */
public interface ElectionCapable {

	/**
	 * Joins the election as a candidate until the handle is closed (closing resigns).
	 * @param context the topology, with this node's name
	 * @param listener hears who leads and with which token
	 * @return resigns and leaves the election
	 * @throws Exception if the campaign could not start
	 */
	AutoCloseable campaign(DiscoveryContext context, ElectionListener listener) throws Exception;

	/**
	 * A node's connection was closed by its operating system (the process died; never called for a
	 * node that merely went silent, which may be a partition). The backend may end that node's
	 * candidacy at once (for example revoke its lease) so the next candidate wins without waiting
	 * out a TTL; a leader that was in fact alive is still stopped by its fencing token.
	 * @param context the topology
	 * @param nodeName the node that died
	 */
	default void nodeCrashed(DiscoveryContext context, String nodeName) {
	}

	/**
	 * A candidacy handle that can tell, from any thread, until when the backend vouches that this
	 * node leads with a given token: the engine checks it against the monotonic clock whenever it is
	 * asked whether this node leads, so a node whose registry went quiet, or whose leadership was
	 * replaced while its event loop was stalled, stops leading on time.
	 */
	interface Campaign extends AutoCloseable {

		/**
		 * Until when this node leads with the given token, as far as the backend vouches.
		 * @param fencingToken the token this node believes it leads with
		 * @return monotonic nanoseconds ({@link System#nanoTime()}), or {@link Long#MIN_VALUE} if this
		 * node does not lead with that token now
		 */
		long leadsUntilNanos(long fencingToken);

	}

	/**
	 * Hears an election's outcome. Thread-safe.
	 */
	interface ElectionListener {

		/**
		 * A node leads now.
		 * @param leaderName the leader's node name
		 * @param fencingToken its fencing token
		 */
		void leaderElected(String leaderName, long fencingToken);

		/**
		 * This node no longer knows who leads (lost its session, or the leader resigned).
		 * @param error why, or {@code null}
		 */
		void leadershipUnknown(Throwable error);

	}

}
