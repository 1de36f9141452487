package dev.clustering.benchmark;

import java.io.IOException;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

import dev.clustering.detection.FailureDetectorSettings;
import dev.clustering.discovery.staticlist.StaticStrategy;
import dev.clustering.membership.LeaveReason;
import dev.clustering.membership.LocalNode;
import dev.clustering.membership.NodeAddress;
import dev.clustering.node.ClusterNode;
import dev.clustering.node.EngineEvent;

/**
 * N nodes on loopback in this JVM, each with a static topology listing all N addresses, and the
 * bookkeeping the benchmark needs: when each node saw the whole cluster, who detected a victim
 * when, and any leave that nobody caused.
 */
final class BenchCluster implements AutoCloseable {

	static final String HOST = "127.0.0.1";

	private static final char[] COOKIE = "clustering-benchmark-cookie".toCharArray();

	final int size;

	private final FailureDetectorSettings detector;

	private final Duration pollInterval;

	private final String[] names;

	private final String[] fullNames;

	private final int[] ports;

	private final List<NodeAddress> addresses = new ArrayList<>();

	private final Instance[] instances;

	/** Full node names whose links are all cut (frozen). */
	private final Set<String> frozen = ConcurrentHashMap.newKeySet();

	private final CountDownLatch formed;

	final LongAdder joins = new LongAdder();

	final LongAdder leaves = new LongAdder();

	/** Leave events nobody caused: false detections. */
	final List<String> unexpected = new CopyOnWriteArrayList<>();

	/** Leave events seen by a frozen node itself (it sees everyone else go silent); expected. */
	final LongAdder victimSideLeaves = new LongAdder();

	private volatile Probe probe;

	private volatile String phase = "formation";

	private volatile boolean closing;

	BenchCluster(int size, FailureDetectorSettings detector, Duration pollInterval) {
		this.size = size;
		this.detector = detector;
		this.pollInterval = pollInterval;
		this.names = new String[size];
		this.fullNames = new String[size];
		this.ports = freePorts(size);
		this.instances = new Instance[size];
		this.formed = new CountDownLatch(size);
		int width = String.valueOf(size).length();
		for (int i = 0; i < size; i++) {
			this.names[i] = "n" + String.format("%0" + width + "d", i + 1);
			this.fullNames[i] = LocalNode.nodeName(this.names[i], HOST);
			this.addresses.add(new NodeAddress(HOST, this.ports[i]));
		}
	}

	/** Starts all nodes, in order, on the calling thread. */
	void startAll() {
		for (int i = 0; i < this.size; i++) {
			start(i);
		}
	}

	/**
	 * Waits until every node has heard a joined event for each of the other N-1 nodes.
	 * @return whether that happened within the timeout
	 */
	boolean awaitFormed(Duration timeout) throws InterruptedException {
		return this.formed.await(timeout.toNanos(), TimeUnit.NANOSECONDS);
	}

	/** The latest moment a node reached N-1 up members during formation (nanoTime), or 0. */
	long lastFullAt() {
		long last = 0;
		for (Instance instance : this.instances) {
			if (instance.fullAt == 0) {
				return 0;
			}
			last = Math.max(last, instance.fullAt);
		}
		return last;
	}

	int nodesFull() {
		int n = 0;
		for (Instance instance : this.instances) {
			if (instance.fullAt != 0) {
				n++;
			}
		}
		return n;
	}

	/**
	 * Waits until every node's listener counts N-1 up members and every node's snapshot agrees.
	 * @return whether that happened within the timeout
	 */
	boolean awaitWhole(Duration timeout) throws InterruptedException {
		long deadline = System.nanoTime() + timeout.toNanos();
		while (System.nanoTime() - deadline < 0) {
			if (countersWhole() && snapshotsWhole()) {
				return true;
			}
			Thread.sleep(5);
		}
		return false;
	}

	private boolean countersWhole() {
		for (Instance instance : this.instances) {
			if (instance.up.get() != this.size - 1) {
				return false;
			}
		}
		return true;
	}

	boolean snapshotsWhole() {
		for (Instance instance : this.instances) {
			if (instance.node.members().size() != this.size - 1) {
				return false;
			}
		}
		return true;
	}

	/** The smallest number of up members any node sees. */
	int minMembers() {
		int min = Integer.MAX_VALUE;
		for (Instance instance : this.instances) {
			min = Math.min(min, instance.node.members().size());
		}
		return min;
	}

	String fullName(int index) {
		return this.fullNames[index];
	}

	long bytesWritten() {
		long sum = 0;
		for (Instance instance : this.instances) {
			sum += instance.node.traffic().bytesWritten();
		}
		return sum;
	}

	long bytesRead() {
		long sum = 0;
		for (Instance instance : this.instances) {
			sum += instance.node.traffic().bytesRead();
		}
		return sum;
	}

	void phase(String phase) {
		this.phase = phase;
	}

	/**
	 * Arms a probe: the next leave events about the victim, seen by the other nodes, are timed
	 * against {@code t0}. Call just before causing the failure.
	 */
	Probe arm(int victim) {
		List<String> observers = new ArrayList<>(List.of(this.fullNames));
		observers.remove(this.fullNames[victim]);
		Probe armed = new Probe(this.fullNames[victim], observers);
		this.probe = armed;
		return armed;
	}

	void disarm() {
		this.probe = null;
	}

	/** Crashes a node: halt(), no goodbye. Returns nanoTime taken just before halt(). */
	long halt(int index, Probe armed) {
		ClusterNode node = this.instances[index].node;
		long t0 = System.nanoTime();
		armed.t0 = t0;
		node.halt();
		return t0;
	}

