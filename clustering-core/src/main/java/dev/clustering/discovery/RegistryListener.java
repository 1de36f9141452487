package dev.clustering.discovery;

/**
 * Hears about a registry strategy's own registration (reception's on-disconnect). Thread-safe.
 */
public interface RegistryListener {

	/**
	 * The registration can no longer be vouched for (the registry is unreachable or the lease
	 * expired).
	 * @param error why
	 */
	void registryLost(Throwable error);

	/**
	 * This node is registered again.
	 */
	void registryRestored();

}
