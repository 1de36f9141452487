package dev.clustering.discovery;

/**
 * A watch strategy backed by a registry in which this node also registers itself (etcd, ZooKeeper,
 * Consul). The registry may be lost; the node then keeps its transport membership and is told.
 */
public interface RegistryStrategy extends WatchStrategy {

	/**
	 * Registers this node; keeps the registration alive until the handle is closed (graceful
	 * shutdown deregisters at once).
	 * @param context the topology, with this node's name and address
	 * @param listener hears when the registration is lost or restored
	 * @return deregisters
	 * @throws Exception if registration failed
	 */
	AutoCloseable register(DiscoveryContext context, RegistryListener listener) throws Exception;

}
