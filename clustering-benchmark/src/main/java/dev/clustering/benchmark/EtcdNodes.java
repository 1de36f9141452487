package dev.clustering.benchmark;

import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.KV;

import dev.clustering.discovery.DiscoveryContext;
import dev.clustering.discovery.DiscoveryListener;
import dev.clustering.discovery.ElectionCapable;
import dev.clustering.discovery.RegistryListener;
import dev.clustering.discovery.RegistryStrategy;
import dev.clustering.discovery.etcd.EtcdSettings;
import dev.clustering.discovery.etcd.EtcdStrategy;
import dev.clustering.membership.LocalNode;
import dev.clustering.membership.NodeAddress;
import dev.clustering.test.LoopbackCluster;

/**
 * The {@link EtcdScenario}'s nodes as separate processes would have them: each node's own jetcd client
 * and {@link EtcdStrategy}, by short name, made again for each start; a timed log of every discovery
 * answer and registration put acknowledgement; and a switch that holds the engine's {@code nodeCrashed}
 * back (a crash on the TTL alone), counting the calls passed on and held back. A node's crash, stop and
 * start close and make its client and strategy around the cluster's kill, stop and restart.
 */
final class EtcdNodes {

	/** Each node's client and strategy, by short name. */
	private final Map<String, EtcdNode> nodes = new ConcurrentHashMap<>();

	/** Every discovery answer and registration put acknowledgement, in arrival order. */
	final List<Rec> log = new CopyOnWriteArrayList<>();

	/** Whether the nodes' strategies pass the engine's nodeCrashed on (revoke the dead node's leases). */
	volatile boolean revoke = true;

	final AtomicInteger crashCallsForwarded = new AtomicInteger();

	final AtomicInteger crashCallsDropped = new AtomicInteger();

	/** One record of a node's strategy or client: a {@link Discovered} answer or a {@link PutAck}. */
	record Rec(long nanos, String node, Object what) {
	}

	/** The strategy reported this set of addresses to the engine. */
	record Discovered(Set<NodeAddress> addresses) {
	}

	/** etcd acknowledged the put of this node's registration key. */
	record PutAck(long calledAt) {
	}

	/** A node's topology for its first start: its own client and strategy, timed. */
	RegistryStrategy open(String name, String endpoint, EtcdSettings settings) {
		return this.nodes.computeIfAbsent(name, (n) -> new EtcdNode(n, endpoint, settings)).open();
	}

	/**
	 * Crashes a node as a killed process: its etcd client goes without revoking anything, then its
	 * connections close without a goodbye. Returns nanoTime taken just before.
	 */
	long crash(LoopbackCluster c, String name) {
		long t0 = System.nanoTime();
		EtcdNode node = this.nodes.get(name);
		node.client.close();
		c.kill(name);
		node.strategy.close();
		return t0;
	}

	/** Stops a node gracefully ({@code close()}: resigns, deregisters, says goodbye), then its strategy and client. */
	void stop(LoopbackCluster c, String name) {
		c.stop(name);
		this.nodes.get(name).close();
	}

	/**
	 * Starts a new process for the node (same name and port, a new client and strategy).
	 * @return nanoTime just before {@code start()}
	 */
	long start(LoopbackCluster c, String name) throws InterruptedException {
		this.nodes.get(name).open();
		long t0 = System.nanoTime();
		c.restart(name);
		return t0;
	}

	/** Closes every node's strategy and client. */
	void close() {
		this.nodes.values().forEach(EtcdNode::close);
	}

	private void record(String node, Object what) {
		this.log.add(new Rec(System.nanoTime(), node, what));
	}

	/**
	 * A node's own jetcd client and {@link EtcdStrategy}, as a separate process would have, made
	 * again for each start of the node: the engine's {@code nodeCrashed} is passed on only while
	 * {@link #revoke} is on, every discovery answer is timed on its way to the engine, and the client
	 * times the put of the node's registration key.
	 */
	private final class EtcdNode implements RegistryStrategy, ElectionCapable {

		private final String name;

		private final String endpoint;

		private final EtcdSettings settings;

		private volatile Client client;

		private volatile EtcdStrategy strategy;

		EtcdNode(String name, String endpoint, EtcdSettings settings) {
			this.name = name;
			this.endpoint = endpoint;
			this.settings = settings;
		}

		/** A new client and strategy, for the next start of the node. */
		EtcdNode open() {
			String key = this.settings.nodeKey(LocalNode.nodeName(this.name, "127.0.0.1"));
			this.client = timedClient(Client.builder().endpoints(this.endpoint).waitForReady(false).build(), key);
			this.strategy = new EtcdStrategy(this.client, this.settings);
			return this;
		}

		void close() {
			this.strategy.close();
			this.client.close();
		}

		@Override
		public AutoCloseable register(DiscoveryContext context, RegistryListener listener) throws Exception {
			return this.strategy.register(context, listener);
		}

		@Override
		public AutoCloseable watch(DiscoveryContext context, DiscoveryListener listener) throws Exception {
			return this.strategy.watch(context, new DiscoveryListener() {

				@Override
				public void discovered(Set<NodeAddress> addresses) {
					record(EtcdNode.this.name, new Discovered(Set.copyOf(addresses)));
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
			this.strategy.refresh();
		}

		@Override
		public AutoCloseable campaign(DiscoveryContext context, ElectionListener listener) throws Exception {
			return this.strategy.campaign(context, listener);
		}

		@Override
		public void nodeCrashed(DiscoveryContext context, String nodeName) {
			if (EtcdNodes.this.revoke) {
				EtcdNodes.this.crashCallsForwarded.incrementAndGet();
				this.strategy.nodeCrashed(context, nodeName);
			}
			else {
				EtcdNodes.this.crashCallsDropped.incrementAndGet();
			}
		}

		/** A jetcd client whose KV put of {@code key} is timed (call and acknowledgement). */
		private Client timedClient(Client client, String key) {
			ByteSequence keyBytes = ByteSequence.from(key, StandardCharsets.UTF_8);
			KV kv = client.getKVClient();
			InvocationHandler kvHandler = (proxy, method, args) -> {
				long calledAt = System.nanoTime();
				Object result = invoke(kv, method, args);
				if (method.getName().equals("put") && args != null && args.length > 0 && keyBytes.equals(args[0])
						&& result instanceof CompletableFuture<?> future) {
					future.whenComplete((response, error) -> {
						if (error == null) {
							record(this.name, new PutAck(calledAt));
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

	}

	private static Object invoke(Object target, Method method, Object[] args) throws Throwable {
		try {
			return method.invoke(target, args);
		}
		catch (InvocationTargetException ex) {
			throw ex.getCause();
		}
	}

}
