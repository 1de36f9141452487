package dev.clustering.node;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import java.util.function.LongSupplier;

import io.netty.util.concurrent.DefaultThreadFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.ApplicationEvent;

import dev.clustering.membership.ClusterSnapshot;
import dev.clustering.membership.LocalNode;
import dev.clustering.membership.Member;
import dev.clustering.singleton.ClusterSingleton;
import dev.clustering.singleton.SingletonContext;
import dev.clustering.singleton.SingletonInfo;
import dev.clustering.singleton.SingletonSpec;
import dev.clustering.singleton.SingletonStartedEvent;
import dev.clustering.singleton.SingletonState;
import dev.clustering.singleton.SingletonStatus;
import dev.clustering.singleton.SingletonStoppedEvent;
import dev.clustering.singleton.StartType;
import dev.clustering.singleton.StopReason;
import dev.clustering.transport.Message;

/**
 * Places singletons, OTP style, and runs the ones this node is given. Every node broadcasts the
 * state of the singletons it runs, so every node knows where each one is; only the leader orders
 * starts and stops, so two nodes never decide at once:
 * <ul>
 * <li>nothing runs yet: start it on the best node (first priority group; in a group, the node
 * running the fewest singletons; then by name);</li>
 * <li>the node running it is gone (connection lost or unreachable): after {@code failover-timeout},
 * start it on the best live node, as FAILOVER; a node that stopped it cleanly (shutdown) is
 * replaced at once;</li>
 * <li>a node of higher priority has been up for {@code takeover-delay}: stop it where it runs, and
 * once that node reports it stopped, start it there as TAKEOVER (stop completes before start).</li>
 * </ul>
 * A node without quorum, or that finds it was paused, stops what it runs at once. Runs on the
 * node's event loop; singleton code runs on one thread per singleton.
 */
final class Singletons {

	private static final Logger logger = LoggerFactory.getLogger(Singletons.class);

	static final String HOSTED = "clustering.singletons";

	static final String CONFIG = "clustering.singletons-config";

	private static final long MIN_START_SPACING_NANOS = 500_000_000L;

	private static final long ORDER_TIMEOUT_NANOS = 10_000_000_000L;

	private final Object source;

	private final String self;

	private final Map<String, SingletonSpec> specs;

	private final Map<String, ClusterSingleton> hosted;

	private final String configHash;

	private final Leadership leadership;

	private final Clock clock;

	private final LongSupplier nanoTime;

	private final Executor loop;

	private final BiConsumer<String, Message> send;

	private final Consumer<Message> broadcast;

	private final Consumer<ApplicationEvent> events;

	// singleton -> node -> what that node last said about it
	private final Map<String, Map<String, SingletonStatus>> table = new HashMap<>();

	private final Map<String, Long> goneSince = new HashMap<>();

	private final Map<String, Long> upSince = new HashMap<>();

	private final Map<String, Pending> pending = new HashMap<>();

	private final Map<String, String> pinned = new HashMap<>();

	private final Map<String, Long> lastStart = new HashMap<>();

	private final Map<String, ExecutorService> executors = new HashMap<>();

	private final Map<String, CompletableFuture<Void>> stopping = new HashMap<>();

	private ClusterSnapshot snapshot;

	// where each node was last seen, and whether a registry still lists a node at an address
	private final Map<String, dev.clustering.membership.NodeAddress> addresses = new HashMap<>();

	private java.util.function.Predicate<dev.clustering.membership.NodeAddress> registered = (address) -> false;

	private boolean registryMode;

	private boolean leaving;

	private volatile Map<String, SingletonInfo> views = Map.of();

	Singletons(Object source, String self, Map<String, SingletonSpec> specs, Map<String, ClusterSingleton> hosted,
			String configHash, Leadership leadership, Clock clock, LongSupplier nanoTime, Executor loop,
			BiConsumer<String, Message> send, Consumer<Message> broadcast, Consumer<ApplicationEvent> events) {
		this.source = source;
		this.self = self;
		this.specs = specs;
		this.hosted = hosted;
		this.configHash = configHash;
		this.leadership = leadership;
		this.clock = clock;
		this.nanoTime = nanoTime;
		this.loop = loop;
		this.send = send;
		this.broadcast = broadcast;
		this.events = events;
	}

