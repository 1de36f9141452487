package dev.clustering.node;

import java.io.IOException;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

import dev.clustering.discovery.staticlist.StaticStrategy;
import dev.clustering.membership.NodeAddress;
import dev.clustering.test.LoopbackCluster;
import dev.clustering.test.LoopbackClusterBuilder;

/**
 * One test's {@link LoopbackCluster}, with a known cookie, and the nodes a test starts beside it,
 * outside the kit (a second process with a taken name, a node that joins late, a fresh process on
 * a killed node's port); closes them all after the test.
 */
final class ClusterFixture implements AfterEachCallback {

	/** The cluster's cookie, for nodes and hand-written peers that join it. */
	static final String COOKIE = "a-long-enough-test-cookie-0123456789";

	private final List<ClusterNode> beside = new ArrayList<>();

	private LoopbackCluster cluster;

	/**
	 * Builds the cluster with {@link #COOKIE} and starts it.
	 * @param builder the cluster's settings
	 * @return the started cluster
	 */
	LoopbackCluster start(LoopbackClusterBuilder builder) {
		this.cluster = builder.cookie(COOKIE).build().start();
		return this.cluster;
	}

	/**
	 * Starts a node outside the cluster, with {@link #COOKIE}, the engine's default settings and a
	 * static topology.
	 * @param name its name (without {@code @host})
	 * @param port its port
	 * @param hosts the addresses its static topology lists
	 * @return the started node
	 */
	ClusterNode startBeside(String name, int port, List<NodeAddress> hosts) {
		ClusterNode node = ClusterNode.builder()
			.name(name)
			.host("127.0.0.1")
			.port(port)
			.cookie(COOKIE.toCharArray())
			.topology("beside", StaticStrategy.NAME, new StaticStrategy(hosts), Duration.ofMillis(500))
			.build();
		this.beside.add(node);
		node.start();
		return node;
	}

	/**
	 * The addresses of the cluster's nodes.
	 * @return one address per node, in order
	 */
	List<NodeAddress> addresses() {
		return this.cluster.names().stream().map((name) -> this.cluster.node(name).self().address()).toList();
	}

	/**
	 * Whether some nodes all see one node as the leader.
	 * @param cluster the cluster
	 * @param followers the nodes that follow, by short name
	 * @param leader the leader, by short name
	 * @return whether they all see it lead
	 */
	static boolean follow(LoopbackCluster cluster, List<String> followers, String leader) {
		return followers.stream()
			.map((name) -> cluster.node(name).leadership().leader())
			.allMatch((seen) -> seen.isPresent() && LoopbackCluster.shortName(seen.get().name()).equals(leader));
	}

	/**
	 * A free loopback port.
	 * @return the port
	 */
	static int freePort() {
		try (ServerSocket socket = new ServerSocket(0)) {
			return socket.getLocalPort();
		}
		catch (IOException ex) {
			throw new IllegalStateException("No free loopback port: " + ex.getMessage(), ex);
		}
	}

	@Override
	public void afterEach(ExtensionContext context) {
		this.beside.forEach(ClusterNode::close);
		this.beside.clear();
		if (this.cluster != null) {
			this.cluster.close();
			this.cluster = null;
		}
	}

}
