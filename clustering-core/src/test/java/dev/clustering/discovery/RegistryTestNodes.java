package dev.clustering.discovery;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

import dev.clustering.leadership.LeaderInfo;
import dev.clustering.membership.Member;
import dev.clustering.node.ClusterNode;
import dev.clustering.node.ClusterNodeBuilder;
import dev.clustering.node.EngineEvent;
import dev.clustering.singleton.ClusterSingleton;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Real nodes in this JVM, each on its own loopback address with a registry topology ({@code prod})
 * whose strategy the test builds for it (its own client, as a separate process would have); records
 * their events, crashes a node as a killed process would die, and closes what it started.
 */
public final class RegistryTestNodes implements AutoCloseable {

	/** The topology's name. */
	public static final String TOPOLOGY = "prod";

	private final List<AutoCloseable> open = new ArrayList<>();

	private final Map<ClusterNode, Runnable> deaths = new ConcurrentHashMap<>();

	private final Map<String, List<EngineEvent>> events = new ConcurrentHashMap<>();

	/**
	 * Starts a node named {@code app@<host>}.
	 * @param host its loopback address
	 * @param strategyName the strategy's name
	 * @param strategy its strategy
	 * @param death what else ends when its process dies (its registry client, unannounced), or
	 * {@code null}
	 * @param singletons the singletons it hosts, by name
	 * @param resources closed after the node, in reverse order (client, strategy)
	 * @return the started node
	 */
	public ClusterNode start(String host, String strategyName, DiscoveryStrategy strategy, Runnable death,
			Map<String, ClusterSingleton> singletons, AutoCloseable... resources) {
		List<EngineEvent> log = new CopyOnWriteArrayList<>();
		ClusterNodeBuilder builder = ClusterNode.builder()
			.name("app")
			.host(host)
			.port(0)
			.cookie("s3cret".toCharArray())
			.topology(TOPOLOGY, strategyName, strategy, Duration.ofSeconds(5))
			.listener(log::add);
		singletons.forEach(builder::singleton);
		ClusterNode node = builder.build();
		this.open.addAll(List.of(resources));
		this.open.add(node);
		node.start();
		this.events.put(node.self().name(), log);
		this.deaths.put(node, (death != null) ? death : () -> {
		});
		return node;
	}

	/**
	 * The node's process dies: what dies with it goes first (its registry client, without a word),
	 * then its connections close without a goodbye.
	 * @param node the node
	 */
	public void crash(ClusterNode node) {
		this.deaths.get(node).run();
		node.halt();
	}

	/**
	 * The events a node's listeners heard, of one kind.
	 * @param <T> the kind
	 * @param node the node
	 * @param type the kind
	 * @return the events, in order
	 */
	public <T extends EngineEvent> List<T> events(ClusterNode node, Class<T> type) {
		return this.events.getOrDefault(node.self().name(), List.of())
			.stream()
			.filter(type::isInstance)
			.map(type::cast)
			.toList();
	}

	/**
	 * Waits until every node sees all the others as members and all agree on one leader and token
	 * (and, with {@code oneLeads}, exactly one of them says it leads).
	 * @param cluster the nodes
	 * @param bound how long to wait
	 * @param oneLeads whether to wait for the leader's own lease too
	 */
	public static void awaitFormed(List<ClusterNode> cluster, Duration bound, boolean oneLeads) {
		await().atMost(bound).untilAsserted(() -> {
			for (ClusterNode node : cluster) {
				List<String> others = cluster.stream()
					.filter((n) -> n != node)
					.map((n) -> n.self().name())
					.sorted()
					.toList();
				assertThat(names(node)).isEqualTo(others);
				assertThat(leader(node)).isNotNull().isEqualTo(leader(cluster.get(0)));
				assertThat(token(node)).isEqualTo(token(cluster.get(0)));
			}
			if (oneLeads) {
				assertThat(cluster.stream().filter((n) -> n.leadership().isLeader())).hasSize(1);
			}
		});
	}

	/**
	 * The node the first node sees as leader.
	 * @param cluster the nodes
	 * @return that node
	 */
	public static ClusterNode leaderOf(List<ClusterNode> cluster) {
		return cluster.stream().filter((n) -> n.self().name().equals(leader(cluster.get(0)))).findFirst().orElseThrow();
	}

	public static List<String> names(ClusterNode node) {
		return node.members().stream().map(Member::name).sorted().toList();
	}

	public static TopologyStatus status(ClusterNode node) {
		return node.topologies().get(0);
	}

	public static String leader(ClusterNode node) {
		return node.leadership().leader().map(LeaderInfo::name).orElse(null);
	}

	public static long token(ClusterNode node) {
		return node.leadership().leader().map(LeaderInfo::fencingToken).orElse(0L);
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
		this.open.clear();
	}

}
