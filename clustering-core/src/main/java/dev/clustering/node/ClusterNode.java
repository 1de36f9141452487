package dev.clustering.node;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.LongSupplier;
import java.util.function.Predicate;

import io.netty.channel.ChannelFuture;
import io.netty.channel.EventLoop;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.clustering.discovery.NameScoped;
import dev.clustering.leadership.ClusterLeadership;
import dev.clustering.leadership.LeaderInfo;
import dev.clustering.leadership.SplitBrainStrategy;
import dev.clustering.singleton.ClusterSingleton;
import dev.clustering.singleton.SingletonInfo;
import dev.clustering.singleton.SingletonSpec;
import dev.clustering.discovery.DiscoveryContext;
import dev.clustering.discovery.Topology;
import dev.clustering.discovery.TopologyStatus;
import dev.clustering.membership.ClusterSnapshot;
import dev.clustering.membership.LocalNode;
import dev.clustering.membership.Member;
import dev.clustering.membership.NodeAddress;
import dev.clustering.transport.CookieAuthenticator;
import dev.clustering.transport.NettyTransport;
import dev.clustering.transport.TrafficCounter;
import dev.clustering.transport.TransportCounters;

/**
 * One node of a cluster: listens on its transport port, runs its topologies, keeps authenticated
 * connections with heartbeats to every peer, and tells its listeners who joined and who left.
 * Plain Java with an explicit {@link #start()} / {@link #close()} lifecycle, which may repeat: a node
 * that left starts again as a new process would (a new incarnation, new connections, fresh
 * discovery), keeping its listeners and registered singletons. Build it with {@link #builder()}.
 */
public final class ClusterNode implements AutoCloseable {

	private static final Logger logger = LoggerFactory.getLogger(ClusterNode.class);

	/** Shortest cookie accepted on a node that listens on a non-loopback address. */
	public static final int MIN_COOKIE_LENGTH = 16;

	private enum State {

		LATENT, STARTED, STOPPED

	}

	private final AtomicReference<State> state = new AtomicReference<>(State.LATENT);

	private final NodeSettings config;

	// the singletons this node hosts and their rules: the built ones, then any registered before a start
	private final Map<String, ClusterSingleton> hosted = new LinkedHashMap<>();

	private final Map<String, SingletonSpec> specs = new LinkedHashMap<>();

	private final CookieAuthenticator authenticator;


	// replaced (never changed) by each start, read by any thread
	private volatile List<Topology> topologies;

	private final LongSupplier nanoTime = System::nanoTime;

	// set once by start(), read by any thread
	private volatile NettyTransport transport;

	private volatile EventLoop loop;

	private final EventDispatch dispatch;

	private volatile Mesh mesh;

	private volatile Coordination coordination;

	// the same object before and after start (a bean may hold it), answering from the running node
	private final ClusterLeadership leadership = new ClusterLeadership() {
		@Override
		public Optional<LeaderInfo> leader() {
			Coordination current = ClusterNode.this.coordination;
			return (current != null && isRunning()) ? Optional.ofNullable(current.leader()) : Optional.empty();
		}

		@Override
		public Optional<LeaderInfo> ownLeadership() {
			Coordination current = ClusterNode.this.coordination;
			return (current != null && isRunning())
					? Optional.ofNullable(current.ownLeadership(ClusterNode.this.nanoTime.getAsLong()))
					: Optional.empty();
		}

		@Override
		public void yield() {
			Coordination current = ClusterNode.this.coordination;
			if (current != null && isRunning()) {
				onLoop(current::yieldLeadership);
			}
		}
	};

	private volatile ClusterSnapshot snapshot;

	ClusterNode(NodeSettings config) {
		this.config = config;
		this.hosted.putAll(config.singletons());
		this.specs.putAll(config.singletonSpecs());
		this.authenticator = new CookieAuthenticator(config.cookie());
		this.dispatch = new EventDispatch(config.listeners());
		this.topologies = newTopologies(config);
	}

	// a topology runs once: each start gets new ones (their statuses start afresh)
	private List<Topology> newTopologies(NodeSettings config) {
		List<Topology> topologies = new ArrayList<>();
		for (ClusterNodeBuilder.TopologySpec spec : config.topologies()) {
			topologies.add(new Topology(spec.name(), spec.strategyName(), spec.strategy(), spec.pollInterval(),
					config.clock(), (topology, status) -> onLoop(() -> this.mesh.topologyChanged(status))));
		}
		return List.copyOf(topologies);
	}

