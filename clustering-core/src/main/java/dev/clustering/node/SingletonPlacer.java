package dev.clustering.node;

import java.time.Clock;
import java.util.ArrayDeque;
import java.util.Collection;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.LongSupplier;
import java.util.function.Predicate;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.clustering.membership.ClusterSnapshot;
import dev.clustering.membership.Member;
import dev.clustering.membership.NodeAddress;
import dev.clustering.singleton.SingletonSpec;
import dev.clustering.singleton.SingletonState;
import dev.clustering.singleton.SingletonStatus;
import dev.clustering.transport.Message;
import dev.clustering.transport.WarningLimiter;

/**
 * The leader's side of singletons: what it knows (the runs members report, the suspects, the
 * candidates, the evidence), gathered by {@link PlacementEvidence}, goes to {@link Placement} for a
 * decision, and this class carries the decision out: it issues fencing tokens (its leadership's term
 * in the high bits, a counter in the low {@value #TOKEN_BITS}), sends start and stop orders, and
 * remembers the orders that are outstanding, the nodes an operator pinned a singleton to, and the
 * tokens it issued. A member's side (reporting, obeying orders, the views) is {@link Singletons}.
 * Owned by the node's event loop.
 */
final class SingletonPlacer {

	private static final Logger logger = LoggerFactory.getLogger(SingletonPlacer.class);

	/** How many low bits of a singleton's fencing token count the starts within one leadership. */
	static final int TOKEN_BITS = 20;

	private static final long ORDER_TIMEOUT_NANOS = 10_000_000_000L;

	private final String self;

	private final Map<String, SingletonSpec> specs;

	private final Clock clock;

	private final LongSupplier nanoTime;

	private final Singletons.Messenger messenger;

	private final Singletons.Leadership leader;

	private final SingletonTable table;

	private final SingletonRunner runner;

	// what this leader knows of each singleton, for Placement
	private final PlacementEvidence evidence;

	private final WarningLimiter warnings = new WarningLimiter();

	// outstanding start or takeover orders, by singleton
	private final Map<String, Placement.Pending> pending = new HashMap<>();

	// singletons an operator moved, and where to
	private final Map<String, String> pinned = new HashMap<>();

	private final Map<String, Long> lastStart = new HashMap<>();

	// tokens this leadership issued, by singleton (bounded: the latest few)
	private final Map<String, Deque<Long>> issued = new HashMap<>();

	// stop orders sent, by node and singleton, so one is not repeated on every tick
	private final Map<String, Long> stopSent = new HashMap<>();

	// set by Singletons before anything else is asked
	private ClusterSnapshot snapshot;

	private long tokenTerm;

	private long tokenCounter;

	SingletonPlacer(String self, Map<String, SingletonSpec> specs, Clock clock, LongSupplier nanoTime,
			Singletons.Messenger messenger, Singletons.Leadership leader, SingletonTable table, SingletonRunner runner,
			PeerFates fates) {
		this.self = self;
		this.specs = specs;
		this.clock = clock;
		this.nanoTime = nanoTime;
		this.messenger = messenger;
		this.leader = leader;
		this.table = table;
		this.runner = runner;
		this.evidence = new PlacementEvidence(self, nanoTime, leader, table, runner, fates);
	}

	/**
	 * With a registry running the election, a singleton fails over from a node only once the
	 * registry no longer lists that node, and only registered nodes are given one.
	 * @param registered whether the registry lists a node at an address
	 */
	void failOverOnlyWhenUnregistered(Predicate<NodeAddress> registered) {
		this.evidence.failOverOnlyWhenUnregistered(registered);
	}

	/**
	 * The membership changed.
	 * @param next the new snapshot
	 */
	void membership(ClusterSnapshot next) {
		this.snapshot = next;
		this.evidence.membership(next);
	}

	/**
	 * Decides, for every singleton, whether to start or stop a run, and orders it; called while this
	 * node leads with a quorum.
	 * @param roster the nodes and the quorum
	 * @param now the time
	 */
	void placeAll(Roster roster, long now) {
		long term = this.leader.election().leadingToken();
		if (term != this.tokenTerm) {
			// a new leadership: the previous one's orders and tokens are not this one's
			this.tokenTerm = term;
			this.tokenCounter = 0;
			this.pending.clear();
			this.issued.clear();
		}
		this.specs.values().forEach((spec) -> place(spec, roster, now));
	}

