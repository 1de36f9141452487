package dev.clustering.benchmark;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;


import dev.clustering.detection.FailureDetectorSettings;
import dev.clustering.discovery.staticlist.StaticStrategy;
import dev.clustering.leadership.LeaderInfo;
import dev.clustering.leadership.SplitBrainStrategy;
import dev.clustering.membership.LocalNode;
import dev.clustering.membership.NodeAddress;
import dev.clustering.node.ClusterNode;
import dev.clustering.node.ClusterNodeBuilder;
import dev.clustering.node.EngineEvent;
import dev.clustering.singleton.ClusterSingleton;
import dev.clustering.singleton.SingletonContext;
import dev.clustering.singleton.SingletonSpec;
import dev.clustering.singleton.StartType;
import dev.clustering.singleton.StopReason;

/**
 * A small cluster on loopback for the leadership scenario: every node's events are recorded, in
 * one log, with the {@code System.nanoTime()} at which the listener received them; optionally every
 * node declares and hosts one singleton that records its starts and stops in a shared log.
 * Nodes can be crashed ({@code halt()}), stopped ({@code close()}), frozen (all links cut), paused
 * (event loop stalled) and restarted with the same name and port.
 */
final class LeaderCluster implements AutoCloseable {

	static final String HOST = BenchCluster.HOST;

	static final String SINGLETON = "bench-singleton";

	private static final char[] COOKIE = "clustering-benchmark-cookie".toCharArray();

	final int size;

	private final FailureDetectorSettings detector;

	private final Duration pollInterval;

	private final SingletonSpec spec;

	/** Starts and stops of the singleton on every node, or {@code null} without a singleton. */
	final SingletonLog singletonLog;

	private final String[] names;

	private final String[] fullNames;

	private final int[] ports;

	private final List<NodeAddress> addresses = new ArrayList<>();

	private final ClusterNode[] nodes;

	/** nanoTime just before each node's current process was started. */
	private final long[] startedAt;

	private final int[] generations;

	/** Full node names whose links are all cut (frozen). */
	private final Set<String> frozen = ConcurrentHashMap.newKeySet();

	/** Paused nodes: their event loop blocks in the link filter until the gate opens. */
	private final Map<String, CountDownLatch> pauses = new ConcurrentHashMap<>();

	/** When each paused node's event loop actually blocked (nanoTime). */
	private final Map<String, Long> pausedAt = new ConcurrentHashMap<>();

	/** Every event of every node, in the order the listeners received them. */
	private final EventLog<Rec> events = new EventLog<>();

	/**
	 * @param spec the singleton's placement, or {@code null} for no singleton
	 */
	LeaderCluster(int size, FailureDetectorSettings detector, Duration pollInterval, SingletonSpec spec) {
		this.size = size;
		this.detector = detector;
		this.pollInterval = pollInterval;
		this.spec = spec;
		this.singletonLog = (spec != null) ? new SingletonLog() : null;
		this.names = new String[size];
		this.fullNames = new String[size];
		this.ports = BenchCluster.freePorts(size);
		this.nodes = new ClusterNode[size];
		this.startedAt = new long[size];
		this.generations = new int[size];
		for (int i = 0; i < size; i++) {
			this.names[i] = "n" + (i + 1);
			this.fullNames[i] = LocalNode.nodeName(this.names[i], HOST);
			this.addresses.add(new NodeAddress(HOST, this.ports[i]));
		}
	}

	/** Starts all nodes in order, so n1 is the oldest. */
	void startAll() {
		for (int i = 0; i < this.size; i++) {
			start(i);
		}
	}