	/**
	 * A builder for a node.
	 * @return a new builder
	 */
	public static ClusterNodeBuilder builder() {
		return new ClusterNodeBuilder();
	}

	/**
	 * Binds the transport port, then starts heartbeats, failure detection and discovery. A node that
	 * was closed (or halted) may start again: it joins as a new incarnation of itself.
	 * @throws IllegalStateException if the node is running, or its port cannot be bound
	 */
	public void start() {
		boolean again = this.state.compareAndSet(State.STOPPED, State.STARTED);
		if (!again && !this.state.compareAndSet(State.LATENT, State.STARTED)) {
			throw new IllegalStateException("Cluster node " + this.config.name() + " is already running");
		}
		NodeSettings c;
		synchronized (this.hosted) {
			c = this.config.withSingletons(new LinkedHashMap<>(this.hosted), new LinkedHashMap<>(this.specs));
		}
		if (again) {
			this.topologies = newTopologies(c);
		}
		String bindHost = (c.transport().bindHost() != null) ? c.transport().bindHost() : c.host();
		this.transport = new NettyTransport("cluster-" + c.name(), c.transport(), this.authenticator);
		int port;
		try {
			port = this.transport.bind(bindHost, c.port());
		}
		catch (Exception ex) {
			this.transport.shutdown();
			this.state.set(State.STOPPED);
			throw new ClusterBindException(new NodeAddress(bindHost, Math.max(c.port(), 1)).hostForDisplay(), c.port(), ex);
		}
		String weak = c.weakCookie(this.transport.boundAddress());
		if (weak != null) {
			this.transport.shutdown();
			this.state.set(State.STOPPED);
			throw new IllegalStateException(weak);
		}
		long incarnation = this.authenticator.newIncarnation();
		Map<String, String> metadata = new LinkedHashMap<>(c.metadata());
		metadata.put(NodeMetadata.STARTED_AT, Long.toString(c.clock().millis()));
		metadata.put(Singletons.HOSTED, String.join(",", c.singletons().keySet()));
		String configHash = c.singletonsHash();
		metadata.put(Singletons.CONFIG, configHash);
		metadata.put(NodeMetadata.ELECTION_CONFIG, "lease=" + (c.failureDetector().heartbeatInterval().toMillis()
				+ c.failureDetector().acceptableHeartbeatPause().toMillis()) + "ms,split-brain=" + c.splitBrain()
				+ ((c.splitBrain() == SplitBrainStrategy.STATIC_QUORUM)
						? ",quorum-size=" + c.quorumSize() : ""));
		LocalNode self = new LocalNode(LocalNode.nodeName(c.name(), c.host()), new NodeAddress(c.host(), port), incarnation,
				metadata);
		this.snapshot = ClusterSnapshot.empty(self);
		this.dispatch.start(c.name());
		this.loop = this.transport.eventLoop();
		long checkNanos = Math.min(TimeUnit.MILLISECONDS.toNanos(100),
				c.failureDetector().heartbeatInterval().toNanos() / 4);
		this.mesh = new Mesh(self, this.transport, c.failureDetector(), c.transport(), c.links(), c.clock(), this.nanoTime,
				checkNanos, this::publish);
		this.coordination = new Coordination(self, c, this.mesh, this.loop, this.nanoTime, this.topologies,
				this.dispatch::dispatch);
		this.mesh.protocol(this.coordination);
		this.transport.attach(self, this.mesh);
		if (!this.authenticator.isCookieConfigured()) {
			logger.warn("No cluster.cookie is set: node {} accepts only peers on loopback. Set the same "
					+ "cluster.cookie on every node to form a cluster across machines.", self.name());
		}
		long heartbeatNanos = c.failureDetector().heartbeatInterval().toNanos();
		this.loop.scheduleAtFixedRate(this::heartbeat, heartbeatNanos, heartbeatNanos, TimeUnit.NANOSECONDS);
		this.loop.scheduleAtFixedRate(this::tick, checkNanos, checkNanos, TimeUnit.NANOSECONDS);
		onLoop(() -> this.coordination.membershipChanged(this.snapshot, this.snapshot));
		Map<String, Predicate<String>> scopes = new HashMap<>();
		List<DiscoveryContext> contexts = new ArrayList<>();
		for (ClusterNodeBuilder.TopologySpec spec : c.topologies()) {
			DiscoveryContext context = new DiscoveryContext(spec.name(), self, spec.pollInterval());
			contexts.add(context);
			if (spec.strategy() instanceof NameScoped scoped) {
				scopes.put(spec.name(), (name) -> scoped.admits(context, name));
			}
		}
		this.mesh.nameScopes(scopes);
		for (int i = 0; i < this.topologies.size(); i++) {
			this.topologies.get(i).start(contexts.get(i));
		}
		this.coordination.campaign();
		logger.info("Cluster node {} listening on {}:{} with topologies {}", self.name(), bindHost, port,
				this.topologies.stream().map(Topology::name).toList());
	}

