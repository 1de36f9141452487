package dev.clustering.discovery;

/**
 * A strategy that pushes answers when they change (an etcd or ZooKeeper watch), instead of being
 * polled.
 */
public non-sealed interface WatchStrategy extends DiscoveryStrategy {

	/**
	 * Starts watching; every complete answer and every failure goes to the listener until the
	 * returned handle is closed.
	 * @param context the topology
	 * @param listener where to report
	 * @return closes the watch
	 * @throws Exception if the watch could not start
	 */
	AutoCloseable watch(DiscoveryContext context, DiscoveryListener listener) throws Exception;

	/**
	 * Re-reads the source now and reports the result (the {@code discover} operation).
	 */
	default void refresh() {
	}

}
