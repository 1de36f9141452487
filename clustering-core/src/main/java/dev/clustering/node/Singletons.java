package dev.clustering.node;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.function.Consumer;
import java.util.function.LongSupplier;
import java.util.function.Predicate;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.clustering.membership.ClusterSnapshot;
import dev.clustering.membership.LeaveReason;
import dev.clustering.membership.Member;
import dev.clustering.membership.NodeAddress;
import dev.clustering.singleton.ClusterSingleton;
import dev.clustering.singleton.SingletonContext;
import dev.clustering.singleton.SingletonInfo;
import dev.clustering.singleton.SingletonSpec;
import dev.clustering.singleton.SingletonState;
import dev.clustering.singleton.SingletonStatus;
import dev.clustering.singleton.StartType;
import dev.clustering.singleton.StopReason;
import dev.clustering.transport.Message;
import dev.clustering.transport.WarningLimiter;

/**
 * Singletons, OTP style: every node tells every other what it runs (at once on each change, and
 * again whenever a peer's heartbeat digest shows it holds something else: anti-entropy); only the
 * leader decides where each one runs ({@link SingletonPlacer}, with {@link Placement}), and the
 * nodes run what they are ordered ({@link SingletonRunner}). This class is a member's side: it
 * reports, obeys orders ({@link SingletonOrders}), keeps what the others report
 * ({@link SingletonTable}) and what happened to them ({@link PeerFates}), publishes the views
 * ({@link SingletonViews}) and takes an operator's moves ({@link SingletonMoves}). Everything a peer
 * sends is checked against this node's own configuration (known singletons, member names, the leader
 * it sees) and kept per peer, at most one entry per singleton, dropped when the peer is gone. Runs on
 * the node's event loop.
 */
final class Singletons {

	private static final Logger logger = LoggerFactory.getLogger(Singletons.class);

	static final String HOSTED = "clustering.singletons";

	static final String CONFIG = "clustering.singletons-config";

	/** What this node asks of leadership. */
	interface Leadership {

		LeaderElection election();

		Roster roster();

		/** Whether a member supports this leader (may be given a singleton). */
		boolean mayRunHere(Member member);

		/** When anything was last heard from a member, or {@link Long#MIN_VALUE}. */
		long lastHeardNanos(String member);

		/**
		 * When a member last acknowledged this leadership's renewal (what it runs ends at most a
		 * permit's length later), or {@link Long#MIN_VALUE}.
		 */
		long lastAckNanos(String member);

		/** The listed-but-silent nodes, by name (or address where no node ever answered). */
		Set<String> strangers();

	}

	private final String self;

	private final long incarnation;

	private final Map<String, SingletonSpec> specs;

	private final String configHash;

	private final Clock clock;

	private final LongSupplier nanoTime;

	private final Messenger messenger;

	private final Consumer<EngineEvent> events;

	private final Leadership leader;

	private final SingletonTable table;

	private final SingletonRunner runner;

	private final WarningLimiter warnings = new WarningLimiter();

	// when this node last answered each member's request for its whole state
	private final Map<String, Long> syncSent = new HashMap<>();

	// what this node knows of every other node's process
	private final PeerFates fates = new PeerFates();

	// the leader's side: decisions, tokens and orders
	private final SingletonPlacer placer;

	// the leader's orders, as this member obeys them
	private final SingletonOrders orders;

	// an operator's moves
	private final SingletonMoves moves;

	// where each singleton runs, for any thread
	private final SingletonViews views;

	private ClusterSnapshot snapshot;

	private boolean leaving;

	Singletons(String self, long incarnation, Map<String, SingletonSpec> specs,
			Map<String, ClusterSingleton> hosted, String configHash, Clock clock, LongSupplier nanoTime, Executor loop,
			Messenger messenger, Consumer<EngineEvent> events, Leadership leader) {
		this.self = self;
		this.incarnation = incarnation;
		this.specs = Map.copyOf(specs);
		this.configHash = configHash;
		this.clock = clock;
		this.nanoTime = nanoTime;
		this.messenger = messenger;
		this.events = events;
		this.leader = leader;
		this.table = new SingletonTable(specs.keySet());
		this.runner = new SingletonRunner(self, hosted, loop, nanoTime, clock,
				(failover) -> leader.election().permitUntilNanos(failover), new Reports());
		this.placer = new SingletonPlacer(self, this.specs, clock, nanoTime, messenger, leader, this.table, this.runner,
				this.fates);
		this.orders = new SingletonOrders(this.specs, clock, messenger, leader, this.runner, this.warnings);
		this.moves = new SingletonMoves(self, nanoTime, messenger, leader, this.placer, this.warnings, this::evaluate);
		this.views = new SingletonViews(this.specs);
	}