	/**
	 * With a registry running the election, a singleton fails over from a node only once the
	 * registry no longer lists that node (its lease expired or was revoked): so at most one instance
	 * runs even when the transport mesh is cut but both sides still reach the registry.
	 * @param registered whether the registry still lists a node at an address
	 */
	void failOverOnlyWhenUnregistered(java.util.function.Predicate<dev.clustering.membership.NodeAddress> registered) {
		this.registered = registered;
		this.registryMode = true;
	}

	/** Where each singleton runs, as this node knows it; safe from any thread. */
	Map<String, SingletonInfo> views() {
		return this.views;
	}

	void membershipChanged(ClusterSnapshot previous, ClusterSnapshot next) {
		long now = this.nanoTime.getAsLong();
		this.snapshot = next;
		next.members().values().forEach((m) -> this.addresses.put(m.name(), m.address()));
		for (Member member : next.members().values()) {
			Member before = previous.member(member.name());
			boolean wasUp = before != null && before.isUp() && before.incarnation() == member.incarnation();
			if (member.isUp() && !wasUp) {
				if (before == null || before.incarnation() != member.incarnation()) {
					// a new process under that name runs nothing yet; what the old one ran is history
					this.table.values().forEach((byNode) -> byNode.remove(member.name()));
				}
				this.upSince.put(member.name(), now);
				this.goneSince.remove(member.name());
				welcome(member);
			}
			else if (!member.isUp() && wasUp) {
				this.goneSince.put(member.name(), now);
				this.upSince.remove(member.name());
			}
		}
		for (Member before : previous.members().values()) {
			Member after = next.member(before.name());
			if (after == null || after.incarnation() != before.incarnation()) {
				this.goneSince.putIfAbsent(before.name(), now);
				if (after == null) {
					this.upSince.remove(before.name());
				}
				forgetStartingOn(before.name());
			}
		}
		evaluate();
	}

	void stateReceived(String peer, Message.SingletonState message) {
		SingletonStatus status = new SingletonStatus(message.name(), peer, SingletonState.values()[message.state()],
				StartType.values()[message.startType()], message.from().isEmpty() ? null : message.from(),
				message.token(), Instant.ofEpochMilli(message.sinceMillis()));
		this.table.computeIfAbsent(status.name(), (n) -> new HashMap<>()).put(peer, status);
		this.leadership.seenToken(status.fencingToken());
		Pending order = this.pending.get(status.name());
		if (order != null && order.start && peer.equals(order.target)) {
			this.pending.remove(status.name());
		}
		SingletonStatus mine = local(status.name());
		if (status.isActive() && mine != null && mine.isActive() && mine.fencingToken() < status.fencingToken()) {
			logger.warn("Singleton {} runs on {} with a newer token; stopping it here", status.name(), peer);
			stopLocal(status.name(), StopReason.FAILOVER);
		}
		evaluate();
	}

	void orderReceived(String peer, Message.SingletonOrder order) {
		if (order.start() && order.token() == 0) {
			if (this.leadership.isLeader()) {
				move(order.name(), order.from());
			}
			return;
		}
		if (!this.leadership.hasQuorum() || this.leadership.leader().map((l) -> !l.name().equals(peer)).orElse(true)) {
			logger.warn("Ignoring an order for singleton {} from {}, which this node does not see as the leader",
					order.name(), peer);
			if (order.start()) {
				// say so, so the sender does not wait for a start that will not come
				this.send.accept(peer, new Message.SingletonState(order.name(), SingletonState.STOPPED.ordinal(),
						order.token(), order.startType(), order.from(), this.clock.millis()));
			}
			return;
		}
		if (order.start()) {
			startLocal(order.name(), order.token(), StartType.values()[order.startType()],
					order.from().isEmpty() ? null : order.from());
		}
		else {
			stopLocal(order.name(), StopReason.values()[order.stopReason()]);
		}
	}

	/**
	 * Asks the leader to move a singleton to a node (OTP's {@code application:takeover/2}).
	 * @return {@code null} if the request was accepted, else why not
	 */
	String requestMove(String name, String node) {
		if (!this.specs.containsKey(name)) {
			return "no singleton named " + name;
		}
		String target = resolve(node);
		if (target == null) {
			return node + " is not a live member";
		}
		if (!hosts(target, name)) {
			return target + " does not run singleton " + name;
		}
		if (this.leadership.isLeader()) {
			move(name, target);
		}
		else {
			String leader = this.leadership.leader().map((l) -> l.name()).orElse(null);
			if (leader == null) {
				return "there is no leader to ask";
			}
			this.send.accept(leader, new Message.SingletonOrder(name, true, 0, StartType.TAKEOVER.ordinal(), target, 0));
		}
		return null;
	}

