package dev.clustering.node;

import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.LongSupplier;

import io.netty.channel.EventLoop;
import io.netty.util.concurrent.DefaultThreadFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.clustering.discovery.Topology;
import dev.clustering.leadership.LeaderInfo;
import dev.clustering.leadership.RevocationReason;
import dev.clustering.membership.ClusterSnapshot;
import dev.clustering.membership.LocalNode;
import dev.clustering.membership.Member;
import dev.clustering.singleton.SingletonInfo;
import dev.clustering.transport.Message;

/**
 * Ties leadership and singletons to the mesh and, when a topology runs the election, to its
 * registry ({@link RegistryBridge}): routes their messages, membership changes, pauses, crashes and
 * registry events, and publishes leadership events. Runs on the node's event loop (asserted at each
 * entry point), except the read-only views and the watchdog, which has a thread of its own.
 */
final class Coordination implements Mesh.Protocol {

	private static final Logger logger = LoggerFactory.getLogger(Coordination.class);

	private static final long WATCHDOG_MILLIS = 20;

	private final LocalNode self;

	private final NodeSettings config;

	private final Mesh mesh;

	private final EventLoop loop;

	private final Consumer<EngineEvent> events;

	private final LeaderElection election;

	// the topologies' registries: the election's, if one runs it, and each one's loss and restoration
	private final RegistryBridge registries;

	private final Singletons singletons;

	private final long heartbeatNanos;

	private final long startedAt;

	private final ScheduledExecutorService watchdog;

	private ClusterSnapshot snapshot;

	private Roster roster;

	private LeaderInfo published;

	Coordination(LocalNode self, NodeSettings config, Mesh mesh, EventLoop loop,
			LongSupplier nanoTime, List<Topology> topologies, Consumer<EngineEvent> events) {
		this.self = self;
		this.config = config;
		this.mesh = mesh;
		this.loop = loop;
		this.events = events;
		this.heartbeatNanos = config.failureDetector().heartbeatInterval().toNanos();
		this.startedAt = Long.parseLong(self.metadata().get(NodeMetadata.STARTED_AT));
		long lease = config.failureDetector().heartbeatInterval().toNanos()
				+ config.failureDetector().acceptableHeartbeatPause().toNanos();
		Election.Listener listener = new Election.Listener() {
			@Override
			public void won(long token) {
			}

			@Override
			public void lost(long token, RevocationReason reason) {
				Coordination.this.events
					.accept(new EngineEvent.LeadershipRevoked(self.name(), token, reason));
			}
		};
		Topology electionTopology = topologies.stream().filter(Topology::offersElection).findFirst().orElse(null);
		// the registry's election, when a topology's registry runs it
		RegistryElection registry = null;
		if (electionTopology != null) {
			registry = new RegistryElection(self.name(), electionTopology, config.clock(), nanoTime,
					Math.max(lease / 20, 1_000_000L), listener);
			this.election = registry;
		}
		else {
			this.election = new Election(self.name(), lease, config.clock(), nanoTime, mesh::send, listener);
		}
		this.snapshot = ClusterSnapshot.empty(self);
		this.roster = computeRoster();
		this.singletons = new Singletons(self.name(), self.incarnation(), Map.copyOf(config.singletonSpecs()),
				Map.copyOf(config.singletons()), self.metadata().get(Singletons.CONFIG), config.clock(), nanoTime, loop,
				new Singletons.Messenger() {
					@Override
					public void send(String to, Message message) {
						mesh.send(to, message);
					}

					@Override
					public void broadcast(Message message) {
						mesh.broadcast(message);
					}
				}, events, new LeaderAccess());
		if (electionTopology != null) {
			this.singletons
				.failOverOnlyWhenUnregistered((address) -> electionTopology.status().discovered().contains(address));
		}
		this.registries = new RegistryBridge(self.name(), electionTopology, registry, events, this::onLoop,
				this::reevaluate);
		this.registries.listen(topologies);
		this.watchdog = Executors.newSingleThreadScheduledExecutor(
				new DefaultThreadFactory("cluster-watchdog-" + LocalNode.namePart(self.name()), true));
		this.watchdog.scheduleWithFixedDelay(this::watch, WATCHDOG_MILLIS, WATCHDOG_MILLIS, TimeUnit.MILLISECONDS);
	}

	/** Joins the registry's election, if a topology runs one; after the topologies started. */
	void campaign() {
		this.registries.campaign();
	}

	@Override
	public void received(String peer, long incarnation, Message message) {
		assert this.loop.inEventLoop() : "Coordination is used from its event loop only";
		if (message instanceof Message.VoteRequest || message instanceof Message.Vote
				|| message instanceof Message.LeaseRenew || message instanceof Message.LeaseAck
				|| message instanceof Message.Resign) {
			settlePermits();
			this.election.received(peer, message, this.roster);
			if (!(message instanceof Message.LeaseAck)) {
				this.singletons.evaluate();
			}
			publishLeader();
		}
		else {
			this.singletons.received(peer, incarnation, message);
		}
	}

	@Override
	public void heartbeat(String peer, long digest) {
		this.singletons.digestReceived(peer, digest, this.heartbeatNanos);
	}

	@Override
	public void paused() {
		this.election.paused();
		reevaluate();
	}

	@Override
	public void crashed(String peer, long incarnation) {
		assert this.loop.inEventLoop() : "Coordination is used from its event loop only";
		this.election.memberEnded(peer);
		this.singletons.crashed(peer, incarnation);
		this.registries.crashed(peer);
		reevaluate();
	}