	/** Starts a fresh process for the node, with the same name and port, retrying while the port is busy. */
	void restart(int index) throws InterruptedException {
		EventLog.restartRetrying(() -> start(index));
	}

	/** Cuts all links of a node; returns nanoTime taken just before. */
	long freeze(int index, Probe armed) {
		long t0 = System.nanoTime();
		armed.t0 = t0;
		this.frozen.add(this.fullNames[index]);
		return t0;
	}

	void thaw(int index) {
		this.frozen.remove(this.fullNames[index]);
	}

	private void start(int index) {
		Instance instance = new Instance(index);
		String self = this.fullNames[index];
		ClusterNode node = ClusterNode.builder()
			.name(this.names[index])
			.host(HOST)
			.port(this.ports[index])
			.cookie(COOKIE)
			.failureDetector(this.detector)
			.topology("bench", StaticStrategy.NAME, new StaticStrategy(this.addresses), this.pollInterval)
			.linkFilter((peer) -> !this.frozen.isEmpty() && (this.frozen.contains(self) || this.frozen.contains(peer)))
			.listener((event) -> onEvent(instance, event))
			.build();
		instance.node = node;
		node.start();
		this.instances[index] = instance;
	}

	// only membership events matter here
	private void onEvent(Instance instance, EngineEvent event) {
		long now = System.nanoTime();
		if (this.closing) {
			return;
		}
		if (event instanceof EngineEvent.MemberJoined) {
			this.joins.increment();
			if (instance.up.incrementAndGet() == this.size - 1 && instance.fullAt == 0) {
				instance.fullAt = now;
				this.formed.countDown();
			}
		}
		else if (event instanceof EngineEvent.MemberLeft left) {
			instance.up.decrementAndGet();
			this.leaves.increment();
			String observer = left.localNode();
			String subject = left.member().name();
			Probe armed = this.probe;
			if (armed != null && subject.equals(armed.victim) && !observer.equals(armed.victim)) {
				armed.record(observer, now, left.reason());
			}
			else if (armed != null && observer.equals(armed.victim)) {
				this.victimSideLeaves.increment();
			}
			else {
				this.unexpected.add(this.phase + ": " + observer + " saw " + subject + " leave (" + left.reason()
						+ ")");
			}
		}
	}

	/** Closes every node gracefully, several at a time; returns how long that took in ms. */
	double closeAll() throws InterruptedException {
		this.closing = true;
		this.frozen.clear();
		long t0 = System.nanoTime();
		ExecutorService pool = Executors.newFixedThreadPool(Math.min(8, this.size));
		List<Future<?>> futures = new ArrayList<>();
		for (Instance instance : this.instances) {
			if (instance != null) {
				futures.add(pool.submit(instance.node::close));
			}
		}
		for (Future<?> future : futures) {
			try {
				future.get(30, TimeUnit.SECONDS);
			}
			catch (Exception ex) {
				System.err.println("  ! closing a node failed: " + ex);
			}
		}
		pool.shutdown();
		pool.awaitTermination(10, TimeUnit.SECONDS);
		return (System.nanoTime() - t0) / 1e6;
	}

	@Override
	public void close() {
		if (this.closing) {
			return;
		}
		try {
			closeAll();
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
	}

	static int[] freePorts(int count) {
		List<ServerSocket> sockets = new ArrayList<>();
		try {
			int[] ports = new int[count];
			for (int i = 0; i < count; i++) {
				ServerSocket socket = new ServerSocket(0);
				sockets.add(socket);
				ports[i] = socket.getLocalPort();
			}
			return ports;
		}
		catch (IOException ex) {
			throw new IllegalStateException("cannot find free ports", ex);
		}
		finally {
			for (ServerSocket socket : sockets) {
				try {
					socket.close();
				}
				catch (IOException ex) {
					// ignore
				}
			}
		}
	}

	/** One running node process (a restart makes a new one). */
	private static final class Instance {

		final int index;

		volatile ClusterNode node;

		final AtomicInteger up = new AtomicInteger();

		volatile long fullAt;

		Instance(int index) {
			this.index = index;
		}

	}

	/** Detection times of one induced failure. */
	static final class Probe {

		final String victim;

		volatile long t0;

		final Map<String, Long> detectedAt = new ConcurrentHashMap<>();

		final Map<String, LeaveReason> reasons = new ConcurrentHashMap<>();

		final LongAdder duplicates = new LongAdder();

		private final List<String> observers;

		private final CountDownLatch latch;

		Probe(String victim, List<String> observers) {
			this.victim = victim;
			this.observers = List.copyOf(observers);
			this.latch = new CountDownLatch(observers.size());
		}

		void record(String observer, long now, LeaveReason reason) {
			if (this.detectedAt.putIfAbsent(observer, now) == null) {
				this.reasons.put(observer, reason);
				this.latch.countDown();
			}
			else {
				this.duplicates.increment();
			}
		}

		boolean await(Duration timeout) throws InterruptedException {
			return this.latch.await(timeout.toNanos(), TimeUnit.NANOSECONDS);
		}

		/** Detection delay per observer, in ms; infinite for an observer that never reported it. */
		Map<String, Double> delaysMillis() {
			Map<String, Double> delays = new TreeMap<>();
			for (String observer : this.observers) {
				Long at = this.detectedAt.get(observer);
				delays.put(observer, (at != null) ? (at - this.t0) / 1e6 : Double.POSITIVE_INFINITY);
			}
			return delays;
		}

		int seenBy() {
			return this.detectedAt.size();
		}

	}

}