	void paused() {
		stopAll(StopReason.FAILOVER);
	}

	/** Stops every local singleton for shutdown; completes when they have all stopped. */
	CompletableFuture<Void> leave() {
		this.leaving = true;
		this.pending.clear();
		stopAll(StopReason.SHUTDOWN);
		return CompletableFuture.allOf(this.stopping.values().toArray(CompletableFuture[]::new));
	}

	void close() {
		this.executors.values().forEach(ExecutorService::shutdown);
	}

	void evaluate() {
		if (this.snapshot == null) {
			return;
		}
		if (!this.leadership.hasQuorum()) {
			stopAll(StopReason.QUORUM_LOST);
		}
		else if (this.leadership.isLeader() && !this.leaving) {
			long now = this.nanoTime.getAsLong();
			this.specs.values().forEach((spec) -> place(spec, now));
		}
		refreshViews();
	}

	private void place(SingletonSpec spec, long now) {
		String name = spec.name();
		Map<String, SingletonStatus> byNode = this.table.getOrDefault(name, Map.of());
		List<SingletonStatus> active = byNode.values().stream().filter((s) -> s.isActive() && alive(s.node())).toList();
		Pending order = this.pending.get(name);
		if (order != null && (now - order.deadline > 0 || !alive(order.target))) {
			this.pending.remove(name);
			order = null;
		}
		String pin = this.pinned.get(name);
		if (pin != null && !alive(pin)) {
			this.pinned.remove(name);
		}
		if (active.size() > 1) {
			SingletonStatus newest = active.stream().max(Comparator.comparingLong(SingletonStatus::fencingToken)).get();
			active.stream()
				.filter((s) -> s != newest && s.state() != SingletonState.STOPPING)
				.forEach((s) -> orderStop(s.node(), name, StopReason.FAILOVER));
			return;
		}
		if (active.size() == 1) {
			SingletonStatus runner = active.get(0);
			if (order == null && runner.state() == SingletonState.RUNNING) {
				String target = takeoverTarget(spec, runner.node(), now);
				if (target != null) {
					logger.info("Singleton {}: {} takes it over from {}", name, target, runner.node());
					this.pending.put(name, new Pending(false, target, runner.node(), now + ORDER_TIMEOUT_NANOS));
					orderStop(runner.node(), name, StopReason.TAKEOVER);
				}
			}
			return;
		}
		if (order != null && order.start) {
			return;
		}
		SingletonStatus last = byNode.values().stream().max(Comparator.comparingLong(SingletonStatus::fencingToken))
			.orElse(null);
		StartType type;
		String from;
		String target;
		if (order != null) {
			type = StartType.TAKEOVER;
			from = order.from;
			target = order.target;
		}
		else if (last == null) {
			if (!this.leadership.settledAsLeader()) {
				return; // a new leader first hears what the members run; this one may be running already
			}
			type = StartType.NORMAL;
			from = null;
			target = best(spec, 0, now);
		}
		else {
			if (last.isActive()) {
				long gone = this.goneSince.computeIfAbsent(last.node(), (n) -> now);
				dev.clustering.membership.NodeAddress address = this.addresses.get(last.node());
				if (now - gone < spec.failoverTimeout().toNanos() || (address != null && this.registered.test(address))) {
					return;
				}
			}
			target = best(spec, 0, now);
			type = (target != null && target.equals(last.node())) ? StartType.NORMAL : StartType.FAILOVER;
			from = (type == StartType.FAILOVER) ? last.node() : null;
		}
		if (target == null) {
			return;
		}
		Long previous = this.lastStart.get(name);
		if (previous != null && now - previous < MIN_START_SPACING_NANOS) {
			return;
		}
		this.lastStart.put(name, now);
		long token = this.leadership.nextToken();
		this.pending.put(name, new Pending(true, target, from, now + ORDER_TIMEOUT_NANOS));
		logger.info("Singleton {}: starting on {} ({}{}, token {})", name, target, type,
				(from != null) ? " from " + from : "", token);
		if (target.equals(this.self)) {
			startLocal(name, token, type, from);
		}
		else {
			this.send.accept(target, new Message.SingletonOrder(name, true, token, type.ordinal(),
					Objects.toString(from, ""), 0));
		}
	}

