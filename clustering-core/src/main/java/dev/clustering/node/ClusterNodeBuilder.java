package dev.clustering.node;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

import dev.clustering.detection.FailureDetectorSettings;
import dev.clustering.discovery.DiscoveryStrategy;
import dev.clustering.leadership.SplitBrainStrategy;
import dev.clustering.membership.NodeAddress;
import dev.clustering.singleton.ClusterSingleton;
import dev.clustering.singleton.SingletonSpec;
import dev.clustering.transport.LinkFilter;
import dev.clustering.transport.TransportSettings;

/**
 * Configures a {@link ClusterNode}.
 */
public final class ClusterNodeBuilder {

	String name = "node";

	String host = HostAddresses.firstNonLoopback();

	int port;

	char[] cookie;

	Map<String, String> metadata = Map.of();

	FailureDetectorSettings failureDetector = FailureDetectorSettings.DEFAULTS;

	TransportSettings transport = TransportSettings.DEFAULTS;

	LinkFilter links = LinkFilter.NONE;

	Clock clock = Clock.systemUTC();

	final List<TopologySpec> topologies = new ArrayList<>();

	final List<ClusterListener> listeners = new ArrayList<>();

	final Map<String, SingletonSpec> singletonSpecs = new LinkedHashMap<>();

	final Map<String, ClusterSingleton> singletons = new LinkedHashMap<>();

	SplitBrainStrategy splitBrain = SplitBrainStrategy.KEEP_MAJORITY;

	int quorumSize = 1;

	ClusterNodeBuilder() {
	}

	/**
	 * The name part of the node name (before {@code @}); default {@code node}.
	 * @param name the name part
	 * @return this builder
	 */
	public ClusterNodeBuilder name(String name) {
		if (name == null || name.isBlank() || name.indexOf('@') >= 0) {
			throw new IllegalArgumentException("node name must be non-empty and must not contain '@'");
		}
		this.name = name;
		return this;
	}

	/**
	 * The host this node advertises and listens on; default this machine's first non-loopback address.
	 * @param host an IP literal or host name
	 * @return this builder
	 */
	public ClusterNodeBuilder host(String host) {
		this.host = new NodeAddress(host, 1).host();
		return this;
	}

	/**
	 * The transport port; 0 (the default) for any free port, which is then advertised.
	 * @param port the port
	 * @return this builder
	 */
	public ClusterNodeBuilder port(int port) {
		if (port < 0 || port > 65535) {
			throw new IllegalArgumentException("port must be between 0 and 65535");
		}
		this.port = port;
		return this;
	}

	/**
	 * The shared secret every node of the cluster must know; none by default (loopback peers only).
	 * @param cookie the secret (copied)
	 * @return this builder
	 */
	public ClusterNodeBuilder cookie(char[] cookie) {
		this.cookie = (cookie != null) ? cookie.clone() : null;
		return this;
	}

	/**
	 * What this node tells its peers about itself.
	 * @param metadata key-value pairs
	 * @return this builder
	 */
	public ClusterNodeBuilder metadata(Map<String, String> metadata) {
		this.metadata = Map.copyOf(new LinkedHashMap<>(metadata));
		return this;
	}

	/**
	 * Failure detector settings.
	 * @param settings the settings
	 * @return this builder
	 */
	public ClusterNodeBuilder failureDetector(FailureDetectorSettings settings) {
		this.failureDetector = Objects.requireNonNull(settings);
		return this;
	}

	/**
	 * Transport settings.
	 * @param settings the settings
	 * @return this builder
	 */
	public ClusterNodeBuilder transport(TransportSettings settings) {
		this.transport = Objects.requireNonNull(settings);
		return this;
	}

	/**
	 * Cuts links for fault-injection tests.
	 * @param links which links are cut
	 * @return this builder
	 */
	public ClusterNodeBuilder linkFilter(LinkFilter links) {
		this.links = Objects.requireNonNull(links);
		return this;
	}

	/**
	 * The wall clock for timestamps.
	 * @param clock the clock
	 * @return this builder
	 */
	public ClusterNodeBuilder clock(Clock clock) {
		this.clock = Objects.requireNonNull(clock);
		return this;
	}

	/**
	 * Adds a topology.
	 * @param name the topology name
	 * @param strategyName the strategy's name, for display
	 * @param strategy the strategy
	 * @param pollInterval how often a polling strategy is polled
	 * @return this builder
	 */
	public ClusterNodeBuilder topology(String name, String strategyName, DiscoveryStrategy strategy,
			Duration pollInterval) {
		if (pollInterval.isNegative() || pollInterval.isZero()) {
			throw new IllegalArgumentException("poll interval of topology " + name + " must be positive");
		}
		this.topologies.add(new TopologySpec(name, strategyName, Objects.requireNonNull(strategy), pollInterval));
		return this;
	}

	/**
	 * Adds a listener that hears every event from the start.
	 * @param listener the listener
	 * @return this builder
	 */
	public ClusterNodeBuilder listener(ClusterListener listener) {
		this.listeners.add(Objects.requireNonNull(listener));
		return this;
	}

	/**
	 * How a partitioned cluster protects itself; default keep-majority.
	 * @param strategy the strategy
	 * @param quorumSize nodes needed with {@link SplitBrainStrategy#STATIC_QUORUM}
	 * @return this builder
	 */
	public ClusterNodeBuilder splitBrain(SplitBrainStrategy strategy, int quorumSize) {
		this.splitBrain = Objects.requireNonNull(strategy);
		if (quorumSize < 1) {
			throw new IllegalArgumentException("quorum size must be at least 1");
		}
		this.quorumSize = quorumSize;
		return this;
	}

	/**
	 * Declares a singleton's placement (every node of the cluster should declare the same).
	 * @param spec where it may run and how it moves
	 * @return this builder
	 */
	public ClusterNodeBuilder singletonSpec(SingletonSpec spec) {
		this.singletonSpecs.put(spec.name(), spec);
		return this;
	}

	/**
	 * Lets this node run a singleton; its placement is the declared spec or the defaults.
	 * @param name the singleton's name
	 * @param singleton the work
	 * @return this builder
	 */
	public ClusterNodeBuilder singleton(String name, ClusterSingleton singleton) {
		this.singletons.put(name, Objects.requireNonNull(singleton));
		this.singletonSpecs.putIfAbsent(name, SingletonSpec.defaults(name));
		return this;
	}

	/**
	 * Builds the node (not started), with a copy of these settings: changing this builder afterwards
	 * does not change the node, and one builder may build several nodes.
	 * @return the node
	 */
	public ClusterNode build() {
		return new ClusterNode(new NodeSettings(this.name, this.host, this.port, this.cookie, this.metadata,
				this.failureDetector, this.transport, this.links, this.clock, this.topologies, this.listeners,
				this.singletonSpecs, this.singletons, this.splitBrain, this.quorumSize));
	}

	record TopologySpec(String name, String strategyName, DiscoveryStrategy strategy, Duration pollInterval) {
	}

}
