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