	@Override
	public void left(String peer) {
		this.election.memberEnded(peer);
		reevaluate();
	}

	void membershipChanged(ClusterSnapshot previous, ClusterSnapshot next) {
		assert this.loop.inEventLoop() : "Coordination is used from its event loop only";
		String ours = this.self.metadata().get(NodeMetadata.ELECTION_CONFIG);
		for (Member member : next.members().values()) {
			Member before = previous.member(member.name());
			if (before != null && before.incarnation() != member.incarnation()) {
				// a new process has the name: the old one is gone, and with it what it acknowledged or promised
				this.election.memberEnded(member.name());
			}
			String theirs = member.metadata().get(NodeMetadata.ELECTION_CONFIG);
			if ((before == null || before.incarnation() != member.incarnation()) && theirs != null
					&& !theirs.equals(ours)) {
				logger.error("CONFIGURATION MISMATCH: node {} elects with {} and node {} with {}. Leadership stays "
						+ "safe (promises last the longer lease) but quorums may differ: make "
						+ "cluster.failure-detector.* and cluster.split-brain.* identical on every node.", member.name(),
						theirs, this.self.name(), ours);
			}
		}
		this.snapshot = next;
		this.roster = computeRoster();
		settlePermits();
		this.election.evaluate(this.roster);
		this.singletons.membershipChanged(previous, next);
		publishLeader();
	}

	void tick() {
		assert this.loop.inEventLoop() : "Coordination is used from its event loop only";
		reevaluate();
	}

	/** The digest of what this node runs, for its heartbeats. */
	long digest() {
		return this.singletons.digest();
	}

	/**
	 * Starts a graceful leave: tells the members (so nothing is placed here), stops the local
	 * singletons (the leader hands them over at once), then gives leadership up.
	 * @return completes when that is done
	 */
	CompletableFuture<Void> leave() {
		assert this.loop.inEventLoop() : "Coordination is used from its event loop only";
		this.mesh.announceLeaving();
		CompletableFuture<Void> done = new CompletableFuture<>();
		this.singletons.leave().whenComplete((ignored, error) -> onLoop(() -> {
			// if this node leads, it places what it stopped elsewhere before it resigns
			this.singletons.evaluate();
			this.election.leave(this.roster);
			publishLeader();
			done.complete(null);
		}));
		return done;
	}

	void close() {
		this.watchdog.shutdownNow();
		this.singletons.close();
	}

	Map<String, SingletonInfo> singletons() {
		return this.singletons.views();
	}

	String requestMove(String singleton, String node) {
		return this.singletons.requestMove(singleton, node);
	}

	LeaderInfo leader() {
		return this.election.view();
	}

	LeaderInfo ownLeadership(long nowNanos) {
		return this.election.ownLeadership(nowNanos);
	}

	void yieldLeadership() {
		this.election.yieldLeadership(this.roster);
		reevaluate();
	}

	private void reevaluate() {
		this.roster = computeRoster();
		settlePermits();
		this.election.evaluate(this.roster);
		this.singletons.evaluate();
		publishLeader();
	}

	// before the election may move this node's permit on (a renewal, a new lease): a run whose permit ran
	// out meanwhile is stopped now, so the moved permit does not bring it back
	private void settlePermits() {
		this.singletons.runner().refresh();
	}

	private void watch() {
		try {
			this.singletons.runner().watchdog();
		}
		catch (RuntimeException ex) {
			logger.error("Cluster node {}: the singleton watchdog failed", this.self.name(), ex);
		}
	}

	private Roster computeRoster() {
		Map<String, Long> reachable = new HashMap<>();
		Set<String> unreachable = new HashSet<>();
		for (Member member : this.snapshot.members().values()) {
			if (member.isUp()) {
				reachable.put(member.name(), NodeMetadata.startedAt(member));
			}
			else {
				unreachable.add(member.name());
			}
		}
		return Roster.of(this.self.name(), this.startedAt, reachable, unreachable, this.mesh.leavingMembers(),
				this.mesh.knownNodeCount(), this.config.splitBrain(), this.config.quorumSize());
	}

	private void publishLeader() {
		LeaderInfo current = this.election.view();
		LeaderInfo previous = this.published;
		boolean same = (previous == null) ? current == null
				: current != null && previous.name().equals(current.name())
						&& previous.fencingToken() == current.fencingToken();
		if (same) {
			return;
		}
		this.published = current;
		if (current != null) {
			this.events.accept(new EngineEvent.LeaderElected(this.self.name(), current.name(), current.fencingToken()));
		}
	}

	private void onLoop(Runnable task) {
		try {
			this.loop.execute(task);
		}
		catch (RejectedExecutionException ex) {
			// the node is shutting down
		}
	}

	/** What singletons ask of leadership and the mesh. */
	private final class LeaderAccess implements Singletons.Leadership {

		@Override
		public LeaderElection election() {
			return Coordination.this.election;
		}

		@Override
		public Roster roster() {
			return Coordination.this.roster;
		}

		@Override
		public boolean mayRunHere(Member member) {
			return Coordination.this.election.isRegistry()
					|| ((Election) Coordination.this.election).supportsMe(member.name());
		}

		@Override
		public long lastHeardNanos(String member) {
			return Coordination.this.mesh.lastReceivedNanos(member);
		}

		@Override
		public long lastAckNanos(String member) {
			return Coordination.this.election.isRegistry() ? Long.MIN_VALUE
					: ((Election) Coordination.this.election).lastAckNanos(member);
		}

		@Override
		public Set<String> strangers() {
			return Coordination.this.mesh.strangers();
		}

	}

}
