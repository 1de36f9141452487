package dev.clustering.singleton;

/**
 * Where a singleton stands on a node.
 */
public enum SingletonState {

	/** Its start method is running. */
	STARTING,

	/** Started. */
	RUNNING,

	/** Its stop method is running. */
	STOPPING,

	/** Stopped (cleanly). */
	STOPPED

}
