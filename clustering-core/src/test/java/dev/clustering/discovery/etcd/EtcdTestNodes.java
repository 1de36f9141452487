package dev.clustering.discovery.etcd;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

import io.etcd.jetcd.Client;


import dev.clustering.discovery.TopologyStatus;
import dev.clustering.leadership.LeaderInfo;
import dev.clustering.membership.Member;
import dev.clustering.node.ClusterNode;
import dev.clustering.node.EngineEvent;

/**
 * Real nodes in this JVM, each on its own loopback address with an etcd topology ({@code prod}) of
 * its own client and strategy; records their events and closes what it started.
 */
final class EtcdTestNodes implements AutoCloseable {

	static final String TOPOLOGY = "prod";

	private final List<AutoCloseable> open = new ArrayList<>();

	private final Map<ClusterNode, Client> clients = new ConcurrentHashMap<>();

	private final Map<ClusterNode, EtcdStrategy> strategies = new ConcurrentHashMap<>();

	final Map<String, List<EngineEvent>> events = new ConcurrentHashMap<>();

	ClusterNode start(EtcdServer etcd, EtcdSettings settings, String host) {
		Client client = etcd.client();
		EtcdStrategy strategy = new EtcdStrategy(client, settings);
		List<EngineEvent> log = new CopyOnWriteArrayList<>();
		ClusterNode node = ClusterNode.builder()
			.name("app")
			.host(host)
			.port(0)
			.cookie("s3cret".toCharArray())
			.topology(TOPOLOGY, EtcdStrategy.NAME, strategy, Duration.ofSeconds(5))
			.listener(log::add)
			.build();
		this.open.add(client);
		this.open.add(strategy);
		this.open.add(node);
		node.start();
		this.events.put(node.self().name(), log);
		this.clients.put(node, client);
		this.strategies.put(node, strategy);
		return node;
	}

	/** The node's process dies: its etcd client goes without revoking anything, its connections close. */
	void crash(ClusterNode node) {
		this.clients.get(node).close();
		node.halt();
		this.strategies.get(node).close();
	}

	static List<String> names(ClusterNode node) {
		return node.members().stream().map(Member::name).sorted().toList();
	}

	static TopologyStatus status(ClusterNode node) {
		return node.topologies().get(0);
	}

	static String leader(ClusterNode node) {
		return node.leadership().leader().map(LeaderInfo::name).orElse(null);
	}

	static long token(ClusterNode node) {
		return node.leadership().leader().map(LeaderInfo::fencingToken).orElse(0L);
	}

	<T extends EngineEvent> List<T> events(ClusterNode node, Class<T> type) {
		return this.events.getOrDefault(node.self().name(), List.of())
			.stream()
			.filter(type::isInstance)
			.map(type::cast)
			.toList();
	}

	@Override
	public void close() {
		Collections.reverse(this.open);
		for (AutoCloseable closeable : this.open) {
			try {
				closeable.close();
			}
			catch (Exception ex) {
				// closing what a test left half-open
			}
		}
	}

}