	private String takeoverTarget(SingletonSpec spec, String runner, long now) {
		String pin = this.pinned.get(spec.name());
		if (pin != null) {
			return pin.equals(runner) ? null : pin;
		}
		if (!spec.takeover()) {
			return null;
		}
		String best = best(spec, spec.takeoverDelay().toNanos(), now);
		if (best == null || best.equals(runner)) {
			return null;
		}
		int runnerPriority = spec.priority(runner);
		return (runnerPriority < 0 || spec.priority(best) < runnerPriority) ? best : null;
	}

	// the best live node for a singleton; with stableNanos > 0, only nodes up at least that long
	private String best(SingletonSpec spec, long stableNanos, long now) {
		String pin = this.pinned.get(spec.name());
		if (pin != null && alive(pin)) {
			return pin;
		}
		List<String> candidates = new ArrayList<>();
		if (hosts(this.self, spec.name()) && this.leadership.hasQuorum()) {
			candidates.add(this.self);
		}
		for (Member member : this.snapshot.upMembers()) {
			Long up = this.upSince.get(member.name());
			boolean stable = stableNanos <= 0 || (up != null && now - up >= stableNanos);
			// with a registry, a node it does not list (lost its session) may not run anything
			boolean inRegistry = !this.registryMode || this.registered.test(member.address());
			if (stable && inRegistry && hosts(member.name(), spec.name())) {
				candidates.add(member.name());
			}
		}
		return candidates.stream()
			.filter((node) -> spec.priority(node) >= 0)
			.min(Comparator.comparingInt(spec::priority)
				.thenComparingLong((node) -> running(node, spec.name()))
				.thenComparing(Comparator.naturalOrder()))
			.orElse(null);
	}

	private long running(String node, String except) {
		return this.table.entrySet()
			.stream()
			.filter((e) -> !e.getKey().equals(except))
			.map((e) -> e.getValue().get(node))
			.filter((s) -> s != null && s.isActive())
			.count();
	}

	private void move(String name, String target) {
		logger.info("Singleton {}: moving to {} on request", name, target);
		this.pinned.put(name, target);
		evaluate();
	}

	private void orderStop(String node, String name, StopReason reason) {
		if (node.equals(this.self)) {
			stopLocal(name, reason);
		}
		else {
			this.send.accept(node, new Message.SingletonOrder(name, false, 0, 0, "", reason.ordinal()));
		}
	}

	private void startLocal(String name, long token, StartType type, String from) {
		ClusterSingleton bean = this.hosted.get(name);
		SingletonStatus mine = local(name);
		if (bean == null || this.leaving || (mine != null && mine.isActive())) {
			return;
		}
		SingletonContext context = new SingletonContext(name, this.self, type, from, token);
		setLocal(new SingletonStatus(name, this.self, SingletonState.STARTING, type, from, token, this.clock.instant()));
		executor(name).execute(() -> {
			boolean started = false;
			try {
				bean.start(context);
				started = true;
			}
			catch (RuntimeException | Error ex) {
				logger.error("Singleton {} failed to start on {}", name, this.self, ex);
			}
			boolean ok = started;
			this.loop.execute(() -> started(context, ok));
		});
	}

	private void started(SingletonContext context, boolean ok) {
		SingletonStatus mine = local(context.name());
		if (mine == null || mine.fencingToken() != context.fencingToken() || mine.state() != SingletonState.STARTING) {
			return; // a stop was ordered meanwhile; it runs next on the singleton's thread
		}
		if (ok) {
			setLocal(new SingletonStatus(context.name(), this.self, SingletonState.RUNNING, context.startType(),
					context.from(), context.fencingToken(), this.clock.instant()));
			this.events.accept(new SingletonStartedEvent(this.source, context));
		}
		else {
			setLocal(new SingletonStatus(context.name(), this.self, SingletonState.STOPPED, context.startType(),
					context.from(), context.fencingToken(), this.clock.instant()));
		}
		evaluate();
	}