	/**
	 * A node reported a run (its own state): a run this leader started is confirmed, and the start
	 * order it answers is no longer outstanding.
	 * @param status the run
	 */
	void reported(SingletonStatus status) {
		confirm(status);
		Placement.Pending order = this.pending.get(status.name());
		if (order != null && order.start() && status.node().equals(order.target())) {
			this.pending.remove(status.name());
		}
	}

	/**
	 * A member sent its whole state: start orders it has answered are no longer outstanding.
	 * @param peer the member
	 */
	void synced(String peer) {
		this.pending.entrySet().removeIf((e) -> e.getValue().start() && e.getValue().target().equals(peer)
				&& this.table.get(peer, e.getKey()) != null);
	}

	/**
	 * A node is no longer a member: no order to or from it is outstanding.
	 * @param node the node
	 */
	void forget(String node) {
		this.pending.entrySet().removeIf((e) -> e.getValue().target().equals(node) || node.equals(e.getValue().from()));
	}

	/** This node is leaving: it is given nothing, and its outstanding orders are dropped. */
	void leave() {
		this.evidence.leave();
		this.pending.clear();
	}

	/**
	 * The tokens this leadership issued for a singleton (the latest few).
	 * @param name the singleton
	 * @return the tokens
	 */
	Collection<Long> issued(String name) {
		return this.issued.getOrDefault(name, new ArrayDeque<>());
	}

	/**
	 * Pins a singleton to a node, on an operator's request ({@link #checkMove} first).
	 * @param name the singleton
	 * @param target the node's full name
	 */
	void pin(String name, String target) {
		logger.info("Singleton {}: moving to {} on request", name, target);
		this.pinned.put(name, target);
	}

	/** Keeps what this class remembers bounded. */
	void prune() {
		if (this.stopSent.size() > 1024) {
			this.stopSent.clear();
		}
		this.lastStart.keySet().retainAll(this.specs.keySet());
	}

	private void place(SingletonSpec spec, Roster roster, long now) {
		String name = spec.name();
		Placement.Pending order = this.pending.get(name);
		if (order != null && now - order.deadlineNanos() > 0) {
			this.pending.remove(name);
			order = null;
		}
		if (order != null && order.start() && !order.target().equals(this.self)) {
			// a start whose target stopped hearing this leader will not come: its permit runs out unrenewed
			Member target = this.snapshot.member(order.target());
			if (target != null && target.isUp() && !this.leader.mayRunHere(target)) {
				this.pending.remove(name);
				order = null;
			}
		}
		String pin = this.pinned.get(name);
		if (pin != null && !roster.isReachable(pin) && !pin.equals(this.self)) {
			this.pinned.remove(name);
			pin = null;
		}
		LeaderElection election = this.leader.election();
		SingletonStatus latest = this.table.latest(name);
		Placement.Input input = new Placement.Input(spec, now, election.leadingSinceNanos(),
				election.isRegistry() ? 0 : election.newLeaderWaitNanos(0),
				election.newLeaderWaitNanos(spec.failoverTimeout().toNanos()), this.evidence.complete(roster),
				this.evidence.reporting(name), latest, this.evidence.suspects(name), this.evidence.candidates(spec),
				this.evidence.leavingNodes(), order, pin, this.lastStart.getOrDefault(name, Long.MIN_VALUE),
				new HashSet<>(this.issued.getOrDefault(name, new ArrayDeque<>())));
		Placement.Decision decision = Placement.decide(input);
		if (decision instanceof Placement.Start start) {
			start(spec, start, now);
		}
		else if (decision instanceof Placement.Stop stop) {
			SingletonStatus runs = (stop.node().equals(this.self)) ? this.runner.active(name) : this.table.get(stop.node(), name);
			long token = (runs != null) ? runs.fencingToken() : 0;
			if (stop.takeoverTarget() != null) {
				logger.info("Singleton {}: {} takes it over from {}", name, stop.takeoverTarget(), stop.node());
				this.pending.put(name, new Placement.Pending(false, stop.takeoverTarget(), stop.node(),
						now + ORDER_TIMEOUT_NANOS));
			}
			if (stop.node().equals(this.self)) {
				this.runner.stop(name, stop.reason());
			}
			else {
				String key = stop.node() + " " + name + " " + token;
				Long sent = this.stopSent.get(key);
				if (sent == null || now - sent >= ORDER_TIMEOUT_NANOS / 5) {
					this.stopSent.put(key, now);
					this.messenger.send(stop.node(), new Message.SingletonOrder(name, false, token, 0, "",
							stop.reason().ordinal(), spec.failoverTimeout().toMillis()));
				}
			}
		}
	}

