package dev.clustering.test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import dev.clustering.membership.NodeAddress;
import dev.clustering.node.ClusterBindException;
import dev.clustering.node.ClusterNode;
import dev.clustering.node.ClusterNodeBuilder;
import dev.clustering.node.EventLoopPause;

/**
 * A {@link LoopbackCluster}'s nodes, by short name, and their lifecycle: each built on a free loopback
 * port with the cluster's settings, link faults, event recorder and singletons, then started, paused,
 * killed, restarted and closed; with when each was last started and where its recorded singletons ran.
 * The link faults between them (partitions, cuts, isolation) are set here for known nodes only.
 */
final class LoopbackNodes {

	private static final String HOST = "127.0.0.1";

	private final LoopbackClusterBuilder settings;

	private final LinkFaults links;

	private final EventRecorder recorder;

	private final Map<String, ClusterNode> nodes = new LinkedHashMap<>();

	private final Map<String, Long> startedAt = new ConcurrentHashMap<>();

	private final Map<String, SingletonRecord> singletonRecords = new ConcurrentHashMap<>();

	LoopbackNodes(LoopbackClusterBuilder settings, LinkFaults links, EventRecorder recorder) {
		this.settings = settings;
		this.links = links;
		this.recorder = recorder;
	}

	void start() {
		if (!this.nodes.isEmpty()) {
			throw new IllegalStateException("The cluster is started already");
		}
		List<Integer> ports = Loopback.freePorts(this.settings.names.size());
		List<NodeAddress> hosts = ports.stream().map((port) -> new NodeAddress(HOST, port)).toList();
		for (int i = 0; i < ports.size(); i++) {
			String name = this.settings.names.get(i);
			this.nodes.put(name, build(name, ports.get(i), hosts));
		}
		this.nodes.forEach((name, node) -> {
			this.startedAt.put(name, System.nanoTime());
			node.start();
		});
	}

	private ClusterNode build(String name, int port, List<NodeAddress> hosts) {
		ClusterNodeBuilder builder = ClusterNode.builder()
			.name(name)
			.host(HOST)
			.port(port)
			.cookie(this.settings.cookie.toCharArray())
			.failureDetector(this.settings.failureDetector)
			.splitBrain(this.settings.splitBrain, this.settings.quorumSize)
			.linkFilter(this.links.filterFor(name))
			.topology("loopback", this.settings.strategyName, this.settings.strategy.apply(name, hosts),
					this.settings.pollInterval);
		builder.listener(this.recorder.listenerFor(name));
		this.settings.specs.forEach(builder::singletonSpec);
		this.settings.singletons.forEach((singleton, factory) -> builder.singleton(singleton, factory.get()));
		this.settings.recordedSingletons.forEach((singleton) -> builder.singleton(singleton,
				this.singletonRecords.computeIfAbsent(singleton, (key) -> new SingletonRecord()).on(name)));
		this.settings.customizer.accept(name, builder);
		return builder.build();
	}

	void close() {
		this.nodes.values().forEach(ClusterNode::close);
		this.nodes.clear();
	}

	void close(int parallelism) {
		ExecutorService pool = Executors.newFixedThreadPool(Math.max(1, Math.min(parallelism, this.nodes.size())));
		try {
			List<Future<?>> closing = new ArrayList<>();
			this.nodes.values().forEach((node) -> closing.add(pool.submit(node::close)));
			for (Future<?> future : closing) {
				future.get();
			}
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new IllegalStateException("Interrupted while closing the nodes", ex);
		}
		catch (ExecutionException ex) {
			throw new IllegalStateException("A node failed to close", ex.getCause());
		}
		finally {
			pool.shutdown();
			this.nodes.clear();
		}
	}

	ClusterNode node(String name) {
		ClusterNode node = this.nodes.get(name);
		if (node == null) {
			throw new IllegalArgumentException("No node " + name + " in this cluster; its nodes are " + this.nodes.keySet());
		}
		return node;
	}

	boolean isEmpty() {
		return this.nodes.isEmpty();
	}

	// a copy, by short name in order
	Map<String, ClusterNode> byName() {
		return new LinkedHashMap<>(this.nodes);
	}

	// every node's short name but one, in order
	List<String> others(String name) {
		node(name);
		return this.settings.names.stream().filter((other) -> !other.equals(name)).toList();
	}

	List<String> running() {
		return this.nodes.entrySet().stream().filter((e) -> e.getValue().isRunning()).map(Map.Entry::getKey).toList();
	}

	long startedAt(String name) {
		node(name);
		return this.startedAt.get(name);
	}

	// nodes not on any side form one more side
	void partition(Collection<String>[] sides) {
		for (Collection<String> side : sides) {
			side.forEach(this::node);
		}
		this.links.partition(this.settings.names, sides);
	}

	void cutOneWay(String from, String to) {
		node(from);
		node(to);
		this.links.cutOneWay(from, to);
	}

	void isolate(String name) {
		node(name);
		this.links.isolate(name);
	}

	void kill(String name) {
		ClusterNode node = node(name);
		this.singletonRecords.values().forEach((record) -> record.killed(name));
		node.halt();
	}

	SingletonRecord singletonRecord(String singleton) {
		SingletonRecord record = this.singletonRecords.get(singleton);
		if (record == null) {
			throw new IllegalArgumentException("No recorded singleton " + singleton + "; recorded are "
					+ this.singletonRecords.keySet());
		}
		return record;
	}

	void pause(String name, Duration duration) {
		try {
			EventLoopPause.pause(node(name), duration);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new IllegalStateException("Interrupted while pausing " + name, ex);
		}
	}

	EventLoopPause.Hold hold(String name) {
		try {
			return EventLoopPause.hold(node(name));
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new IllegalStateException("Interrupted while holding " + name, ex);
		}
	}

	// on its port, as a new incarnation; tries again for up to 5 s while the port is still held
	void restart(String name) {
		ClusterNode node = node(name);
		this.recorder.restarted(name);
		long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
		while (true) {
			try {
				this.startedAt.put(name, System.nanoTime());
				node.start();
				return;
			}
			catch (ClusterBindException ex) {
				if (System.nanoTime() - deadline > 0 || !Polling.nap(50)) {
					throw ex;
				}
			}
		}
	}

}
