package dev.clustering.node;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.LongSupplier;
import java.util.function.Predicate;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.clustering.leadership.LeaderInfo;
import dev.clustering.membership.ClusterSnapshot;
import dev.clustering.membership.LeaveReason;
import dev.clustering.membership.LocalNode;
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
 * leader decides where each one runs ({@link Placement}), and the nodes run what they are ordered
 * ({@link SingletonRunner}). Everything a peer sends is checked against this node's own
 * configuration (known singletons, member names, the leader it sees) and kept per peer, at most
 * one entry per singleton, dropped when the peer is gone. Runs on the node's event loop.
 */
final class Singletons {

	private static final Logger logger = LoggerFactory.getLogger(Singletons.class);

	static final String HOSTED = "clustering.singletons";

	static final String CONFIG = "clustering.singletons-config";

	private static final long ORDER_TIMEOUT_NANOS = 10_000_000_000L;

	private static final int TOKEN_BITS = 20;

	/** What this node asks of leadership. */
	interface Leader {

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

	private final Leader leader;

	private final SingletonTable table;

	private final SingletonRunner runner;

	private final WarningLimiter warnings = new WarningLimiter();

	private final Map<String, Placement.Pending> pending = new HashMap<>();

	private final Map<String, String> pinned = new HashMap<>();

	private final Map<String, Long> lastStart = new HashMap<>();

	// tokens this leadership issued, by singleton (bounded: the latest few)
	private final Map<String, Deque<Long>> issued = new HashMap<>();

	// stop orders sent, by node and singleton, so one is not repeated on every tick
	private final Map<String, Long> stopSent = new HashMap<>();

	// when this node last answered each member's request for its whole state
	private final Map<String, Long> syncSent = new HashMap<>();

	// member -> since when it has been up (this incarnation)
	private final Map<String, Long> upSince = new HashMap<>();

	// node -> what happened to it, for the incarnation that no longer reports
	private final Map<String, FateEntry> fates = new HashMap<>();

	// members whose heartbeat digest matched what this node holds for them since they came up
	private final Set<String> synced = new HashSet<>();

	// member -> when this node may ask it again for its whole state, and how many asks in a row failed
	private final Map<String, long[]> asked = new HashMap<>();

	private Predicate<NodeAddress> registered = (address) -> true;

	private ClusterSnapshot snapshot;

	private long tokenTerm;

	private long tokenCounter;

	private boolean leaving;

	private volatile Map<String, SingletonInfo> views = Map.of();

	Singletons(String self, long incarnation, Map<String, SingletonSpec> specs,
			Map<String, ClusterSingleton> hosted, String configHash, Clock clock, LongSupplier nanoTime, Executor loop,
			Messenger messenger, Consumer<EngineEvent> events, Leader leader) {
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
		// every configured singleton is listed from the start, stopped until a leader places it
		Map<String, SingletonInfo> initial = new LinkedHashMap<>();
		this.specs.values().forEach((spec) -> initial.put(spec.name(), stopped(spec)));
		this.views = Map.copyOf(initial);
	}

	private static SingletonInfo stopped(SingletonSpec spec) {
		return new SingletonInfo(spec.name(), null, SingletonState.STOPPED, null, null, null, 0, spec.nodes());
	}

	/**
	 * With a registry running the election, a singleton fails over from a node only once the
	 * registry no longer lists that node, and only registered nodes are given one.
	 * @param registered whether the registry lists a node at an address
	 */
	void failOverOnlyWhenUnregistered(Predicate<NodeAddress> registered) {
		this.registered = registered;
	}