	private void start(SingletonSpec spec, Placement.Start start, long now) {
		String name = spec.name();
		if (this.tokenCounter >= (1L << TOKEN_BITS) - 1) {
			this.warnings.warn(logger, "tokens", "Singleton {}: this leadership has used up its singleton tokens; "
					+ "yielding so a new leadership begins", name);
			this.leader.election().yieldLeadership(this.leader.roster());
			return;
		}
		long token = (this.tokenTerm << TOKEN_BITS) + (++this.tokenCounter);
		Deque<Long> tokens = this.issued.computeIfAbsent(name, (n) -> new ArrayDeque<>());
		tokens.addLast(token);
		if (tokens.size() > 16) {
			tokens.removeFirst();
		}
		this.lastStart.put(name, now);
		this.pending.put(name, new Placement.Pending(true, start.target(), start.from(), now + ORDER_TIMEOUT_NANOS));
		logger.info("Singleton {}: starting on {} ({}{}, token {})", name, start.target(), start.type(),
				(start.from() != null) ? " from " + start.from() : "", token);
		if (start.target().equals(this.self)) {
			this.runner.start(name, token, start.type(), start.from(), spec.failoverTimeout().toNanos());
			return;
		}
		// until the target reports, the leader counts it as starting there: if the target goes quiet
		// first, it is failed over from there like any run
		Member target = this.snapshot.member(start.target());
		this.table.put(new SingletonStatus(name, start.target(), SingletonState.STARTING, start.type(), start.from(),
				token, this.clock.instant()), (target != null) ? target.incarnation() : 0);
		// the target's permit rests on what this leader heard from it: tell it first, on the same connection
		this.leader.election().confirmTo(start.target());
		this.messenger.send(start.target(), new Message.SingletonOrder(name, true, token, start.type().ordinal(),
				Objects.toString(start.from(), ""), 0, spec.failoverTimeout().toMillis()));
	}

	// a run this leader started is running: the runs it replaced are over
	private void confirm(SingletonStatus status) {
		if (status.state() == SingletonState.RUNNING
				&& this.issued.getOrDefault(status.name(), new ArrayDeque<>()).contains(status.fencingToken())) {
			this.table.confirmed(status.name(), status.fencingToken());
		}
	}

	/**
	 * Whether a singleton may be moved to a node.
	 * @param name the singleton
	 * @param target the node's full name
	 * @return {@code null} if it may, else why not
	 */
	String checkMove(String name, String target) {
		if (!this.specs.containsKey(name)) {
			return "no singleton named " + name;
		}
		if (target.equals(this.self)) {
			return this.runner.hosts(name) ? null : target + " does not run singleton " + name;
		}
		Member member = this.snapshot.member(target);
		if (member == null || !member.isUp() || this.leader.roster().leaving().contains(target)) {
			return target + " is not a live member";
		}
		if (this.specs.get(name).priority(target) < 0) {
			return target + " is not among the nodes of singleton " + name + " " + this.specs.get(name).nodes();
		}
		return PlacementEvidence.hosts(member, name) ? null : target + " does not run singleton " + name;
	}

	/**
	 * What this node runs and what its up members report, of one singleton.
	 * @param name the singleton
	 * @return the statuses
	 */
	List<SingletonStatus> live(String name) {
		return this.evidence.live(name);
	}

}
