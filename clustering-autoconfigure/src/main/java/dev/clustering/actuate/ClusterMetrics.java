package dev.clustering.actuate;

import java.util.function.ToLongFunction;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;

import dev.clustering.discovery.TopologyStatus;
import dev.clustering.node.ClusterNode;
import dev.clustering.transport.TransportCounters;

/**
 * Micrometer metrics: {@code cluster.members} (up), {@code cluster.members.unreachable},
 * {@code cluster.leader} (1 on the leader), {@code cluster.singletons.running}, and per topology
 * {@code cluster.discovery.rounds} and {@code cluster.discovery.errors}.
 */
public class ClusterMetrics implements MeterBinder {

	private final ClusterNode node;

	/**
	 * Creates the binder.
	 * @param node the node
	 */
	public ClusterMetrics(ClusterNode node) {
		this.node = node;
	}

	@Override
	public void bindTo(MeterRegistry registry) {
		Gauge.builder("cluster.members", this.node, (n) -> n.isRunning() ? n.members().size() : 0)
			.description("Other nodes that are up")
			.register(registry);
		Gauge
			.builder("cluster.members.unreachable", this.node,
					(n) -> n.isRunning() ? n.snapshot().members().size() - n.members().size() : 0)
			.description("Other nodes that are connected but silent")
			.register(registry);
		Gauge.builder("cluster.leader", this.node, (n) -> n.leadership().isLeader() ? 1 : 0)
			.description("Whether this node leads the cluster (1) or not (0)")
			.register(registry);
		Gauge
			.builder("cluster.singletons.running", this.node,
					(n) -> n.isRunning() ? n.singletons().values().stream()
						.filter((s) -> n.self().name().equals(s.node()))
						.count() : 0)
			.description("Singletons running on this node")
			.register(registry);
		transportCounter(registry, "cluster.transport.frames.invalid",
				"Frames from authenticated peers that did not decode (skipped)",
				TransportCounters::invalidFrames);
		transportCounter(registry, "cluster.transport.messages.unknown",
				"Messages of a type this node does not know, from peers of a newer version (skipped)",
				TransportCounters::unknownMessages);
		transportCounter(registry, "cluster.transport.handler.errors",
				"Errors of this node's own code while handling a well-formed frame",
				TransportCounters::handlerErrors);
		transportCounter(registry, "cluster.transport.handshakes.refused",
				"Connections refused because too many handshakes were pending",
				TransportCounters::refusedHandshakes);
		transportCounter(registry, "cluster.transport.handshakes.timeouts",
				"Connections closed for not finishing the handshake in time",
				TransportCounters::handshakeTimeouts);
		transportCounter(registry, "cluster.transport.messages.dropped",
				"Messages not sent because the peer did not read what was queued for it",
				TransportCounters::droppedMessages);
		for (int i = 0; i < this.node.topologies().size(); i++) {
			int index = i;
			String name = this.node.topologies().get(i).name();
			FunctionCounter.builder("cluster.discovery.rounds", this.node, (n) -> status(n, index).rounds())
				.description("Discovery rounds, good or failed")
				.tag("topology", name)
				.register(registry);
			FunctionCounter.builder("cluster.discovery.errors", this.node, (n) -> status(n, index).errors())
				.description("Failed discovery rounds")
				.tag("topology", name)
				.register(registry);
		}
	}

	private void transportCounter(MeterRegistry registry, String name, String description,
			ToLongFunction<TransportCounters> value) {
		FunctionCounter.builder(name, this.node, (n) -> value.applyAsLong(n.transportCounters()))
			.description(description)
			.register(registry);
	}

	private static TopologyStatus status(ClusterNode node, int index) {
		return node.topologies().get(index);
	}

}
