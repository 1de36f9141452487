package dev.clustering.node;

import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.util.Collections;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.clustering.detection.FailureDetectorSettings;
import dev.clustering.leadership.SplitBrainStrategy;
import dev.clustering.singleton.ClusterSingleton;
import dev.clustering.singleton.SingletonSpec;
import dev.clustering.transport.LinkFilter;
import dev.clustering.transport.TransportSettings;

/**
 * A node's settings, copied from its {@link ClusterNodeBuilder} at {@code build()}: changing or
 * reusing the builder afterwards does not change the node. Immutable (the maps keep their order).
 *
 * @param name the name part of the node name
 * @param host the advertised host
 * @param port the transport port (0 for a free one)
 * @param cookie the shared secret, or {@code null}
 * @param metadata advertised metadata
 * @param failureDetector the failure detector's settings
 * @param transport the transport's settings
 * @param links the link filter (tests' fault injection)
 * @param clock the wall clock
 * @param topologies the topologies, in order
 * @param listeners the listeners given to the builder
 * @param singletonSpecs placement rules by singleton name
 * @param singletons the work of the singletons this node hosts, by name
 * @param splitBrain the split-brain rule
 * @param quorumSize the quorum size for a static quorum
 */
record NodeSettings(String name, String host, int port, char[] cookie, Map<String, String> metadata,
		FailureDetectorSettings failureDetector, TransportSettings transport, LinkFilter links, Clock clock,
		List<ClusterNodeBuilder.TopologySpec> topologies, List<ClusterListener> listeners,
		Map<String, SingletonSpec> singletonSpecs, Map<String, ClusterSingleton> singletons,
		SplitBrainStrategy splitBrain, int quorumSize) {

	private static final Logger logger = LoggerFactory.getLogger(NodeSettings.class);

	NodeSettings {
		cookie = (cookie != null) ? cookie.clone() : null;
		metadata = ordered(metadata);
		topologies = List.copyOf(topologies);
		listeners = List.copyOf(listeners);
		singletonSpecs = ordered(singletonSpecs);
		singletons = ordered(singletons);
	}

	/**
	 * These settings with other singletons (registered on the node after it was built).
	 * @param hosted the work by singleton name
	 * @param specs the placement rules by singleton name
	 * @return the settings
	 */
	NodeSettings withSingletons(Map<String, ClusterSingleton> hosted, Map<String, SingletonSpec> specs) {
		return new NodeSettings(this.name, this.host, this.port, this.cookie, this.metadata, this.failureDetector,
				this.transport, this.links, this.clock, this.topologies, this.listeners, specs, hosted,
				this.splitBrain, this.quorumSize);
	}

	/**
	 * Why the cookie may not be used on this bound address (shorter than
	 * {@link ClusterNode#MIN_COOKIE_LENGTH} characters and not on loopback), or {@code null}.
	 * @param bound the bound address
	 * @return the problem, or {@code null}
	 */
	String weakCookie(InetAddress bound) {
		if (this.cookie == null || this.cookie.length == 0 || this.cookie.length >= ClusterNode.MIN_COOKIE_LENGTH) {
			return null;
		}
		if (bound != null && bound.isLoopbackAddress()) {
			logger.warn("cluster.cookie is shorter than {} characters; accepted because node {} listens on loopback "
					+ "only. Generate one with: openssl rand -base64 32", ClusterNode.MIN_COOKIE_LENGTH, this.name);
			return null;
		}
		return "cluster.cookie is shorter than " + ClusterNode.MIN_COOKIE_LENGTH + " characters on a node that listens "
				+ "on " + bound + ". Generate one with `openssl rand -base64 32` and set the same on every node.";
	}

	/**
	 * A hash of the singletons' placement rules, which nodes compare in the handshake.
	 * @return 16 hexadecimal digits
	 */
	String singletonsHash() {
		String text = this.singletonSpecs.values()
			.stream()
			.map(SingletonSpec::describe)
			.sorted()
			.reduce("", (a, b) -> a + ";" + b);
		try {
			byte[] digest = MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
			return HexFormat.of().formatHex(digest, 0, 8);
		}
		catch (NoSuchAlgorithmException ex) {
			throw new IllegalStateException(ex);
		}
	}

	@Override
	public char[] cookie() {
		return (this.cookie != null) ? this.cookie.clone() : null;
	}

	@Override
	public String toString() {
		return "NodeSettings[" + this.name + "@" + this.host + ":" + this.port + "]";
	}

	private static <K, V> Map<K, V> ordered(Map<K, V> map) {
		return Collections.unmodifiableMap(new LinkedHashMap<>(map));
	}

}
