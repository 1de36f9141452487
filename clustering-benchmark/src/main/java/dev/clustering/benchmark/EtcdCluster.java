package dev.clustering.benchmark;

import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;

import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.KV;


import dev.clustering.detection.FailureDetectorSettings;
import dev.clustering.discovery.DiscoveryContext;
import dev.clustering.discovery.DiscoveryListener;
import dev.clustering.discovery.ElectionCapable;
import dev.clustering.discovery.RegistryListener;
import dev.clustering.discovery.RegistryStrategy;
import dev.clustering.discovery.etcd.EtcdSettings;
import dev.clustering.discovery.etcd.EtcdStrategy;
import dev.clustering.leadership.LeaderInfo;
import dev.clustering.membership.LocalNode;
import dev.clustering.membership.NodeAddress;
import dev.clustering.node.ClusterNode;
import dev.clustering.node.EngineEvent;

/**
 * Three (or more) nodes on 127.0.0.1 with an {@code etcd} topology, each with its own jetcd client
 * and {@link EtcdStrategy}, as separate processes would have. The strategy is wrapped so that the
 * engine's {@code nodeCrashed} (revoke a dead peer's leases at once) can be switched off, to measure
 * failover on the lease TTL alone, and so that every discovery answer the strategy reports is timed.
 * The client is wrapped so that the moment etcd acknowledged each node's registration put is known.
 */
final class EtcdCluster implements AutoCloseable {

	static final String HOST = BenchCluster.HOST;

	static final String TOPOLOGY = "bench-etcd";

	private static final char[] COOKIE = "clustering-benchmark-cookie".toCharArray();

	final int size;

	private final EtcdProcess etcd;

	private final EtcdSettings settings;

	private final FailureDetectorSettings detector;

	private final String[] names;

	private final String[] fullNames;

	private final int[] ports;

	private final ClusterNode[] nodes;

	private final Client[] clients;

	private final EtcdStrategy[] strategies;

	private final int[] generations;

	/** Whether the wrapped strategies pass the engine's nodeCrashed on (revoke the dead node's leases). */
	volatile boolean revoke = true;

	final AtomicInteger crashCallsForwarded = new AtomicInteger();

	final AtomicInteger crashCallsDropped = new AtomicInteger();

	/** Every event, discovery answer and registration put acknowledgement, in arrival order. */
	private final EventLog<Rec> events = new EventLog<>();

	EtcdCluster(int size, EtcdProcess etcd, Duration ttl, FailureDetectorSettings detector) {
		this.size = size;
		this.etcd = etcd;
		this.settings = new EtcdSettings("/clustering-benchmark", "bench", ttl);
		this.detector = detector;
		this.names = new String[size];
		this.fullNames = new String[size];
		this.ports = BenchCluster.freePorts(size);
		this.nodes = new ClusterNode[size];
		this.clients = new Client[size];
		this.strategies = new EtcdStrategy[size];
		this.generations = new int[size];
		for (int i = 0; i < size; i++) {
			this.names[i] = "n" + (i + 1);
			this.fullNames[i] = LocalNode.nodeName(this.names[i], HOST);
		}
	}

	EtcdSettings settings() {
		return this.settings;
	}

	void startAll() throws InterruptedException {
		for (int i = 0; i < this.size; i++) {
			start(i);
		}
	}

	/**
	 * Starts a fresh process for the node (same name and port), retrying while the port is busy.
	 * @return nanoTime just before {@code start()}
	 */
	long start(int index) throws InterruptedException {
		RuntimeException last = null;
		for (int attempt = 0; attempt < 100; attempt++) {
			try {
				return startOnce(index);
			}
			catch (IllegalStateException ex) {
				last = ex;
				Thread.sleep(50);
			}
		}
		throw last;
	}

	private synchronized long startOnce(int index) {
		int generation = ++this.generations[index];
		String key = this.settings.nodeKey(this.fullNames[index]);
		Client client = timedClient(Client.builder().endpoints(this.etcd.endpoint()).waitForReady(false).build(), key,
				index, generation);
		EtcdStrategy strategy = new EtcdStrategy(client, this.settings);
		ClusterNode node;
		try {
			node = ClusterNode.builder()
				.name(this.names[index])
				.host(HOST)
				.port(this.ports[index])
				.cookie(COOKIE)
				.failureDetector(this.detector)
				.topology(TOPOLOGY, EtcdStrategy.NAME, new Switchable(strategy, index, generation), Duration.ofSeconds(5))
				.listener((event) -> record(index, generation, event))
				.build();
			long t = System.nanoTime();
			node.start();
			this.nodes[index] = node;
			this.clients[index] = client;
			this.strategies[index] = strategy;
			return t;
		}
		catch (RuntimeException ex) {
			strategy.close();
			client.close();
			throw ex;
		}
	}

	/**
	 * Crashes a node as a killed process: its etcd client goes without revoking anything, then its
	 * connections close without a goodbye. Returns nanoTime taken just before.
	 */
	long crash(int index) {
		long t0 = System.nanoTime();
		this.clients[index].close();
		this.nodes[index].halt();
		this.strategies[index].close();
		return t0;
	}

	/** Stops a node gracefully ({@code close()}: resigns, deregisters, says goodbye), then its strategy and client. */
	void stop(int index) {
		this.nodes[index].close();
		this.strategies[index].close();
		this.clients[index].close();
	}

	ClusterNode node(int index) {
		return this.nodes[index];
	}

	String fullName(int index) {
		return this.fullNames[index];
	}

	NodeAddress address(int index) {
		return new NodeAddress(HOST, this.ports[index]);
	}

