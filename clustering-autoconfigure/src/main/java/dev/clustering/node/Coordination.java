package dev.clustering.node;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;
import java.util.function.LongSupplier;

import io.netty.channel.EventLoop;
import org.springframework.context.ApplicationEvent;

import dev.clustering.discovery.ElectionCapable;
import dev.clustering.discovery.RegistryDisconnectedEvent;
import dev.clustering.discovery.RegistryListener;
import dev.clustering.discovery.RegistryReconnectedEvent;
import dev.clustering.discovery.Topology;
import dev.clustering.leadership.LeaderInfo;
import dev.clustering.membership.ClusterSnapshot;
import dev.clustering.membership.LocalNode;
import dev.clustering.singleton.SingletonInfo;
import dev.clustering.transport.Message;

/**
 * Ties leadership and singletons to the mesh and, when a topology runs the election, to its
 * registry: routes their messages, membership changes, pauses and registry events. Runs on the
 * node's event loop, except the read-only views.
 */
final class Coordination implements Mesh.Protocol {

	private final LocalNode self;

	private final Leadership leadership;

	private final Singletons singletons;

	private final EventLoop loop;

	private final Consumer<ApplicationEvent> events;

	private final Object source;

	// the topology whose registry runs the election, or null
	private final Topology election;

	Coordination(Object source, LocalNode self, ClusterNodeBuilder config, Mesh mesh, EventLoop loop,
			LongSupplier nanoTime, List<Topology> topologies, Consumer<ApplicationEvent> events) {
		this.source = source;
		this.self = self;
		this.loop = loop;
		this.events = events;
		long pauseGrace = config.failureDetector.heartbeatInterval().toNanos()
				+ config.failureDetector.acceptableHeartbeatPause().toNanos();
		this.leadership = new Leadership(source, self.name(), config.clock.millis(), config.splitBrain,
				config.quorumSize, config.clock, nanoTime, pauseGrace, mesh::knownNodeCount,
				() -> mesh.heardWithin(pauseGrace), mesh::send, mesh::broadcast, events);
		this.singletons = new Singletons(source, self.name(), Map.copyOf(config.singletonSpecs),
				Map.copyOf(config.singletons), self.metadata().get(Singletons.CONFIG), this.leadership, config.clock,
				nanoTime, loop, mesh::send, mesh::broadcast, events);
		this.election = topologies.stream().filter(Topology::offersElection).findFirst().orElse(null);
		if (this.election != null) {
			this.leadership.useRegistry();
			Topology registry = this.election;
			this.singletons.failOverOnlyWhenUnregistered((address) -> registry.status().discovered().contains(address));
		}
		topologies.forEach((topology) -> topology.onRegistry(new RegistryEvents(topology)));
	}

	/** Joins the registry's election, if a topology runs one; after the topologies started. */
	void campaign() {
		if (this.election == null) {
			return;
		}
		this.election.campaign(new ElectionCapable.ElectionListener() {
			@Override
			public void leaderElected(String leaderName, long fencingToken) {
				onLoop(() -> {
					Coordination.this.leadership.registryElected(leaderName, fencingToken);
					Coordination.this.singletons.evaluate();
				});
			}

			@Override
			public void leadershipUnknown(Throwable error) {
				onLoop(() -> {
					Coordination.this.leadership.registryUnknown();
					Coordination.this.singletons.evaluate();
				});
			}
		});
	}

	@Override
	public void received(String peer, Message message) {
		if (message instanceof Message.Claim claim) {
			this.leadership.claimReceived(peer, claim.token());
			this.singletons.evaluate();
		}
		else if (message instanceof Message.SingletonState state) {
			this.singletons.stateReceived(peer, state);
		}
		else if (message instanceof Message.SingletonOrder order) {
			this.singletons.orderReceived(peer, order);
		}
	}

	@Override
	public void paused() {
		this.leadership.paused();
		this.singletons.paused();
	}

	@Override
	public void crashed(String peer) {
		if (this.election != null) {
			// the peer's OS closed its connection: its process died (a silence never gets here), so its
			// candidacy can end now instead of when its lease runs out
			this.election.nodeCrashed(peer);
		}
	}

	void membershipChanged(ClusterSnapshot previous, ClusterSnapshot next) {
		this.leadership.membershipChanged(previous, next);
		this.singletons.membershipChanged(previous, next);
	}

	void tick() {
		this.leadership.evaluate();
		this.singletons.evaluate();
	}

	/** Gives leadership up and stops local singletons; completes when they have stopped. */
	CompletableFuture<Void> leave() {
		this.leadership.leave();
		return this.singletons.leave();
	}

	void close() {
		this.singletons.close();
	}

	Map<String, SingletonInfo> singletons() {
		return this.singletons.views();
	}

	String requestMove(String singleton, String node) {
		return this.singletons.requestMove(singleton, node);
	}

	Optional<LeaderInfo> leader() {
		return this.leadership.leader();
	}

	boolean isLeader() {
		return this.leadership.isLeader();
	}

	long fencingToken() {
		return this.leadership.isLeader() ? this.leadership.ownToken() : 0;
	}

	void yieldLeadership() {
		this.leadership.yieldLeadership();
		this.singletons.evaluate();
	}

	private void onLoop(Runnable task) {
		try {
			this.loop.execute(task);
		}
		catch (java.util.concurrent.RejectedExecutionException ex) {
			// the node is shutting down
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
			onLoop(() -> {
				if (this.topology == Coordination.this.election) {
					Coordination.this.leadership.registryLost(true);
					Coordination.this.singletons.evaluate();
				}
				Coordination.this.events.accept(new RegistryDisconnectedEvent(Coordination.this.source,
						this.topology.name(), Coordination.this.self.name(), error));
			});
		}

		@Override
		public void registryRestored() {
			onLoop(() -> {
				if (this.topology == Coordination.this.election) {
					Coordination.this.leadership.registryLost(false);
					Coordination.this.singletons.evaluate();
				}
				Coordination.this.events.accept(new RegistryReconnectedEvent(Coordination.this.source,
						this.topology.name(), Coordination.this.self.name()));
			});
		}

	}

}
