package dev.clustering.node;

import java.security.SecureRandom;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.LongSupplier;

import io.netty.channel.ChannelFuture;
import io.netty.channel.EventLoop;
import io.netty.util.concurrent.DefaultThreadFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.clustering.detection.FailureDetectorSettings;
import dev.clustering.discovery.DiscoveryContext;
import dev.clustering.discovery.Topology;
import dev.clustering.discovery.TopologyStatus;
import dev.clustering.membership.ClusterEvent;
import dev.clustering.membership.ClusterSnapshot;
import dev.clustering.membership.LocalNode;
import dev.clustering.membership.Member;
import dev.clustering.membership.MembershipDiff;
import dev.clustering.membership.NodeAddress;
import dev.clustering.membership.NodeJoinedEvent;
import dev.clustering.transport.CookieAuthenticator;
import dev.clustering.transport.LinkFilter;
import dev.clustering.transport.NettyTransport;
import dev.clustering.transport.TrafficCounter;
import dev.clustering.transport.TransportSettings;

/**
 * One node of a cluster: listens on its transport port, runs its topologies, keeps authenticated
 * connections with heartbeats to every peer, and tells its listeners who joined and who left.
 * Plain Java with an explicit {@link #start()} / {@link #close()} lifecycle; build it with
 * {@link #builder()}.
 */
public final class ClusterNode implements AutoCloseable {

	private static final Logger logger = LoggerFactory.getLogger(ClusterNode.class);

	private enum State {

		LATENT, STARTED, CLOSED

	}

	private final AtomicReference<State> state = new AtomicReference<>(State.LATENT);

	private final ClusterNodeBuilder config;

	private final CookieAuthenticator authenticator;

	private final List<ClusterListener> listeners = new CopyOnWriteArrayList<>();

	private final List<Topology> topologies = new ArrayList<>();

	private final LongSupplier nanoTime = System::nanoTime;

	private NettyTransport transport;

	private EventLoop loop;

	private ExecutorService events;

	private Mesh mesh;

	private volatile ClusterSnapshot snapshot;

	ClusterNode(ClusterNodeBuilder config) {
		this.config = config;
		this.authenticator = new CookieAuthenticator(config.cookie);
		this.listeners.addAll(config.listeners);
		for (ClusterNodeBuilder.TopologySpec spec : config.topologies) {
			this.topologies.add(new Topology(spec.name(), spec.strategyName(), spec.strategy(), spec.pollInterval(),
					config.clock, (topology, status) -> onLoop(() -> this.mesh.topologyChanged(status))));
		}
	}

	/**
	 * A builder for a node.
	 * @return a new builder
	 */
	public static ClusterNodeBuilder builder() {
		return new ClusterNodeBuilder();
	}

	/**
	 * Binds the transport port, then starts heartbeats, failure detection and discovery.
	 * @throws IllegalStateException if the node was started before, or its port cannot be bound
	 */
	public void start() {
		if (!this.state.compareAndSet(State.LATENT, State.STARTED)) {
			throw new IllegalStateException("Cluster node can only be started once");
		}
		ClusterNodeBuilder c = this.config;
		String bindHost = (c.transport.bindHost() != null) ? c.transport.bindHost() : c.host;
		this.transport = new NettyTransport("cluster-" + c.name, c.transport, this.authenticator);
		int port;
		try {
			port = this.transport.bind(bindHost, c.port);
		}
		catch (Exception ex) {
			this.transport.shutdown();
			this.state.set(State.CLOSED);
			throw new ClusterBindException(new NodeAddress(bindHost, Math.max(c.port, 1)).hostForDisplay(), c.port, ex);
		}
		long incarnation = new SecureRandom().nextLong();
		LocalNode self = new LocalNode(LocalNode.nodeName(c.name, c.host), new NodeAddress(c.host, port), incarnation,
				c.metadata);
		this.snapshot = ClusterSnapshot.empty(self);
		this.events = Executors.newSingleThreadExecutor(new DefaultThreadFactory("cluster-events-" + c.name, true));
		this.loop = this.transport.eventLoop();
		long checkNanos = Math.min(TimeUnit.MILLISECONDS.toNanos(100),
				c.failureDetector.heartbeatInterval().toNanos() / 4);
		this.mesh = new Mesh(self, this.transport, c.failureDetector, c.transport, c.links, c.clock, this.nanoTime,
				checkNanos, this::publish);
		this.transport.attach(self, this.mesh);
		if (!this.authenticator.isCookieConfigured()) {
			logger.warn("No cluster.cookie is set: node {} accepts only peers on loopback. Set the same "
					+ "cluster.cookie on every node to form a cluster across machines.", self.name());
		}
		long heartbeatNanos = c.failureDetector.heartbeatInterval().toNanos();
		this.loop.scheduleAtFixedRate(this.mesh::sendHeartbeats, heartbeatNanos, heartbeatNanos, TimeUnit.NANOSECONDS);
		this.loop.scheduleAtFixedRate(this.mesh::check, checkNanos, checkNanos, TimeUnit.NANOSECONDS);
		for (int i = 0; i < this.topologies.size(); i++) {
			ClusterNodeBuilder.TopologySpec spec = c.topologies.get(i);
			this.topologies.get(i).start(new DiscoveryContext(spec.name(), self, spec.pollInterval()));
		}
		logger.info("Cluster node {} listening on {}:{} with topologies {}", self.name(), bindHost, port,
				this.topologies.stream().map(Topology::name).toList());
	}

