package dev.clustering.discovery.etcd;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import io.etcd.jetcd.Client;

import dev.clustering.discovery.RegistryTestNodes;
import dev.clustering.node.ClusterNode;
import dev.clustering.node.EngineEvent;

/**
 * Real nodes in this JVM, each on its own loopback address with an etcd topology ({@code prod}) of
 * its own client and strategy (see {@link RegistryTestNodes}).
 */
final class EtcdTestNodes implements AutoCloseable {

	private final RegistryTestNodes nodes = new RegistryTestNodes();

	private final Map<ClusterNode, EtcdStrategy> strategies = new ConcurrentHashMap<>();

	ClusterNode start(EtcdServer etcd, EtcdSettings settings, String host) {
		Client client = etcd.client();
		EtcdStrategy strategy = new EtcdStrategy(client, settings);
		// a dead process's client goes without revoking anything
		ClusterNode node = this.nodes.start(host, EtcdStrategy.NAME, strategy, client::close, Map.of(), client,
				strategy);
		this.strategies.put(node, strategy);
		return node;
	}

	/** The node's process dies: its etcd client goes without revoking anything, its connections close. */
	void crash(ClusterNode node) {
		this.nodes.crash(node);
		this.strategies.get(node).close();
	}

	<T extends EngineEvent> List<T> events(ClusterNode node, Class<T> type) {
		return this.nodes.events(node, type);
	}

	@Override
	public void close() {
		this.nodes.close();
	}

}
