package dev.clustering.discovery.dns;

import java.io.IOException;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import dev.clustering.discovery.DiscoveryContext;
import dev.clustering.discovery.DiscoveryStrategy;
import dev.clustering.discovery.TopologyStatus;
import dev.clustering.membership.Member;
import dev.clustering.membership.NodeAddress;
import dev.clustering.node.ClusterNode;

/**
 * Real nodes in this JVM on loopback addresses (every 127.x address works on {@code lo}), each
 * with one topology; closes what it started.
 */
final class DnsTestNodes implements AutoCloseable {

	static final String TOPOLOGY = "dns";

	private final List<ClusterNode> nodes = new ArrayList<>();

	static int freePort() {
		try (ServerSocket socket = new ServerSocket(0)) {
			return socket.getLocalPort();
		}
		catch (IOException ex) {
			throw new IllegalStateException(ex);
		}
	}

	ClusterNode start(String name, String host, int port, String strategyName, DiscoveryStrategy strategy,
			Duration pollInterval) {
		ClusterNode node = ClusterNode.builder()
			.name(name)
			.host(host)
			.port(port)
			.cookie("s3cret".toCharArray())
			.topology(TOPOLOGY, strategyName, strategy, pollInterval)
			.build();
		node.start();
		this.nodes.add(node);
		return node;
	}

	static List<String> names(ClusterNode node) {
		return node.members().stream().map(Member::name).sorted().toList();
	}

	static TopologyStatus status(ClusterNode node) {
		return node.topologies().get(0);
	}

	static List<NodeAddress> discovered(ClusterNode node) {
		return status(node).discovered();
	}

	static DiscoveryContext context(ClusterNode node) {
		return new DiscoveryContext(TOPOLOGY, node.self(), Duration.ofSeconds(1));
	}

	@Override
	public void close() {
		this.nodes.forEach(ClusterNode::close);
	}

}
