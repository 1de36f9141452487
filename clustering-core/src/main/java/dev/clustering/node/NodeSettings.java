package dev.clustering.node;

import java.time.Clock;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

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
