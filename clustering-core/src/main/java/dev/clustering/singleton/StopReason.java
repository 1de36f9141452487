package dev.clustering.singleton;

/**
 * Why a singleton stopped on a node.
 */
public enum StopReason {

	/** It runs elsewhere now: this node was paused or cut off long enough for a failover. */
	FAILOVER,

	/** A node of higher priority (or the operator) takes it over. */
	TAKEOVER,

	/** This node is shutting down; the singleton is handed over at once. */
	SHUTDOWN,

	/** This side of a partition lost its quorum. */
	QUORUM_LOST

}
