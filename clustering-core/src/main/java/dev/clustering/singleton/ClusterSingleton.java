package dev.clustering.singleton;

/**
 * Work that runs on exactly one node of the cluster. In a Spring application, a bean implementing
 * this interface is the singleton named after the bean (or {@link #singletonName()}), configured
 * under {@code cluster.singletons.<name>}. Both methods run on the singleton's own thread; they
 * should return promptly (start background work, then return).
 */
public interface ClusterSingleton {

	/**
	 * Starts the work on this node.
	 * @param context how and why it starts, with its fencing token
	 */
	void start(SingletonContext context);

	/**
	 * Stops the work on this node; it must be stopped when this method returns, because the
	 * singleton may start elsewhere right after.
	 * @param reason why
	 */
	void stop(StopReason reason);

	/**
	 * The singleton's name when it should differ from the bean name.
	 * @return the name, or {@code null} to use the bean name
	 */
	default String singletonName() {
		return null;
	}

}
