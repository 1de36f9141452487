package dev.clustering.node;

import java.io.IOException;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

import dev.clustering.discovery.staticlist.StaticStrategy;
import dev.clustering.membership.ClusterEvent;
import dev.clustering.membership.NodeAddress;

/**
 * Starts nodes on loopback for tests, each with a static topology over the given addresses, and
 * records their events. Closes what it started.
 */
final class TestCluster implements AutoCloseable {

	final List<ClusterNode> nodes = new ArrayList<>();

	final java.util.Map<String, List<ClusterEvent>> events = new ConcurrentHashMap<>();

	final Set<String> frozen = ConcurrentHashMap.newKeySet();

	/** Distinct free ports: all sockets are held open together, so no port is handed out twice. */
	static int[] freePorts(int count) {
		List<ServerSocket> sockets = new ArrayList<>();
		try {
			int[] ports = new int[count];
			for (int i = 0; i < count; i++) {
				ServerSocket socket = new ServerSocket(0);
				sockets.add(socket);
				ports[i] = socket.getLocalPort();
			}
			return ports;
		}
		catch (IOException ex) {
			throw new IllegalStateException(ex);
		}
		finally {
			for (ServerSocket socket : sockets) {
				try {
					socket.close();
				}
				catch (IOException ex) {
					// ignore
				}
			}
		}
	}

	static int freePort() {
		return freePorts(1)[0];
	}

	ClusterNode start(String name, int port, String cookie, List<NodeAddress> hosts) {
		return start(name, "127.0.0.1", port, cookie, hosts);
	}

	ClusterNode start(String name, String host, int port, String cookie, List<NodeAddress> hosts) {
		List<ClusterEvent> log = new CopyOnWriteArrayList<>();
		ClusterNodeBuilder builder = ClusterNode.builder()
			.name(name)
			.host(host)
			.port(port)
			.cookie((cookie != null) ? cookie.toCharArray() : null)
			.linkFilter((peer) -> this.frozen.contains(name) || this.frozen.contains(peer.substring(0, peer.indexOf('@'))))
			.topology("local", "static", new StaticStrategy(hosts), Duration.ofMillis(500))
			.listener(log::add);
		ClusterNode node = builder.build();
		node.start();
		this.events.put(node.self().name(), log);
		this.nodes.add(node);
		return node;
	}

	@Override
	public void close() {
		this.nodes.forEach(ClusterNode::close);
	}

}
