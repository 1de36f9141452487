package dev.clustering.node;

import dev.clustering.membership.ClusterEvent;

/**
 * Receives a node's membership events, in order, on the node's event thread. An exception thrown
 * here is logged and does not affect the node or other listeners.
 */
@FunctionalInterface
public interface ClusterListener {

	/**
	 * Handles an event.
	 * @param event the event
	 */
	void onEvent(ClusterEvent event);

}