	private synchronized void start(int index) {
		int generation = ++this.generations[index];
		String self = this.fullNames[index];
		ClusterNodeBuilder builder = ClusterNode.builder()
			.name(this.names[index])
			.host(HOST)
			.port(this.ports[index])
			.cookie(COOKIE)
			.failureDetector(this.detector)
			.splitBrain(SplitBrainStrategy.KEEP_MAJORITY, 1)
			.topology("bench", StaticStrategy.NAME, new StaticStrategy(this.addresses), this.pollInterval)
			.linkFilter((peer) -> {
				// the engine asks its link filter on the node's event loop, for every frame in or out:
				// blocking here stalls that node's loop as a GC pause or a stopped process would
				CountDownLatch gate = this.pauses.get(self);
				if (gate != null) {
					this.pausedAt.putIfAbsent(self, System.nanoTime());
					awaitGate(gate);
				}
				return !this.frozen.isEmpty() && (this.frozen.contains(self) || this.frozen.contains(peer));
			})
			.listener((event) -> record(index, generation, event));
		if (this.spec != null) {
			builder.singletonSpec(this.spec).singleton(SINGLETON, new BenchSingleton(index, this.singletonLog));
		}
		ClusterNode node = builder.build();
		long t = System.nanoTime();
		node.start();
		this.nodes[index] = node;
		this.startedAt[index] = t;
	}

	/** Starts a fresh process for the node, with the same name and port, retrying while the port is busy. */
	void restart(int index) throws InterruptedException {
		EventLog.restartRetrying(() -> start(index));
	}

	/** Crashes a node (connections closed, no goodbye); returns nanoTime taken just before. */
	long halt(int index) {
		ClusterNode node = this.nodes[index];
		if (this.singletonLog != null) {
			this.singletonLog.crashed(index); // whatever it ran dies with it
		}
		long t0 = System.nanoTime();
		node.halt();
		return t0;
	}

	/** Cuts all links of a node; returns nanoTime taken just before. */
	long freeze(int index) {
		long t0 = System.nanoTime();
		this.frozen.add(this.fullNames[index]);
		return t0;
	}

	/** Restores the links of a node; returns nanoTime taken just before. */
	long thaw(int index) {
		long t0 = System.nanoTime();
		this.frozen.remove(this.fullNames[index]);
		return t0;
	}

	/**
	 * Stalls a node's event loop: it blocks the next time it sends or receives a frame (within a
	 * heartbeat interval). Returns the nanoTime at which it blocked, or 0 if it did not within the
	 * timeout (then it is resumed).
	 */
	long pause(int index, Duration timeout) throws InterruptedException {
		String name = this.fullNames[index];
		this.pausedAt.remove(name);
		this.pauses.put(name, new CountDownLatch(1));
		long deadline = System.nanoTime() + timeout.toNanos();
		while (System.nanoTime() - deadline < 0) {
			Long at = this.pausedAt.get(name);
			if (at != null) {
				return at;
			}
			Thread.sleep(1);
		}
		resume(index);
		return 0;
	}

	/** Lets a paused node's event loop run again; returns nanoTime taken just before. */
	long resume(int index) {
		long t0 = System.nanoTime();
		CountDownLatch gate = this.pauses.remove(this.fullNames[index]);
		if (gate != null) {
			gate.countDown();
		}
		return t0;
	}

	private static void awaitGate(CountDownLatch gate) {
		boolean interrupted = false;
		while (true) {
			try {
				gate.await();
				break;
			}
			catch (InterruptedException ex) {
				interrupted = true;
			}
		}
		if (interrupted) {
			Thread.currentThread().interrupt();
		}
	}

	ClusterNode node(int index) {
		return this.nodes[index];
	}

	String fullName(int index) {
		return this.fullNames[index];
	}

	int index(String fullName) {
		for (int i = 0; i < this.size; i++) {
			if (this.fullNames[i].equals(fullName)) {
				return i;
			}
		}
		return -1;
	}

	/** How long the node's current process has been running. */
	long upNanos(int index) {
		return System.nanoTime() - this.startedAt[index];
	}

	/** The node the engine would let claim if {@code leader} went away: the oldest of the others. */
	int oldestOther(int leader) {
		int oldest = -1;
		for (int i = 0; i < this.size; i++) {
			if (i != leader && (oldest < 0 || this.startedAt[i] - this.startedAt[oldest] < 0)) {
				oldest = i;
			}
		}
		return oldest;
	}

	/** Whether every node is running and sees all the others up. */
	boolean whole() {
		for (ClusterNode node : this.nodes) {
			if (node == null || !node.isRunning() || node.members().size() != this.size - 1) {
				return false;
			}
		}
		return true;
	}

