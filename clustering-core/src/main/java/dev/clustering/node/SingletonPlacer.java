package dev.clustering.node;

import java.time.Clock;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
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
 * candidates, the evidence) goes to {@link Placement} for a decision, and this class carries the
 * decision out: it issues fencing tokens (its leadership's term in the high bits, a counter in the
 * low {@value #TOKEN_BITS}), sends start and stop orders, and remembers the orders that are
 * outstanding, the nodes an operator pinned a singleton to, and the tokens it issued. A member's
 * side (reporting, obeying orders, the views) is {@link Singletons}. Owned by the node's event loop.
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

	private final PeerFates fates;

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

	private Predicate<NodeAddress> registered = (address) -> true;

	// set by Singletons before anything else is asked
	private ClusterSnapshot snapshot;

	private long tokenTerm;

	private long tokenCounter;

	private boolean leaving;

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
		this.fates = fates;
	}

	/**
	 * With a registry running the election, a singleton fails over from a node only once the
	 * registry no longer lists that node, and only registered nodes are given one.
	 * @param registered whether the registry lists a node at an address
	 */
	void failOverOnlyWhenUnregistered(Predicate<NodeAddress> registered) {
		this.registered = registered;
	}

	/**
	 * The membership changed.
	 * @param next the new snapshot
	 */
	void membership(ClusterSnapshot next) {
		this.snapshot = next;
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
		this.leaving = true;
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
				election.newLeaderWaitNanos(spec.failoverTimeout().toNanos()), evidenceComplete(roster), reporting(name),
				latest, suspects(name), candidates(spec), leavingNodes(), order, pin,
				this.lastStart.getOrDefault(name, Long.MIN_VALUE),
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

	// what the members that hear this leader report (what another member runs is a suspect)
	private List<SingletonStatus> reporting(String name) {
		List<SingletonStatus> live = live(name);
		live.removeIf((status) -> {
			Member member = this.snapshot.member(status.node());
			return status.isActive() && member != null && !this.leader.mayRunHere(member);
		});
		return live;
	}

	// a run this leader started is running: the runs it replaced are over
	private void confirm(SingletonStatus status) {
		if (status.state() == SingletonState.RUNNING
				&& this.issued.getOrDefault(status.name(), new ArrayDeque<>()).contains(status.fencingToken())) {
			this.table.confirmed(status.name(), status.fencingToken());
		}
	}

	// every run that may still be going on a node that does not report: an unreachable member's, one
	// of a member that no longer hears this leader (a one-way cut: its permit runs out unrenewed), or
	// one of a node that is gone or was replaced by a new process
	private List<Placement.Suspect> suspects(String name) {
		List<Placement.Suspect> suspects = new ArrayList<>();
		for (Member member : this.snapshot.members().values()) {
			SingletonStatus status = this.table.get(member.name(), name);
			if (status == null || !status.isActive()) {
				continue;
			}
			if (!member.isUp()) {
				suspects.add(new Placement.Suspect(status, fate(member.name(), member.incarnation())));
			}
			else if (!this.leader.mayRunHere(member)) {
				suspects.add(new Placement.Suspect(status, unsupported(member.name())));
			}
		}
		for (SingletonTable.Ghost ghost : this.table.ghosts(name)) {
			if (!ghost.status().node().equals(this.self)) {
				suspects.add(new Placement.Suspect(ghost.status(), fate(ghost.status().node(), ghost.incarnation())));
			}
		}
		return suspects;
	}

	// a member that hears this leader no more: it reports, but what it runs rests on its last
	// acknowledged renewal (or, if none, on an earlier leadership) and ends a permit's length after that
	private Placement.Fate unsupported(String node) {
		long acked = this.leader.lastAckNanos(node);
		long since = (acked != Long.MIN_VALUE) ? acked : this.leader.election().leadingSinceNanos();
		return new Placement.Fate(Placement.Fate.Kind.SILENT, since, acked, false);
	}

	// what happened to a process (a node name and an incarnation) that does not report
	private Placement.Fate fate(String node, long incarnation) {
		Member member = this.snapshot.member(node);
		Placement.Fate fate = this.fates.fate(node, incarnation, member, this.leader.election().leadingSinceNanos(),
				this.leader.lastHeardNanos(node));
		if (this.leader.election().isRegistry()) {
			NodeAddress address = this.fates.address(node, member);
			boolean listed = address != null && this.registered.test(address);
			fate = new Placement.Fate(fate.kind(), fate.sinceNanos(), fate.lastHeardNanos(), listed);
		}
		return fate;
	}

	// whether this node knows what every known node runs: each is reachable and reported its state, or
	// is known to be dead or gone (a listed address whose node's process ended)
	private boolean evidenceComplete(Roster roster) {
		if (!roster.unreachable().isEmpty()) {
			return false;
		}
		if (!this.leader.strangers().stream().allMatch(this.fates::ended)) {
			return false;
		}
		// and each acknowledged this leadership: a member cut off silently is still "up" until its detector
		// judges it, and may have started a run (ordered by the previous leader) that this node never heard
		// of; its acknowledgement of a renewal of this term comes after anything it said before
		return this.snapshot.upMembers()
			.stream()
			.allMatch((m) -> this.fates.synced(m.name()) && this.leader.mayRunHere(m));
	}

	private List<Placement.Candidate> candidates(SingletonSpec spec) {
		List<Placement.Candidate> candidates = new ArrayList<>();
		if (this.runner.hosts(spec.name()) && !this.leaving) {
			candidates.add(new Placement.Candidate(this.self, running(this.self, spec.name()), Deadlines.NONE));
		}
		for (Member member : this.snapshot.upMembers()) {
			if (this.leader.roster().leaving().contains(member.name()) || !hosts(member, spec.name())
					|| !this.leader.mayRunHere(member)) {
				continue;
			}
			if (this.leader.election().isRegistry() && !this.registered.test(member.address())) {
				continue; // a node the registry does not list (lost its session) may run nothing
			}
			candidates.add(new Placement.Candidate(member.name(), running(member.name(), spec.name()),
					this.fates.upSince(member.name(), this.nanoTime.getAsLong())));
		}
		return candidates;
	}

	private long running(String node, String except) {
		if (node.equals(this.self)) {
			return this.runner.statuses().values().stream().filter((s) -> !s.name().equals(except) && s.isActive()).count();
		}
		return this.table.running(node, except);
	}

	private Set<String> leavingNodes() {
		Set<String> leaving = new HashSet<>(this.leader.roster().leaving());
		leaving.addAll(this.fates.left());
		if (this.leaving) {
			leaving.add(this.self);
		}
		return leaving;
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
		return hosts(member, name) ? null : target + " does not run singleton " + name;
	}

	private boolean hosts(Member member, String singleton) {
		String list = member.metadata().get(Singletons.HOSTED);
		return list != null && List.of(list.split(",")).contains(singleton);
	}

	/**
	 * What this node runs and what its up members report, of one singleton.
	 * @param name the singleton
	 * @return the statuses
	 */
	List<SingletonStatus> live(String name) {
		List<SingletonStatus> live = new ArrayList<>();
		SingletonStatus mine = this.runner.statuses().get(name);
		if (mine != null) {
			live.add(mine);
		}
		for (Member member : this.snapshot.upMembers()) {
			SingletonStatus theirs = this.table.get(member.name(), name);
			if (theirs != null) {
				live.add(theirs);
			}
		}
		return live;
	}

}