	int index(String fullName) {
		for (int i = 0; i < this.size; i++) {
			if (this.fullNames[i].equals(fullName)) {
				return i;
			}
		}
		return -1;
	}

	int generation(int index) {
		synchronized (this) {
			return this.generations[index];
		}
	}

	List<Integer> others(int index) {
		List<Integer> others = new ArrayList<>();
		for (int i = 0; i < this.size; i++) {
			if (i != index) {
				others.add(i);
			}
		}
		return others;
	}

	/** Whether every node runs and sees all the others up. */
	boolean whole() {
		for (ClusterNode node : this.nodes) {
			if (node == null || !node.isRunning() || node.members().size() != this.size - 1) {
				return false;
			}
		}
		return true;
	}

	/** The leader all nodes agree on (same name and token), provided only that node says it leads; else null. */
	LeaderInfo agreedLeader() {
		LeaderInfo agreed = null;
		for (ClusterNode node : this.nodes) {
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
		for (int i = 0; i < this.size; i++) {
			if (this.nodes[i].leadership().isLeader() != this.fullNames[i].equals(agreed.name())) {
				return null;
			}
		}
		return agreed;
	}

	int mark() {
		return this.events.mark();
	}

	List<Rec> since(int mark) {
		return this.events.since(mark);
	}

	private void record(int index, int generation, Object what) {
		this.events.add(new Rec(System.nanoTime(), index, generation, what));
	}

	@Override
	public void close() {
		this.events.close();
		for (int i = 0; i < this.size; i++) {
			try {
				if (this.nodes[i] != null && this.nodes[i].isRunning()) {
					this.nodes[i].close();
				}
			}
			catch (RuntimeException ex) {
				// closing what a run left half-open
			}
			if (this.strategies[i] != null) {
				this.strategies[i].close();
			}
			if (this.clients[i] != null) {
				this.clients[i].close();
			}
		}
	}

	/** One record: an {@link EngineEvent}, a {@link Discovered} answer or a {@link PutAck}. */
	record Rec(long nanos, int node, int generation, Object what) {
	}

	/** The strategy reported this set of addresses to the engine. */
	record Discovered(Set<NodeAddress> addresses) {
	}

	/** etcd acknowledged the put of this node's registration key. */
	record PutAck(long calledAt) {
	}

	/** A jetcd client whose KV put of {@code key} is timed (call and acknowledgement). */
	private Client timedClient(Client client, String key, int index, int generation) {
		ByteSequence keyBytes = ByteSequence.from(key, StandardCharsets.UTF_8);
		KV kv = client.getKVClient();
		InvocationHandler kvHandler = (proxy, method, args) -> {
			long calledAt = System.nanoTime();
			Object result = invoke(kv, method, args);
			if (method.getName().equals("put") && args != null && args.length > 0 && keyBytes.equals(args[0])
					&& result instanceof CompletableFuture<?> future) {
				future.whenComplete((response, error) -> {
					if (error == null) {
						record(index, generation, new PutAck(calledAt));
					}
				});
			}
			return result;
		};
		KV timedKv = (KV) Proxy.newProxyInstance(KV.class.getClassLoader(), new Class<?>[] { KV.class }, kvHandler);
		InvocationHandler clientHandler = (proxy, method, args) -> method.getName().equals("getKVClient")
				&& method.getParameterCount() == 0 ? timedKv : invoke(client, method, args);
		return (Client) Proxy.newProxyInstance(Client.class.getClassLoader(), new Class<?>[] { Client.class },
				clientHandler);
	}

	private static Object invoke(Object target, Method method, Object[] args) throws Throwable {
		try {
			return method.invoke(target, args);
		}
		catch (InvocationTargetException ex) {
			throw ex.getCause();
		}
	}

	/**
	 * The node's {@link EtcdStrategy}, with nodeCrashed passed on only while {@link #revoke} is on,
	 * and every discovery answer timed on its way to the engine.
	 */
	private final class Switchable implements RegistryStrategy, ElectionCapable, AutoCloseable {

		private final EtcdStrategy delegate;

		private final int index;

		private final int generation;

		Switchable(EtcdStrategy delegate, int index, int generation) {
			this.delegate = delegate;
			this.index = index;
			this.generation = generation;
		}

		@Override
		public AutoCloseable register(DiscoveryContext context, RegistryListener listener) throws Exception {
			return this.delegate.register(context, listener);
		}

		@Override
		public AutoCloseable watch(DiscoveryContext context, DiscoveryListener listener) throws Exception {
			return this.delegate.watch(context, new DiscoveryListener() {

				@Override
				public void discovered(Set<NodeAddress> addresses) {
					record(Switchable.this.index, Switchable.this.generation, new Discovered(Set.copyOf(addresses)));
					listener.discovered(addresses);
				}

				@Override
				public void failed(Throwable error) {
					listener.failed(error);
				}

			});
		}

		@Override
		public void refresh() {
			this.delegate.refresh();
		}

		@Override
		public AutoCloseable campaign(DiscoveryContext context, ElectionListener listener) throws Exception {
			return this.delegate.campaign(context, listener);
		}

		@Override
		public void nodeCrashed(DiscoveryContext context, String nodeName) {
			if (EtcdCluster.this.revoke) {
				EtcdCluster.this.crashCallsForwarded.incrementAndGet();
				this.delegate.nodeCrashed(context, nodeName);
			}
			else {
				EtcdCluster.this.crashCallsDropped.incrementAndGet();
			}
		}

		@Override
		public void close() {
			this.delegate.close();
		}

		@Override
		public String toString() {
			return this.delegate.toString();
		}

	}

}