	/**
	 * With a registry running the election, a singleton fails over from a node only once the
	 * registry no longer lists that node, and only registered nodes are given one.
	 * @param registered whether the registry lists a node at an address
	 */
	void failOverOnlyWhenUnregistered(Predicate<NodeAddress> registered) {
		this.placer.failOverOnlyWhenUnregistered(registered);
	}

	/** Where each singleton runs, as this node knows it; safe from any thread. */
	Map<String, SingletonInfo> views() {
		return this.views.get();
	}

	/** The runner, for the watchdog. */
	SingletonRunner runner() {
		return this.runner;
	}

	/** The digest of what this node runs, for its heartbeats. */
	long digest() {
		return SingletonTable.digest(this.runner.statuses().values());
	}

	void membershipChanged(ClusterSnapshot previous, ClusterSnapshot next) {
		long now = this.nanoTime.getAsLong();
		this.snapshot = next;
		this.placer.membership(next);
		for (Member member : next.members().values()) {
			Member before = previous.member(member.name());
			boolean sameProcess = before != null && before.incarnation() == member.incarnation();
			if (before != null && !sameProcess) {
				// a new process under that name: the old one is silent or gone; what it ran stays a suspect
				this.table.forget(member.name(), before.incarnation());
				this.fates.replaced(before, now, this.leader.lastHeardNanos(member.name()));
			}
			boolean wasUp = sameProcess && before.isUp();
			if (member.isUp() && !wasUp) {
				this.fates.up(member, now);
				welcome(member);
			}
			else if (!member.isUp() && wasUp) {
				this.fates.down(member, now, this.leader.lastHeardNanos(member.name()));
			}
		}
		for (Member before : previous.members().values()) {
			if (next.member(before.name()) == null) {
				// gone: what it said is dropped; its latest runs stay known, with what happened to it
				this.table.forget(before.name(), before.incarnation());
				this.syncSent.remove(before.name());
				this.fates.gone(before, next.departures().get(before.name()) == LeaveReason.LEFT, now,
						this.leader.lastHeardNanos(before.name()));
				this.placer.forget(before.name());
			}
		}
		pruneFates();
		evaluate();
	}

	/**
	 * A member's process died (its connection was closed by its operating system).
	 * @param name the member
	 * @param incarnation its incarnation
	 */
	void crashed(String name, long incarnation) {
		this.fates.crashed(name, incarnation, this.nanoTime.getAsLong());
		evaluate();
	}

	void received(String peer, long incarnation, Message message) {
		if (message instanceof Message.SingletonState state) {
			SingletonStatus status = status(peer, state);
			if (status != null && this.table.put(status, incarnation)) {
				this.placer.reported(status);
				evaluate();
			}
		}
		else if (message instanceof Message.StateSync sync) {
			List<SingletonStatus> statuses = new ArrayList<>();
			for (Message.SingletonState state : sync.states()) {
				SingletonStatus status = status(peer, state);
				if (status != null && this.table.knows(status.name())) {
					statuses.add(status);
				}
			}
			this.table.replace(peer, incarnation, statuses);
			this.placer.synced(peer);
			evaluate();
		}
		else if (message instanceof Message.StateRequest) {
			// at most one whole state per peer per 100 ms: a request is a few bytes, the answer is not
			long now = this.nanoTime.getAsLong();
			Long last = this.syncSent.get(peer);
			if (last == null || now - last >= 100_000_000L) {
				this.syncSent.put(peer, now);
				this.messenger.send(peer, new Message.StateSync(
						this.runner.statuses().values().stream().map(Singletons::message).toList()));
			}
		}
		else if (message instanceof Message.SingletonOrder order) {
			this.orders.received(peer, order);
		}
		else if (message instanceof Message.MoveRequest move) {
			this.moves.requested(peer, move);
		}
	}

	/**
	 * A peer's heartbeat digest: if it differs from what this node holds for that peer, ask for its
	 * whole state (at most once a heartbeat interval, less often while asking does not help).
	 * @param peer the member
	 * @param digest its digest
	 * @param intervalNanos the heartbeat interval
	 */
	void digestReceived(String peer, long digest, long intervalNanos) {
		if (this.fates.digest(peer, digest == this.table.digest(peer), this.nanoTime.getAsLong(), intervalNanos)) {
			this.messenger.send(peer, new Message.StateRequest());
		}
	}

	/**
	 * Asks the leader to move a singleton to a node (OTP's {@code application:takeover/2}).
	 * @return {@code null} if the request was accepted, else why not
	 */
	String requestMove(String name, String node) {
		return this.moves.request(name, node, this.snapshot);
	}

