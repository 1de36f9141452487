package dev.clustering.node;

import java.io.IOException;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import java.util.stream.IntStream;

import dev.clustering.detection.FailureDetectorSettings;
import dev.clustering.discovery.staticlist.StaticStrategy;
import dev.clustering.membership.NodeAddress;
import dev.clustering.transport.LinkFilter;

/**
 * Starts nodes on loopback for tests, each with a static topology over the given addresses, and
 * records their events. Closes what it started.
 */
final class TestCluster implements AutoCloseable {

	/** Fast failure detection for tests: 200 ms heartbeats, 200 ms pause, so a lease of 400 ms. */
	static final FailureDetectorSettings FAST = new FailureDetectorSettings(
			Duration.ofMillis(200), Duration.ofMillis(200), 8.0, Duration.ofMillis(50), 100);

	final List<ClusterNode> nodes = new ArrayList<>();

	final Map<String, List<EngineEvent>> events = new ConcurrentHashMap<>();

	final Set<String> frozen = ConcurrentHashMap.newKeySet();

	/** Which side of a partition each node (by name part) is on; nodes on different sides cannot talk. */
	final Map<String, Integer> sides = new ConcurrentHashMap<>();

	/** Links cut in one direction only, as "from>to" by name part: frames from one to the other are dropped. */
	final Set<String> oneWay = ConcurrentHashMap.newKeySet();

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

	/** Loopback addresses for the given ports. */
	static List<NodeAddress> addresses(int... ports) {
		return IntStream.of(ports).mapToObj((p) -> new NodeAddress("127.0.0.1", p)).toList();
	}

	static int freePort() {
		return freePorts(1)[0];
	}

	ClusterNode start(String name, int port, String cookie, List<NodeAddress> hosts) {
		return start(name, "127.0.0.1", port, cookie, hosts);
	}

	ClusterNode start(String name, String host, int port, String cookie, List<NodeAddress> hosts) {
		return start(name, host, port, cookie, hosts, (builder) -> {
		});
	}

	ClusterNode start(String name, int port, List<NodeAddress> hosts, Consumer<ClusterNodeBuilder> customizer) {
		return start(name, "127.0.0.1", port, "s3cret", hosts, customizer);
	}

	ClusterNode start(String name, String host, int port, String cookie, List<NodeAddress> hosts,
			Consumer<ClusterNodeBuilder> customizer) {
		List<EngineEvent> log = new CopyOnWriteArrayList<>();
		ClusterNodeBuilder builder = ClusterNode.builder()
			.name(name)
			.host(host)
			.port(port)
			.cookie((cookie != null) ? cookie.toCharArray() : null)
			.linkFilter(new LinkFilter() {

				@Override
				public boolean isCut(String peer) {
					return cut(name, part(peer));
				}

				@Override
				public boolean dropsFrom(String peer) {
					return isCut(peer) || TestCluster.this.oneWay.contains(part(peer) + ">" + name);
				}

				@Override
				public boolean dropsTo(String peer) {
					return isCut(peer) || TestCluster.this.oneWay.contains(name + ">" + part(peer));
				}

			})
			.topology("local", "static", new StaticStrategy(hosts), Duration.ofMillis(500))
			.listener(log::add);
		customizer.accept(builder);
		ClusterNode node = builder.build();
		node.start();
		this.events.put(node.self().name(), log);
		this.nodes.add(node);
		return node;
	}

	private static String part(String peer) {
		return peer.substring(0, peer.indexOf('@'));
	}

	private boolean cut(String self, String peer) {
		if (this.frozen.contains(self) || this.frozen.contains(peer)) {
			return true;
		}
		Integer mine = this.sides.get(self);
		Integer theirs = this.sides.get(peer);
		return mine != null && theirs != null && !mine.equals(theirs);
	}

	@Override
	public void close() {
		this.nodes.forEach(ClusterNode::close);
	}

}
