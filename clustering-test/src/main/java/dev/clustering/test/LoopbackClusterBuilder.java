package dev.clustering.test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.BiConsumer;
import java.util.function.BiFunction;
import java.util.function.Predicate;
import java.util.function.Supplier;

import dev.clustering.detection.FailureDetectorSettings;
import dev.clustering.discovery.DiscoveryStrategy;
import dev.clustering.discovery.staticlist.StaticStrategy;
import dev.clustering.leadership.SplitBrainStrategy;
import dev.clustering.membership.NodeAddress;
import dev.clustering.node.ClusterNodeBuilder;
import dev.clustering.node.EngineEvent;
import dev.clustering.singleton.ClusterSingleton;
import dev.clustering.singleton.SingletonSpec;

/** How to build a {@link LoopbackCluster}: {@link LoopbackCluster#nodes(int)} begins one. */
public final class LoopbackClusterBuilder {

	final List<String> names;

	String cookie = Loopback.newCookie();

	FailureDetectorSettings failureDetector = LoopbackCluster.FAST;

	SplitBrainStrategy splitBrain = SplitBrainStrategy.KEEP_MAJORITY;

	int quorumSize = 1;

	Duration timeout = Duration.ofSeconds(15);

	final Map<String, Supplier<? extends ClusterSingleton>> singletons = new LinkedHashMap<>();

	final List<SingletonSpec> specs = new ArrayList<>();

	final Set<String> recordedSingletons = new LinkedHashSet<>();

	String strategyName = StaticStrategy.NAME;

	BiFunction<String, List<NodeAddress>, DiscoveryStrategy> strategy = (name, all) -> new StaticStrategy(all);

	Duration pollInterval = Duration.ofMillis(500);

	Predicate<? super EngineEvent> recorded = (event) -> true;

	BiConsumer<String, ClusterNodeBuilder> customizer = (name, builder) -> {
	};

	LoopbackClusterBuilder(List<String> names) {
		if (names.isEmpty() || names.stream().anyMatch((n) -> n == null || n.isBlank() || n.contains("@"))
				|| Set.copyOf(names).size() != names.size()) {
			throw new IllegalArgumentException("Node names must be distinct, non-blank and without '@': " + names);
		}
		this.names = List.copyOf(names);
	}

	// nodes named n1 to n<count>
	static LoopbackClusterBuilder numbered(int count) {
		if (count < 1) {
			throw new IllegalArgumentException("A cluster has at least one node, not " + count);
		}
		List<String> names = new ArrayList<>();
		for (int i = 1; i <= count; i++) {
			names.add("n" + i);
		}
		return new LoopbackClusterBuilder(names);
	}

	/**
	 * Every node hosts this singleton, each with its own instance of the work.
	 * @param name the singleton's name
	 * @param work makes one node's instance
	 * @return this builder
	 */
	public LoopbackClusterBuilder singleton(String name, Supplier<? extends ClusterSingleton> work) {
		this.singletons.put(Objects.requireNonNull(name), Objects.requireNonNull(work));
		return this;
	}

	/**
	 * Every node hosts this singleton as a stand-in that does no work and records where and when it
	 * runs ({@link LoopbackCluster#singletonRecord(String)}).
	 * @param name the singleton's name
	 * @return this builder
	 */
	public LoopbackClusterBuilder recordedSingleton(String name) {
		this.recordedSingletons.add(Objects.requireNonNull(name));
		return this;
	}

	/**
	 * Placement rules for a singleton (priority groups, failover timeout, takeover).
	 * @param spec the rules
	 * @return this builder
	 */
	public LoopbackClusterBuilder singletonSpec(SingletonSpec spec) {
		this.specs.add(Objects.requireNonNull(spec));
		return this;
	}

	/**
	 * The failure detector's settings ({@link LoopbackCluster#FAST} by default).
	 * @param settings the settings
	 * @return this builder
	 */
	public LoopbackClusterBuilder failureDetector(FailureDetectorSettings settings) {
		this.failureDetector = Objects.requireNonNull(settings);
		return this;
	}

	/**
	 * The split-brain rule (keep-majority by default).
	 * @param strategy the rule
	 * @param quorumSize the quorum size, for a static quorum
	 * @return this builder
	 */
	public LoopbackClusterBuilder splitBrain(SplitBrainStrategy strategy, int quorumSize) {
		this.splitBrain = Objects.requireNonNull(strategy);
		this.quorumSize = quorumSize;
		return this;
	}

	/**
	 * The shared cookie (a random one by default).
	 * @param cookie the cookie
	 * @return this builder
	 */
	public LoopbackClusterBuilder cookie(String cookie) {
		this.cookie = Objects.requireNonNull(cookie);
		return this;
	}

	/**
	 * How long the waits wait (15 s by default).
	 * @param timeout the timeout
	 * @return this builder
	 */
	public LoopbackClusterBuilder timeout(Duration timeout) {
		this.timeout = Objects.requireNonNull(timeout);
		return this;
	}

	/**
	 * Each node's one topology, instead of a static list of every node polled every 500 ms: for a
	 * registry such as etcd, or another poll interval.
	 * @param strategyName the strategy's name, for display (such as {@code EtcdStrategy.NAME})
	 * @param strategy given a node's short name and every node's address, makes its strategy
	 * @param pollInterval how often a polling strategy is polled
	 * @return this builder
	 */
	public LoopbackClusterBuilder topology(String strategyName,
			BiFunction<String, List<NodeAddress>, DiscoveryStrategy> strategy, Duration pollInterval) {
		this.strategyName = Objects.requireNonNull(strategyName);
		this.strategy = Objects.requireNonNull(strategy);
		this.pollInterval = Objects.requireNonNull(pollInterval);
		return this;
	}

	/**
	 * Which events are kept for {@link LoopbackCluster#events(String)},
	 * {@link LoopbackCluster#timeline()} and {@link LoopbackCluster#awaitEvent} (all by default).
	 * Fewer for many nodes over a long run, where keeping every join would cost memory and time;
	 * a listener of one's own ({@link #customize}) still hears every event.
	 * @param which the events to keep, such as {@code EngineEvent.MemberLeft.class::isInstance}
	 * @return this builder
	 */
	public LoopbackClusterBuilder recordEvents(Predicate<? super EngineEvent> which) {
		this.recorded = Objects.requireNonNull(which);
		return this;
	}

	/**
	 * Anything else, per node, on the engine's own builder.
	 * @param customizer given each node's short name and builder
	 * @return this builder
	 */
	public LoopbackClusterBuilder customize(BiConsumer<String, ClusterNodeBuilder> customizer) {
		this.customizer = Objects.requireNonNull(customizer);
		return this;
	}

	/**
	 * The cluster, not started (a JUnit extension starts it before each test).
	 * @return the cluster
	 */
	public LoopbackCluster build() {
		return new LoopbackCluster(this);
	}

}

