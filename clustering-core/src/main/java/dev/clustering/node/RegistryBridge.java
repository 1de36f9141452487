package dev.clustering.node;

import java.util.List;
import java.util.function.Consumer;

import dev.clustering.discovery.ElectionCapable;
import dev.clustering.discovery.RegistryListener;
import dev.clustering.discovery.Topology;

/**
 * What the topologies' registries tell this node, carried to the event loop, and what this node
 * tells the one that runs the election: that topology's candidacy (who was elected, or that
 * leadership is unknown) goes to {@link RegistryElection}, every registry's loss and restoration is
 * told to the application (and, for that topology, to {@link RegistryElection}), and a member whose
 * process crashed is reported to it. Its listeners are called on the topology threads and only hand
 * work to the event loop, which owns everything they change; created and called by
 * {@link Coordination} on the loop.
 */
final class RegistryBridge {

	private final String self;

	// the topology whose registry runs the election, and that election; both null without one
	private final Topology electionTopology;

	private final RegistryElection registry;

	private final Consumer<EngineEvent> events;

	// runs a task on the event loop (dropped while the node shuts down)
	private final Consumer<Runnable> onLoop;

	// re-evaluates leadership and singletons, on the loop
	private final Runnable reevaluate;

	RegistryBridge(String self, Topology electionTopology, RegistryElection registry, Consumer<EngineEvent> events,
			Consumer<Runnable> onLoop, Runnable reevaluate) {
		this.self = self;
		this.electionTopology = electionTopology;
		this.registry = registry;
		this.events = events;
		this.onLoop = onLoop;
		this.reevaluate = reevaluate;
	}

	/**
	 * Hears every topology's registry being lost and restored.
	 * @param topologies the topologies
	 */
	void listen(List<Topology> topologies) {
		topologies.forEach((topology) -> topology.onRegistry(new RegistryEvents(topology)));
	}

	/** Joins the registry's election, if a topology runs one; after the topologies started. */
	void campaign() {
		if (this.electionTopology == null) {
			return;
		}
		this.electionTopology.campaign(new ElectionCapable.ElectionListener() {
			@Override
			public void leaderElected(String leaderName, long fencingToken) {
				RegistryBridge.this.onLoop.accept(() -> {
					RegistryBridge.this.registry.elected(leaderName, fencingToken);
					RegistryBridge.this.reevaluate.run();
				});
			}

			@Override
			public void leadershipUnknown(Throwable error) {
				RegistryBridge.this.onLoop.accept(() -> {
					RegistryBridge.this.registry.unknown();
					RegistryBridge.this.reevaluate.run();
				});
			}
		});
	}

	/**
	 * A member's process died (its connection was closed by its operating system).
	 * @param peer the member
	 */
	void crashed(String peer) {
		if (this.electionTopology != null) {
			// the peer's OS closed its connection: its process died (a silence never gets here), so its
			// candidacy can end now instead of when its lease runs out
			this.electionTopology.nodeCrashed(peer);
		}
	}

	/** Hears a topology's registry being lost and restored, and tells the application. */
	private final class RegistryEvents implements RegistryListener {

		private final Topology topology;

		RegistryEvents(Topology topology) {
			this.topology = topology;
		}

		@Override
		public void registryLost(Throwable error) {
			RegistryBridge.this.onLoop.accept(() -> {
				if (this.topology == RegistryBridge.this.electionTopology) {
					RegistryBridge.this.registry.registryLost(true);
					RegistryBridge.this.reevaluate.run();
				}
				RegistryBridge.this.events.accept(new EngineEvent.RegistryDisconnected(RegistryBridge.this.self,
						this.topology.name(), error));
			});
		}

		@Override
		public void registryRestored() {
			RegistryBridge.this.onLoop.accept(() -> {
				if (this.topology == RegistryBridge.this.electionTopology) {
					RegistryBridge.this.registry.registryLost(false);
					RegistryBridge.this.reevaluate.run();
				}
				RegistryBridge.this.events.accept(new EngineEvent.RegistryReconnected(RegistryBridge.this.self,
						this.topology.name()));
			});
		}

	}

}