	private void stopLocal(String name, StopReason reason) {
		SingletonStatus mine = local(name);
		if (mine == null || !mine.isActive() || mine.state() == SingletonState.STOPPING) {
			return;
		}
		ClusterSingleton bean = this.hosted.get(name);
		setLocal(new SingletonStatus(name, this.self, SingletonState.STOPPING, mine.startType(), mine.from(),
				mine.fencingToken(), this.clock.instant()));
		CompletableFuture<Void> done = new CompletableFuture<>();
		this.stopping.put(name, done);
		executor(name).execute(() -> {
			try {
				bean.stop(reason);
			}
			catch (RuntimeException | Error ex) {
				logger.error("Singleton {} failed to stop cleanly on {}", name, this.self, ex);
			}
			this.loop.execute(() -> {
				setLocal(new SingletonStatus(name, this.self, SingletonState.STOPPED, mine.startType(), mine.from(),
						mine.fencingToken(), this.clock.instant()));
				this.events.accept(new SingletonStoppedEvent(this.source, name, this.self, reason, mine.fencingToken()));
				done.complete(null);
				evaluate();
			});
		});
	}

	private void stopAll(StopReason reason) {
		new ArrayList<>(this.hosted.keySet()).forEach((name) -> stopLocal(name, reason));
	}

	private void setLocal(SingletonStatus status) {
		this.table.computeIfAbsent(status.name(), (n) -> new HashMap<>()).put(this.self, status);
		Pending order = this.pending.get(status.name());
		if (order != null && order.start && order.target.equals(this.self)) {
			this.pending.remove(status.name());
		}
		this.broadcast.accept(message(status));
		refreshViews();
	}

	private void welcome(Member member) {
		String theirs = member.metadata().get(CONFIG);
		if (theirs != null && !theirs.equals(this.configHash)) {
			logger.error("SINGLETON CONFIGURATION MISMATCH: node {} has different cluster.singletons settings than {}. "
					+ "Singletons may be placed inconsistently; make cluster.singletons.* identical on every node.",
					member.name(), this.self);
		}
		this.table.values().stream().map((byNode) -> byNode.get(this.self)).filter(Objects::nonNull)
			.forEach((status) -> this.send.accept(member.name(), message(status)));
	}

	private void forgetStartingOn(String node) {
		this.pending.entrySet().removeIf((e) -> e.getValue().target.equals(node));
	}

	private Message.SingletonState message(SingletonStatus status) {
		return new Message.SingletonState(status.name(), status.state().ordinal(), status.fencingToken(),
				status.startType().ordinal(), Objects.toString(status.from(), ""), status.since().toEpochMilli());
	}

	private SingletonStatus local(String name) {
		Map<String, SingletonStatus> byNode = this.table.get(name);
		return (byNode != null) ? byNode.get(this.self) : null;
	}

	private boolean alive(String node) {
		if (node.equals(this.self)) {
			return !this.leaving;
		}
		Member member = this.snapshot.member(node);
		return member != null && member.isUp();
	}

	private boolean hosts(String node, String singleton) {
		if (node.equals(this.self)) {
			return this.hosted.containsKey(singleton);
		}
		Member member = this.snapshot.member(node);
		String list = (member != null) ? member.metadata().get(HOSTED) : null;
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

	private ExecutorService executor(String name) {
		return this.executors.computeIfAbsent(name, (n) -> Executors.newSingleThreadExecutor(
				new DefaultThreadFactory("cluster-singleton-" + n, true)));
	}

	private void refreshViews() {
		Map<String, SingletonInfo> next = new LinkedHashMap<>();
		for (SingletonSpec spec : this.specs.values()) {
			Map<String, SingletonStatus> byNode = this.table.getOrDefault(spec.name(), Map.of());
			SingletonStatus current = byNode.values().stream().filter((s) -> s.isActive() && alive(s.node()))
				.max(Comparator.comparingLong(SingletonStatus::fencingToken))
				.orElse(null);
			next.put(spec.name(), (current != null)
					? new SingletonInfo(spec.name(), current.node(), current.state(), current.startType(),
							current.from(), current.since(), current.fencingToken(), spec.nodes())
					: new SingletonInfo(spec.name(), null, SingletonState.STOPPED, null, null, null, 0, spec.nodes()));
		}
		this.views = Map.copyOf(next);
	}

	private record Pending(boolean start, String target, String from, long deadline) {
	}

}
