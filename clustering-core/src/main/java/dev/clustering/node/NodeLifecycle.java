package dev.clustering.node;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
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

import dev.clustering.discovery.DiscoveryContext;
import dev.clustering.discovery.NameScoped;
import dev.clustering.discovery.Topology;
import dev.clustering.leadership.SplitBrainStrategy;
import dev.clustering.membership.ClusterSnapshot;
import dev.clustering.membership.LocalNode;
import dev.clustering.membership.NodeAddress;
import dev.clustering.singleton.ClusterSingleton;
import dev.clustering.singleton.SingletonSpec;
import dev.clustering.transport.CookieAuthenticator;
import dev.clustering.transport.NettyTransport;

/**
 * A {@link ClusterNode}'s lifecycle: starting it (binding the transport, then wiring the mesh, the
 * coordination of leadership and singletons, the periodic heartbeats and checks, and the
 * topologies), leaving gracefully, halting, and starting again as a new incarnation. Holds what each
 * start creates, the membership snapshot the mesh publishes, and what outlives the restarts (the
 * singletons registered on the node, its listeners, its cookie). {@link ClusterNode} answers the
 * application from what this class holds.
 * <p>
 * Start, close and halt run on the caller's thread, one at a time by the atomic state; what a start
 * creates is set through volatile fields and read by any thread; the heartbeats, the checks and the
 * publication of each new snapshot run on the event loop.
 */
final class NodeLifecycle {

	// the node's lifecycle keeps the logger it always had
	private static final Logger logger = LoggerFactory.getLogger(ClusterNode.class);

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

	private final LongSupplier nanoTime;

	// set once by start(), read by any thread
	private volatile NettyTransport transport;

	private volatile EventLoop loop;

	private final EventDispatch dispatch;

	private volatile Mesh mesh;

	private volatile Coordination coordination;

	private volatile ClusterSnapshot snapshot;

	NodeLifecycle(NodeSettings config, LongSupplier nanoTime) {
		this.config = config;
		this.nanoTime = nanoTime;
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
	 * Binds the transport, then wires and starts a new run of the node (see {@link ClusterNode#start()}).
	 * @throws IllegalStateException if the node is running, or its port cannot be bound
	 */
	void start() {
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

	/** Leaves gracefully, in the order {@link ClusterNode#close()} describes; waits for each step. */
	void close() {
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
			logger.warn("Node {} could not stop its singletons cleanly: {}", snapshot().self().name(), ex.toString());
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
			logger.warn("Node {} could not say goodbye to every peer: {}", snapshot().self().name(), ex.toString());
		}
		shutdown();
		logger.info("Cluster node {} left the cluster", snapshot().self().name());
	}

	/** Stops at once without telling peers (see {@link ClusterNode#halt()}). */
	void halt() {
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
	 * Adds a singleton to the ones the next start hosts (see
	 * {@link ClusterNode#registerSingleton(String, ClusterSingleton)}).
	 * @param name the singleton's name
	 * @param singleton the work
	 * @throws IllegalStateException while the node runs
	 */
	void registerSingleton(String name, ClusterSingleton singleton) {
		if (this.state.get() == State.STARTED) {
			throw new IllegalStateException("Singletons are registered while the node does not run");
		}
		synchronized (this.hosted) {
			this.hosted.put(name, Objects.requireNonNull(singleton));
			this.specs.putIfAbsent(name, SingletonSpec.defaults(name));
		}
	}

	/**
	 * Adds a listener; on a running node it first hears, from the event loop, who is already up (see
	 * {@link ClusterNode#addListener(ClusterListener)}).
	 * @param listener the listener
	 */
	void addListener(ClusterListener listener) {
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
	 * Whether the node is running.
	 * @return whether it started and has not closed
	 */
	boolean isRunning() {
		return this.state.get() == State.STARTED;
	}

	/**
	 * The cluster as this node sees it now.
	 * @return the latest snapshot
	 * @throws IllegalStateException before the first start
	 */
	ClusterSnapshot snapshot() {
		ClusterSnapshot current = this.snapshot;
		if (current == null) {
			throw new IllegalStateException("Cluster node is not started");
		}
		return current;
	}

	/**
	 * What {@link #snapshot()} answers, without its check.
	 * @return the latest snapshot, or {@code null} before the first start
	 */
	ClusterSnapshot latestSnapshot() {
		return this.snapshot;
	}

	/**
	 * The latest start's topologies (before the first start, the ones it will start).
	 * @return the topologies, in configuration order
	 */
	List<Topology> topologies() {
		return this.topologies;
	}

	/**
	 * The latest start's transport.
	 * @return the transport, or {@code null} before the first start
	 */
	NettyTransport transport() {
		return this.transport;
	}

	/**
	 * The latest start's event loop.
	 * @return the loop, or {@code null} before the first start
	 */
	EventLoop loop() {
		return this.loop;
	}

	/**
	 * The latest start's coordination of leadership and singletons.
	 * @return the coordination, or {@code null} before the first start
	 */
	Coordination coordination() {
		return this.coordination;
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

	/**
	 * Hands a task to the latest start's event loop; drops it if the node is shutting down.
	 * @param task the task
	 */
	void onLoop(Runnable task) {
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

}
