package dev.clustering.leadership;

/**
 * Why this node lost leadership, as the engine reports it; the same constants as
 * {@code LeadershipRevokedEvent.Reason}, which the Spring event carries.
 */
public enum RevocationReason {

	/** This side of a partition lost its quorum. */
	QUORUM_LOST,

	/** A node with a newer claim leads (two sides healed, or two nodes claimed at once). */
	SUPERSEDED,

	/** This node was paused (GC, stopped process) long enough for others to elect another leader. */
	PAUSED,

	/** The application asked to give leadership up. */
	YIELDED,

	/** The registry that runs the election (etcd, ZooKeeper, Consul) was lost. */
	REGISTRY_LOST,

	/** The node is shutting down. */
	SHUTDOWN

}
