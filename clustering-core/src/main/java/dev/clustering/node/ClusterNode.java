package dev.clustering.node;

import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.LongSupplier;

import io.netty.channel.EventLoop;

import dev.clustering.leadership.ClusterLeadership;
import dev.clustering.leadership.LeaderInfo;
import dev.clustering.singleton.ClusterSingleton;
import dev.clustering.singleton.SingletonInfo;
import dev.clustering.discovery.Topology;
import dev.clustering.discovery.TopologyStatus;
import dev.clustering.membership.ClusterSnapshot;
import dev.clustering.membership.LocalNode;
import dev.clustering.membership.Member;
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

	/** Shortest cookie accepted on a node that listens on a non-loopback address. */
	public static final int MIN_COOKIE_LENGTH = 16;

	private final LongSupplier nanoTime = System::nanoTime;

	// the start, leave and halt, and what each start creates
	private final NodeLifecycle lifecycle;

	private final String name;

	// the same object before and after start (a bean may hold it), answering from the running node
	private final ClusterLeadership leadership = new ClusterLeadership() {
		@Override
		public Optional<LeaderInfo> leader() {
			Coordination current = ClusterNode.this.lifecycle.coordination();
			return (current != null && isRunning()) ? Optional.ofNullable(current.leader()) : Optional.empty();
		}

		@Override
		public Optional<LeaderInfo> ownLeadership() {
			Coordination current = ClusterNode.this.lifecycle.coordination();
			return (current != null && isRunning())
					? Optional.ofNullable(current.ownLeadership(ClusterNode.this.nanoTime.getAsLong()))
					: Optional.empty();
		}

		@Override
		public void yield() {
			Coordination current = ClusterNode.this.lifecycle.coordination();
			if (current != null && isRunning()) {
				ClusterNode.this.lifecycle.onLoop(current::yieldLeadership);
			}
		}
	};

	ClusterNode(NodeSettings config) {
		this.lifecycle = new NodeLifecycle(config, this.nanoTime);
		this.name = config.name();
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
		this.lifecycle.start();
	}

	/**
	 * Leaves gracefully, in this order: refuses new peers; tells every member it is leaving (nothing
	 * is placed here from then on); stops the local singletons (the leader starts them elsewhere at
	 * once, as a hand-over); gives leadership up; stops discovery (resigning and deregistering from a
	 * registry); then closes every connection, saying why, so the members see a leave, not a crash.
	 */
	@Override
	public void close() {
		this.lifecycle.close();
	}

	/**
	 * Stops at once without telling peers, as a crashed process would: they see the connection
	 * close. For tests and benchmarks.
	 */
	public void halt() {
		this.lifecycle.halt();
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
		this.lifecycle.registerSingleton(name, singleton);
	}

	/**
	 * Adds a listener. On a running node the listener first hears a {@link EngineEvent.MemberJoined} for each
	 * member already up, so it misses no one.
	 * @param listener the listener
	 */
	public void addListener(ClusterListener listener) {
		this.lifecycle.addListener(listener);
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
		Coordination current = this.lifecycle.coordination();
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
			return this.lifecycle.loop()
				.submit(() -> this.lifecycle.coordination().requestMove(singleton, node))
				.get(5, TimeUnit.SECONDS);
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
		this.lifecycle.topologies().forEach(Topology::discoverNow);
	}

	/**
	 * The cluster as this node sees it now.
	 * @return the latest snapshot
	 * @throws IllegalStateException before {@link #start()}
	 */
	public ClusterSnapshot snapshot() {
		return this.lifecycle.snapshot();
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
		return this.lifecycle.topologies().stream().map(Topology::status).toList();
	}

	/**
	 * Whether every topology has completed a discovery round.
	 * @return whether discovery has run everywhere
	 */
	public boolean hasRun() {
		return this.lifecycle.topologies().stream().allMatch((t) -> t.status().hasRun());
	}

	/**
	 * Whether the node is running.
	 * @return whether it started and has not closed
	 */
	public boolean isRunning() {
		return this.lifecycle.isRunning();
	}

	/** The node's event loop, for tests that stall it. */
	EventLoop eventLoop() {
		return this.lifecycle.loop();
	}

	/**
	 * Bytes read and written by this node's connections.
	 * @return the traffic counter
	 */
	public TrafficCounter traffic() {
		return this.lifecycle.transport().traffic();
	}

	/**
	 * What the transport counted: invalid frames skipped, unknown messages, errors of this node's
	 * own handlers, handshakes refused or timed out.
	 * @return the counters
	 */
	public TransportCounters transportCounters() {
		NettyTransport current = this.lifecycle.transport();
		return (current != null) ? current.counters() : new TransportCounters();
	}

	// a short cookie is guessable offline from one proof seen on the wire: only on loopback is it allowed
	@Override
	public String toString() {
		ClusterSnapshot current = this.lifecycle.latestSnapshot();
		return "ClusterNode[" + ((current != null) ? current.self().name() : this.name) + "]";
	}

}
