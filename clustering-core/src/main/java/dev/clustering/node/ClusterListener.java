package dev.clustering.node;

/**
 * Receives a node's events (membership, leadership, singletons, registries), in order, on the
 * node's event thread. An exception thrown here is logged and does not affect the node or other
 * listeners.
 */
@FunctionalInterface
public interface ClusterListener {

	/**
	 * Handles an event.
	 * @param event the event
	 */
	void onEvent(EngineEvent event);

}