	/**
	 * Leaves gracefully: stops discovery and listening, tells every peer it is leaving, then closes.
	 */
	@Override
	public void close() {
		if (!this.state.compareAndSet(State.STARTED, State.CLOSED)) {
			this.state.set(State.CLOSED);
			return;
		}
		this.topologies.forEach(Topology::stop);
		this.transport.stopListening();
		try {
			List<ChannelFuture> closing = this.loop.submit(this.mesh::leave).get(2, TimeUnit.SECONDS);
			for (ChannelFuture future : closing) {
				future.await(1, TimeUnit.SECONDS);
			}
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
		catch (ExecutionException | TimeoutException ex) {
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
		if (!this.state.compareAndSet(State.STARTED, State.CLOSED)) {
			return;
		}
		this.topologies.forEach(Topology::stop);
		this.transport.stopListening();
		onLoop(this.mesh::abort);
		shutdown();
	}

	/**
	 * Adds a listener. On a running node the listener first hears a {@link NodeJoinedEvent} for each
	 * member already up, so it misses no one.
	 * @param listener the listener
	 */
	public void addListener(ClusterListener listener) {
		if (this.state.get() != State.STARTED) {
			this.listeners.add(listener);
			return;
		}
		onLoop(() -> {
			ClusterSnapshot current = this.snapshot;
			this.listeners.add(listener);
			this.events.execute(() -> current.upMembers()
				.forEach((m) -> deliver(listener, new NodeJoinedEvent(this, current.self().name(), m, m.since()))));
		});
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

	/**
	 * Bytes read and written by this node's connections.
	 * @return the traffic counter
	 */
	public TrafficCounter traffic() {
		return this.transport.traffic();
	}

	private void publish(ClusterSnapshot next) {
		ClusterSnapshot previous = this.snapshot;
		this.snapshot = new ClusterSnapshot(next.self(), next.members(), Map.of());
		List<ClusterEvent> changes = MembershipDiff.diff(this, previous, next, this.config.clock.instant());
		if (!changes.isEmpty()) {
			this.events.execute(() -> changes.forEach((event) -> this.listeners.forEach((l) -> deliver(l, event))));
		}
	}

	private void deliver(ClusterListener listener, ClusterEvent event) {
		try {
			listener.onEvent(event);
		}
		catch (RuntimeException ex) {
			logger.error("Cluster listener {} failed on {}", listener, event, ex);
		}
	}

	private void onLoop(Runnable task) {
		try {
			this.loop.execute(task);
		}
		catch (java.util.concurrent.RejectedExecutionException ex) {
			logger.debug("Node is shutting down; dropped a task");
		}
	}

	private void shutdown() {
		this.transport.shutdown();
		this.events.shutdown();
		try {
			this.events.awaitTermination(2, TimeUnit.SECONDS);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
	}

	@Override
	public String toString() {
		ClusterSnapshot current = this.snapshot;
		return "ClusterNode[" + ((current != null) ? current.self().name() : this.config.name) + "]";
	}

}