	/**
	 * Leaves gracefully, in this order: refuses new peers; tells every member it is leaving (nothing
	 * is placed here from then on); stops the local singletons (the leader starts them elsewhere at
	 * once, as a hand-over); gives leadership up; stops discovery (resigning and deregistering from a
	 * registry); then closes every connection, saying why, so the members see a leave, not a crash.
	 */
	@Override
	public void close() {
		if (!this.state.compareAndSet(State.STARTED, State.STOPPED)) {
			return;
		}
		this.transport.stopListening();
		try {
			this.loop.submit(this.coordination::leave).get(2, TimeUnit.SECONDS).get(30, TimeUnit.SECONDS);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
		catch (ExecutionException | TimeoutException | RejectedExecutionException ex) {
			logger.warn("Node {} could not stop its singletons cleanly: {}", self().name(), ex.toString());
		}
		this.topologies.forEach(Topology::stop);
		try {
			List<ChannelFuture> closing = this.loop.submit(this.mesh::leave).get(2, TimeUnit.SECONDS);
			for (ChannelFuture future : closing) {
				future.await(1, TimeUnit.SECONDS);
			}
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
		catch (ExecutionException | TimeoutException | RejectedExecutionException ex) {
			logger.warn("Node {} could not say goodbye to every peer: {}", self().name(), ex.toString());
		}
		shutdown();
		logger.info("Cluster node {} left the cluster", self().name());
	}

	/**
	 * Stops at once without telling peers, as a crashed process would: they see the connection
	 * close. For tests and benchmarks.
	 */
	public void halt() {
		if (!this.state.compareAndSet(State.STARTED, State.STOPPED)) {
			return;
		}
		// no deregistration, no resignation: a registry learns of it as of a crash (lease expiry, or a
		// survivor reporting the closed connection)
		this.topologies.forEach(Topology::abandon);
		this.transport.stopListening();
		onLoop(this.mesh::abort);
		shutdown();
	}

	/**
	 * Lets this node run a singleton; only while it does not run (the auto-configuration registers
	 * singleton beans this way before each start, so they may themselves depend on the node). The same
	 * name again replaces the work.
	 * @param name the singleton's name
	 * @param singleton the work
	 * @throws IllegalStateException while the node runs
	 */
	public void registerSingleton(String name, ClusterSingleton singleton) {
		if (this.state.get() == State.STARTED) {
			throw new IllegalStateException("Singletons are registered while the node does not run");
		}
		synchronized (this.hosted) {
			this.hosted.put(name, Objects.requireNonNull(singleton));
			this.specs.putIfAbsent(name, SingletonSpec.defaults(name));
		}
	}

	/**
	 * Adds a listener. On a running node the listener first hears a {@link EngineEvent.MemberJoined} for each
	 * member already up, so it misses no one.
	 * @param listener the listener
	 */
	public void addListener(ClusterListener listener) {
		if (this.state.get() != State.STARTED) {
			this.dispatch.add(listener, null);
			return;
		}
		onLoop(() -> {
			ClusterSnapshot current = this.snapshot;
			this.dispatch.add(listener, current.upMembers()
				.stream()
				.map((m) -> (EngineEvent) new EngineEvent.MemberJoined(current.self().name(), m, m.since()))
				.toList());
		});
	}

	/**
	 * Who leads the cluster, as this node sees it.
	 * @return the leadership view (valid once started)
	 */
	public ClusterLeadership leadership() {
		return this.leadership;
	}

	/**
	 * Every declared singleton and where it runs, as this node knows it.
	 * @return singletons by name
	 */
	public Map<String, SingletonInfo> singletons() {
		Coordination current = this.coordination;
		return (current != null) ? current.singletons() : Map.of();
	}

	/**
	 * Moves a singleton to a node (OTP's {@code application:takeover/2}); it stays there until that
	 * node is gone.
	 * @param singleton the singleton's name
	 * @param node the target node, by full name or name part
	 * @return {@code null} if the move was ordered, else why not
	 */
	public String moveSingleton(String singleton, String node) {
		try {
			return this.loop.submit(() -> this.coordination.requestMove(singleton, node)).get(5, TimeUnit.SECONDS);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			return "interrupted";
		}
		catch (ExecutionException | TimeoutException | RejectedExecutionException ex) {
			return "node is not running";
		}
	}

	/**
	 * Waits until the named nodes are members that are up (OTP's {@code sync_nodes_*}).
	 * @param names node names, full or name parts
	 * @param timeout how long to wait
	 * @return the names still missing (empty if all are up)
	 * @throws InterruptedException if interrupted
	 */
	public Set<String> awaitMembers(Collection<String> names, Duration timeout)
			throws InterruptedException {
		long deadline = System.nanoTime() + timeout.toNanos();
		while (true) {
			Set<String> missing = new TreeSet<>(names);
			for (Member member : members()) {
				missing.remove(member.name());
				missing.remove(LocalNode.namePart(member.name()));
			}
			missing.remove(self().name());
			missing.remove(LocalNode.namePart(self().name()));
			if (missing.isEmpty() || System.nanoTime() - deadline >= 0) {
				return missing;
			}
			Thread.sleep(20);
		}
	}

	/**
	 * Runs every topology's discovery now.
	 */
	public void discoverNow() {
		this.topologies.forEach(Topology::discoverNow);
	}

	/**
	 * The cluster as this node sees it now.
	 * @return the latest snapshot
	 * @throws IllegalStateException before {@link #start()}
	 */
	public ClusterSnapshot snapshot() {
		ClusterSnapshot current = this.snapshot;
		if (current == null) {
			throw new IllegalStateException("Cluster node is not started");
		}
		return current;
	}

	/**
	 * This node.
	 * @return its name, address and incarnation
	 */
	public LocalNode self() {
		return snapshot().self();
	}

	/**
	 * The members that are up.
	 * @return the up members, by name
	 */
	public List<Member> members() {
		return snapshot().upMembers();
	}

	/**
	 * Each topology's state, in configuration order.
	 * @return the statuses
	 */
	public List<TopologyStatus> topologies() {
		return this.topologies.stream().map(Topology::status).toList();
	}

	/**
	 * Whether every topology has completed a discovery round.
	 * @return whether discovery has run everywhere
	 */
	public boolean hasRun() {
		return this.topologies.stream().allMatch((t) -> t.status().hasRun());
	}

	/**
	 * Whether the node is running.
	 * @return whether it started and has not closed
	 */
	public boolean isRunning() {
		return this.state.get() == State.STARTED;
	}

	/** The node's event loop, for tests that stall it. */
	EventLoop eventLoop() {
		return this.loop;
	}

	/**
	 * Bytes read and written by this node's connections.
	 * @return the traffic counter
	 */
	public TrafficCounter traffic() {
		return this.transport.traffic();
	}

	/**
	 * What the transport counted: invalid frames skipped, unknown messages, errors of this node's
	 * own handlers, handshakes refused or timed out.
	 * @return the counters
	 */
	public TransportCounters transportCounters() {
		NettyTransport current = this.transport;
		return (current != null) ? current.counters() : new TransportCounters();
	}

	// a periodic task that throws is never run again, so nothing may escape
	private void heartbeat() {
		try {
			this.mesh.sendHeartbeats(this.coordination.digest());
		}
		catch (RuntimeException ex) {
			logger.error("Cluster node {} failed to send heartbeats", this.snapshot.self().name(), ex);
		}
	}

	private void tick() {
		try {
			this.mesh.check();
			this.coordination.tick();
		}
		catch (RuntimeException ex) {
			logger.error("Cluster node {} failed a periodic check", this.snapshot.self().name(), ex);
		}
	}

	private void publish(ClusterSnapshot next) {
		ClusterSnapshot previous = this.snapshot;
		this.snapshot = new ClusterSnapshot(next.self(), next.members(), Map.of());
		List<EngineEvent> changes = MembershipDiff.diff(previous, next, this.config.clock().instant());
		changes.forEach(this.dispatch::dispatch);
		if (this.coordination != null) {
			// with the departures, so it knows who said goodbye
			this.coordination.membershipChanged(previous, next);
		}
	}


	private void onLoop(Runnable task) {
		try {
			this.loop.execute(task);
		}
		catch (RejectedExecutionException ex) {
			logger.debug("Node is shutting down; dropped a task");
		}
	}

	private void shutdown() {
		this.transport.shutdown();
		this.coordination.close();
		this.dispatch.shutdown();
	}

	// a short cookie is guessable offline from one proof seen on the wire: only on loopback is it allowed
	@Override
	public String toString() {
		ClusterSnapshot current = this.snapshot;
		return "ClusterNode[" + ((current != null) ? current.self().name() : this.config.name()) + "]";
	}

}