	/** Stops every local singleton for shutdown; completes when they have all stopped. */
	CompletableFuture<Void> leave() {
		this.leaving = true;
		this.placer.leave();
		CompletableFuture<Void> stopped = this.runner.leave();
		refreshViews();
		return stopped;
	}

	void close() {
		this.runner.close();
	}

	void evaluate() {
		if (this.snapshot == null) {
			return;
		}
		LeaderElection election = this.leader.election();
		Roster roster = this.leader.roster();
		if (!election.hasQuorum(roster)) {
			this.runner.stopAll(StopReason.QUORUM_LOST);
		}
		this.runner.refresh();
		long now = this.nanoTime.getAsLong();
		if (election.ownLeadership(now) != null && election.hasQuorum(roster)) {
			this.placer.placeAll(roster, now);
		}
		refreshViews();
	}

	private void welcome(Member member) {
		String theirs = member.metadata().get(CONFIG);
		if (theirs != null && !theirs.equals(this.configHash)) {
			logger.error("SINGLETON CONFIGURATION MISMATCH: node {} has different cluster.singletons settings than {}. "
					+ "Singletons may be placed inconsistently; make cluster.singletons.* identical on every node.",
					member.name(), this.self);
		}
		this.messenger.send(member.name(), new Message.StateSync(
				this.runner.statuses().values().stream().map(Singletons::message).toList()));
	}

	private void pruneFates() {
		this.placer.prune();
		Set<String> keep = new HashSet<>(this.snapshot.members().keySet());
		keep.addAll(this.table.latestNodes());
		this.fates.retain(keep);
	}

	// a status from a peer about itself, validated; null (and a rate-limited warning) if it is not one
	private SingletonStatus status(String peer, Message.SingletonState state) {
		if (!this.table.knows(state.name())) {
			this.warnings.warn(logger, "unknown-singleton " + peer, "Ignoring the state of singleton {} from {}: no "
					+ "such singleton is configured here (check that cluster.singletons match)", state.name(), peer);
			return null;
		}
		if ((state.token() >>> SingletonPlacer.TOKEN_BITS) > this.leader.election().highestToken()) {
			// from a leadership later than any this node has seen: not (yet) believable
			this.warnings.warn(logger, "future-token " + peer, "Ignoring the state of singleton {} from {}: its "
					+ "token {} is from a leadership this node has not seen", state.name(), peer, state.token());
			return null;
		}
		SingletonState[] states = SingletonState.values();
		// a state this node does not know (a newer peer's) is taken as running: the safe reading
		SingletonState value = (state.state() < states.length) ? states[state.state()] : SingletonState.RUNNING;
		return new SingletonStatus(state.name(), peer, value, startType(state.startType()),
				state.from().isEmpty() ? null : state.from(), state.token(), Instant.ofEpochMilli(state.sinceMillis()));
	}

	/**
	 * A start type from its ordinal on the wire: one this node does not know (a newer peer's) reads as
	 * a normal start.
	 */
	static StartType startType(int ordinal) {
		StartType[] types = StartType.values();
		return (ordinal < types.length) ? types[ordinal] : StartType.NORMAL;
	}

	private static Message.SingletonState message(SingletonStatus status) {
		return new Message.SingletonState(status.name(), status.state().ordinal(), status.fencingToken(),
				status.startType().ordinal(), Objects.toString(status.from(), ""), status.since().toEpochMilli());
	}

	private void refreshViews() {
		this.views.refresh(this.placer, this.leader.election().ownLeadership(this.nanoTime.getAsLong()) != null,
				this.leaving);
	}

	/** Sends to members. */
	interface Messenger {

		void send(String to, Message message);

		void broadcast(Message message);

	}

	/** Hears the local runs change. */
	private final class Reports implements SingletonRunner.Reporter {

		@Override
		public void changed(SingletonStatus status) {
			Singletons.this.table.put(status, Singletons.this.incarnation);
			Singletons.this.placer.reported(status);
			Singletons.this.messenger.broadcast(message(status));
			if (Singletons.this.snapshot != null) {
				refreshViews();
			}
		}

		@Override
		public void started(SingletonContext context) {
			Singletons.this.events.accept(new EngineEvent.SingletonStarted(Singletons.this.self, context));
			evaluate();
		}

		@Override
		public void stopped(String name, StopReason reason, long token) {
			Singletons.this.events.accept(
					new EngineEvent.SingletonStopped(Singletons.this.self, name, reason, token));
			evaluate();
		}

	}

}