	/**
	 * The leader every node agrees on (same name and token), provided exactly that node says it leads;
	 * else {@code null}.
	 */
	LeaderInfo agreedLeader() {
		return agreedLeader(allIndexes());
	}

	/** The leader the given nodes agree on, provided the leader (if among them) says it leads; else null. */
	LeaderInfo agreedLeader(List<Integer> among) {
		LeaderInfo agreed = null;
		for (int i : among) {
			ClusterNode node = this.nodes[i];
			if (node == null || !node.isRunning()) {
				return null;
			}
			Optional<LeaderInfo> leader = node.leadership().leader();
			if (leader.isEmpty()) {
				return null;
			}
			LeaderInfo l = leader.get();
			if (agreed == null) {
				agreed = l;
			}
			else if (!agreed.name().equals(l.name()) || agreed.fencingToken() != l.fencingToken()) {
				return null;
			}
		}
		if (agreed == null) {
			return null;
		}
		for (int i : among) {
			boolean leads = this.nodes[i].leadership().isLeader();
			if (leads != this.fullNames[i].equals(agreed.name())) {
				return null;
			}
		}
		return agreed;
	}

	List<Integer> allIndexes() {
		List<Integer> all = new ArrayList<>();
		for (int i = 0; i < this.size; i++) {
			all.add(i);
		}
		return all;
	}

	List<Integer> others(int index) {
		List<Integer> others = allIndexes();
		others.remove(Integer.valueOf(index));
		return others;
	}

	/** A position in the event log, to read what came after it. */
	int mark() {
		return this.events.mark();
	}

	/** The events recorded since a mark. */
	List<Rec> since(int mark) {
		return this.events.since(mark);
	}

	private void record(int index, int generation, EngineEvent event) {
		this.events.add(new Rec(System.nanoTime(), index, generation, event));
	}

	int generation(int index) {
		synchronized (this) {
			return this.generations[index];
		}
	}

	@Override
	public void close() {
		this.events.close();
		this.frozen.clear();
		this.pauses.values().forEach(CountDownLatch::countDown);
		this.pauses.clear();
		for (ClusterNode node : this.nodes) {
			if (node != null && node.isRunning()) {
				node.close();
			}
		}
	}

	/** One event as a node's listener received it. */
	record Rec(long nanos, int node, int generation, EngineEvent event) {
	}

	/** The singleton's starts and stops on every node, and how often one started while another ran. */
	static final class SingletonLog {

		/** One start or stop; {@code nanos} is taken on entry to start() and on return from stop(). */
		record Entry(long nanos, int node, boolean start, StartType type, String from, StopReason reason, long token,
				boolean overlap) {
		}

		private final List<Entry> entries = new ArrayList<>();

		/** Nodes whose instance runs now (started, not stopped, not crashed). */
		final Set<Integer> running = ConcurrentHashMap.newKeySet();

		final AtomicInteger overlaps = new AtomicInteger();

		void crashed(int node) {
			this.running.remove(node);
		}

		int mark() {
			synchronized (this.entries) {
				return this.entries.size();
			}
		}

		List<Entry> since(int mark) {
			synchronized (this.entries) {
				return new ArrayList<>(this.entries.subList(mark, this.entries.size()));
			}
		}

		void add(Entry entry) {
			synchronized (this.entries) {
				this.entries.add(entry);
			}
		}

	}

	/** Records its starts and stops; does no work. */
	private static final class BenchSingleton implements ClusterSingleton {

		private final int node;

		private final SingletonLog log;

		BenchSingleton(int node, SingletonLog log) {
			this.node = node;
			this.log = log;
		}

		@Override
		public void start(SingletonContext context) {
			long now = System.nanoTime();
			boolean overlap = this.log.running.stream().anyMatch((n) -> n != this.node);
			if (overlap) {
				this.log.overlaps.incrementAndGet();
			}
			this.log.running.add(this.node);
			this.log.add(new SingletonLog.Entry(now, this.node, true, context.startType(), context.from(), null,
					context.fencingToken(), overlap));
		}

		@Override
		public void stop(StopReason reason) {
			this.log.running.remove(this.node);
			this.log.add(new SingletonLog.Entry(System.nanoTime(), this.node, false, null, null, reason, 0, false));
		}

	}

}