	/** Where each singleton runs, as this node knows it; safe from any thread. */
	Map<String, SingletonInfo> views() {
		return this.views;
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
		for (Member member : next.members().values()) {
			Member before = previous.member(member.name());
			boolean sameProcess = before != null && before.incarnation() == member.incarnation();
			if (before != null && !sameProcess) {
				// a new process under that name: the old one is silent or gone; what it ran stays a suspect
				this.table.forget(member.name(), before.incarnation());
				this.fates.put(member.name(), new FateEntry(before.incarnation(), before.address(),
						new Placement.Fate(Placement.Fate.Kind.SILENT, now, this.leader.lastHeardNanos(member.name()),
								false)));
				this.synced.remove(member.name());
			}
			boolean wasUp = sameProcess && before.isUp();
			if (member.isUp() && !wasUp) {
				this.upSince.put(member.name(), now);
				FateEntry fate = this.fates.get(member.name());
				if (fate != null && fate.incarnation == member.incarnation()) {
					this.fates.remove(member.name());
				}
				this.synced.remove(member.name());
				welcome(member);
			}
			else if (!member.isUp() && wasUp) {
				this.upSince.remove(member.name());
				this.synced.remove(member.name());
				this.fates.put(member.name(), new FateEntry(member.incarnation(), member.address(), new Placement.Fate(
						Placement.Fate.Kind.SILENT, now, this.leader.lastHeardNanos(member.name()), false)));
			}
		}
		for (Member before : previous.members().values()) {
			if (next.member(before.name()) == null) {
				// gone: what it said is dropped; its latest runs stay known, with what happened to it
				this.table.forget(before.name(), before.incarnation());
				this.syncSent.remove(before.name());
				this.upSince.remove(before.name());
				this.synced.remove(before.name());
				this.asked.remove(before.name());
				Placement.Fate.Kind kind = (next.departures().get(before.name()) == LeaveReason.LEFT)
						? Placement.Fate.Kind.LEFT : Placement.Fate.Kind.SILENT;
				FateEntry known = this.fates.get(before.name());
				long since = (known != null && known.incarnation == before.incarnation() && kind == Placement.Fate.Kind.SILENT)
						? known.fate.sinceNanos() : now;
				this.fates.put(before.name(), new FateEntry(before.incarnation(), before.address(),
						new Placement.Fate(kind, since, this.leader.lastHeardNanos(before.name()), false)));
				this.pending.entrySet().removeIf((e) -> e.getValue().target().equals(before.name())
						|| before.name().equals(e.getValue().from()));
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
		FateEntry known = this.fates.get(name);
		long since = (known != null) ? known.fate.sinceNanos() : this.nanoTime.getAsLong();
		this.fates.put(name, new FateEntry(incarnation, (known != null) ? known.address : null,
				new Placement.Fate(Placement.Fate.Kind.ENDED, since, Long.MIN_VALUE, false)));
		evaluate();
	}

	void received(String peer, long incarnation, Message message) {
		if (message instanceof Message.SingletonState state) {
			SingletonStatus status = status(peer, state);
			if (status != null && this.table.put(status, incarnation)) {
				confirm(status);
				Placement.Pending order = this.pending.get(status.name());
				if (order != null && order.start() && peer.equals(order.target())) {
					this.pending.remove(status.name());
				}
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
			this.pending.entrySet().removeIf((e) -> e.getValue().start() && e.getValue().target().equals(peer)
					&& this.table.get(peer, e.getKey()) != null);
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
			orderReceived(peer, order);
		}
		else if (message instanceof Message.MoveRequest move) {
			if (this.leader.election().ownLeadership(this.nanoTime.getAsLong()) == null) {
				this.warnings.warn(logger, "move " + peer, "Ignoring a request from {} to move singleton {}: this "
						+ "node does not lead", peer, move.name());
				return;
			}
			String refused = checkMove(move.name(), move.target());
			if (refused != null) {
				this.warnings.warn(logger, "move " + peer, "Ignoring a request from {} to move singleton {}: {}", peer,
						move.name(), refused);
				return;
			}
			move(move.name(), move.target());
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
		long now = this.nanoTime.getAsLong();
		if (digest == this.table.digest(peer)) {
			this.synced.add(peer);
			this.asked.remove(peer);
			return;
		}
		long[] state = this.asked.computeIfAbsent(peer, (p) -> new long[] { Long.MIN_VALUE, 0 });
		if (state[0] != Long.MIN_VALUE && now - state[0] < 0) {
			return;
		}
		long failures = state[1];
		state[0] = now + intervalNanos * Math.min(32L, 1L << Math.min(5, failures)) - intervalNanos / 2;
		state[1] = failures + 1;
		this.messenger.send(peer, new Message.StateRequest());
	}

	private void orderReceived(String peer, Message.SingletonOrder order) {
		SingletonSpec spec = this.specs.get(order.name());
		LeaderInfo seen = this.leader.election().view();
		boolean fromLeader = seen != null && seen.name().equals(peer)
				&& this.leader.election().hasQuorum(this.leader.roster());
		if (spec == null || !fromLeader || (order.start() && order.token() == 0)) {
			this.warnings.warn(logger, "order " + peer, "Ignoring an order for singleton {} from {}: {}", order.name(),
					peer, (spec == null) ? "no such singleton here" : (!fromLeader) ? "this node does not see it as "
							+ "the leader" : "no fencing token");
			if (order.start() && spec != null) {
				// say so, so the sender does not wait for a start that will not come
				this.messenger.send(peer, new Message.SingletonState(order.name(), SingletonState.STOPPED.ordinal(),
						order.token(), Math.min(order.startType(), StartType.values().length - 1), order.from(),
						this.clock.millis()));
			}
			return;
		}
		if (order.start()) {
			String from = order.from().isEmpty() ? null : order.from();
			// the leader fails it over after its own timeout: the permit uses the shorter of the two
			long failover = Math.min(spec.failoverTimeout().toNanos(),
					TimeUnit.MILLISECONDS.toNanos(order.failoverMillis()));
			this.runner.start(order.name(), order.token(), startType(order.startType()), from, failover);
		}
		else {
			SingletonStatus mine = this.runner.active(order.name());
			if (mine != null && (order.token() == 0 || order.token() == mine.fencingToken())) {
				this.runner.stop(order.name(), stopReason(order.stopReason()));
			}
		}
	}

	/**
	 * Asks the leader to move a singleton to a node (OTP's {@code application:takeover/2}).
	 * @return {@code null} if the request was accepted, else why not
	 */
	String requestMove(String name, String node) {
		String target = resolve(node);
		String refused = (target == null) ? node + " is not a live member" : checkMove(name, target);
		if (refused != null) {
			return refused;
		}
		if (this.leader.election().ownLeadership(this.nanoTime.getAsLong()) != null) {
			move(name, target);
			return null;
		}
		LeaderInfo current = this.leader.election().view();
		if (current == null) {
			return "there is no leader to ask";
		}
		this.messenger.send(current.name(), new Message.MoveRequest(name, target));
		return null;
	}

	/** Stops every local singleton for shutdown; completes when they have all stopped. */
	CompletableFuture<Void> leave() {
		this.leaving = true;
		this.pending.clear();
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
			long term = election.leadingToken();
			if (term != this.tokenTerm) {
				this.tokenTerm = term;
				this.tokenCounter = 0;
				this.pending.clear();
				this.issued.clear();
			}
			this.specs.values().forEach((spec) -> place(spec, roster, now));
		}
		refreshViews();
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

	private List<SingletonStatus> live(String name) {
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
		FateEntry entry = this.fates.get(node);
		Placement.Fate fate;
		NodeAddress address = (member != null) ? member.address() : (entry != null) ? entry.address : null;
		if (entry != null && entry.incarnation == incarnation) {
			fate = entry.fate;
		}
		else if ((entry != null) || (member != null && member.incarnation() != incarnation)) {
			// another process has the name now: this one is gone
			long since = (entry != null) ? entry.fate.sinceNanos() : this.leader.election().leadingSinceNanos();
			fate = new Placement.Fate(Placement.Fate.Kind.ENDED, since, Long.MIN_VALUE, false);
		}
		else {
			// nothing known of it: it may be silent since before this leadership
			fate = new Placement.Fate(Placement.Fate.Kind.SILENT, this.leader.election().leadingSinceNanos(),
					this.leader.lastHeardNanos(node), false);
		}
		if (this.leader.election().isRegistry()) {
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
		for (String stranger : this.leader.strangers()) {
			FateEntry fate = this.fates.get(stranger);
			if (fate == null || fate.fate.kind() == Placement.Fate.Kind.SILENT) {
				return false;
			}
		}
		// and each acknowledged this leadership: a member cut off silently is still "up" until its detector
		// judges it, and may have started a run (ordered by the previous leader) that this node never heard
		// of; its acknowledgement of a renewal of this term comes after anything it said before
		return this.snapshot.upMembers()
			.stream()
			.allMatch((m) -> this.synced.contains(m.name()) && this.leader.mayRunHere(m));
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
					this.upSince.getOrDefault(member.name(), this.nanoTime.getAsLong())));
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
		this.fates.forEach((node, entry) -> {
			if (entry.fate.kind() == Placement.Fate.Kind.LEFT) {
				leaving.add(node);
			}
		});
		if (this.leaving) {
			leaving.add(this.self);
		}
		return leaving;
	}

	private void move(String name, String target) {
		logger.info("Singleton {}: moving to {} on request", name, target);
		this.pinned.put(name, target);
		evaluate();
	}

	private String checkMove(String name, String target) {
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
		if (this.stopSent.size() > 1024) {
			this.stopSent.clear();
		}
		Set<String> keep = new HashSet<>(this.snapshot.members().keySet());
		keep.addAll(this.table.latestNodes());
		this.fates.keySet().retainAll(keep);
		this.lastStart.keySet().retainAll(this.specs.keySet());
	}

	// a status from a peer about itself, validated; null (and a rate-limited warning) if it is not one
	private SingletonStatus status(String peer, Message.SingletonState state) {
		if (!this.table.knows(state.name())) {
			this.warnings.warn(logger, "unknown-singleton " + peer, "Ignoring the state of singleton {} from {}: no "
					+ "such singleton is configured here (check that cluster.singletons match)", state.name(), peer);
			return null;
		}
		if ((state.token() >>> TOKEN_BITS) > this.leader.election().highestToken()) {
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

	private static StartType startType(int ordinal) {
		StartType[] types = StartType.values();
		return (ordinal < types.length) ? types[ordinal] : StartType.NORMAL;
	}

	private static StopReason stopReason(int ordinal) {
		StopReason[] reasons = StopReason.values();
		return (ordinal < reasons.length) ? reasons[ordinal] : StopReason.FAILOVER;
	}

	private static Message.SingletonState message(SingletonStatus status) {
		return new Message.SingletonState(status.name(), status.state().ordinal(), status.fencingToken(),
				status.startType().ordinal(), Objects.toString(status.from(), ""), status.since().toEpochMilli());
	}

	private boolean hosts(Member member, String singleton) {
		String list = member.metadata().get(HOSTED);
		return list != null && List.of(list.split(",")).contains(singleton);
	}

	private String resolve(String node) {
		if (node.equals(this.self) || node.equals(LocalNode.namePart(this.self))) {
			return this.self;
		}
		return this.snapshot.upMembers().stream().map(Member::name)
			.filter((name) -> name.equals(node) || LocalNode.namePart(name).equals(node))
			.findFirst().orElse(null);
	}

	private void refreshViews() {
		Map<String, SingletonInfo> next = new LinkedHashMap<>();
		boolean leads = this.leader.election().ownLeadership(this.nanoTime.getAsLong()) != null;
		for (SingletonSpec spec : this.specs.values()) {
			Collection<Long> mine = this.issued.getOrDefault(spec.name(), new ArrayDeque<>());
			// the leader shows the run it started over a claim it cannot vouch for
			Comparator<SingletonStatus> order = Comparator
				.comparing((SingletonStatus s) -> leads && mine.contains(s.fencingToken()))
				.thenComparingLong(SingletonStatus::fencingToken);
			SingletonStatus current = this.leaving ? null
					: live(spec.name()).stream().filter(SingletonStatus::isActive).max(order).orElse(null);
			next.put(spec.name(), (current != null)
					? new SingletonInfo(spec.name(), current.node(), current.state(), current.startType(),
							current.from(), current.since(), current.fencingToken(), spec.nodes())
					: stopped(spec));
		}
		this.views = Map.copyOf(next);
	}

	/** Sends to members. */
	interface Messenger {

		void send(String to, Message message);

		void broadcast(Message message);

	}

	private record FateEntry(long incarnation, NodeAddress address, Placement.Fate fate) {
	}

	/** Hears the local runs change. */
	private final class Reports implements SingletonRunner.Reporter {

		@Override
		public void changed(SingletonStatus status) {
			Singletons.this.table.put(status, Singletons.this.incarnation);
			confirm(status);
			Placement.Pending order = Singletons.this.pending.get(status.name());
			if (order != null && order.start() && order.target().equals(Singletons.this.self)) {
				Singletons.this.pending.remove(status.name());
			}
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
