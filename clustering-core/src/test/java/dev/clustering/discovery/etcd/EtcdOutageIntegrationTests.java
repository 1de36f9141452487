package dev.clustering.discovery.etcd;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.etcd.jetcd.Client;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.slf4j.LoggerFactory;

import dev.clustering.discovery.DiscoveryContext;
import dev.clustering.discovery.Recorders;
import dev.clustering.membership.NodeAddress;
import dev.clustering.node.ClusterNode;
import dev.clustering.node.EngineEvent;

import static dev.clustering.discovery.etcd.EtcdRuntime.bytes;
import static dev.clustering.discovery.RegistryTestNodes.leader;
import static dev.clustering.discovery.RegistryTestNodes.names;
import static dev.clustering.discovery.RegistryTestNodes.token;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * etcd killed (SIGKILL) and started again on the same data mid-test: registrations are lost and
 * restored, discovery fails and recovers with a full answer, the election goes unknown and comes
 * back with the same leader and token (etcd keeps leases across a restart), the transport
 * membership never changes, and nothing escapes the strategy.
 */
class EtcdOutageIntegrationTests {

	private static final Duration TTL = EtcdSettings.MIN_TTL;

	private static final Duration BOUND = Duration.ofSeconds(40);

	private final List<AutoCloseable> open = new ArrayList<>();

	private final ListAppender<ILoggingEvent> log = new ListAppender<>();

	private EtcdServer etcd;

	private EtcdSettings settings;

	@BeforeEach
	void start(TestInfo test) throws Exception {
		this.etcd = EtcdServer.start();
		this.settings = new EtcdSettings("/outage-tests", test.getTestMethod().orElseThrow().getName(), TTL);
		this.log.start();
		((Logger) LoggerFactory.getLogger("dev.clustering.discovery.etcd")).addAppender(this.log);
	}

	@AfterEach
	void stop() throws Exception {
		((Logger) LoggerFactory.getLogger("dev.clustering.discovery.etcd")).detachAppender(this.log);
		Collections.reverse(this.open);
		for (AutoCloseable closeable : this.open) {
			closeable.close();
		}
		this.etcd.close();
	}

	/** One node's strategy, registered, watching and campaigning. */
	private final class Node {

		final Client client = EtcdOutageIntegrationTests.this.etcd.client();

		final EtcdStrategy strategy = new EtcdStrategy(this.client, EtcdOutageIntegrationTests.this.settings);

		final DiscoveryContext context;

		final Recorders.Registry registry = new Recorders.Registry();

		final Recorders.Discovery discovery = new Recorders.Discovery();

		final Recorders.Election election = new Recorders.Election();

		Node(String host) throws Exception {
			this.context = Recorders.context(host, 9401);
			EtcdOutageIntegrationTests.this.open.add(this.client);
			EtcdOutageIntegrationTests.this.open.add(this.strategy);
			EtcdOutageIntegrationTests.this.open.add(this.strategy.register(this.context, this.registry));
			EtcdOutageIntegrationTests.this.open.add(this.strategy.watch(this.context, this.discovery));
			EtcdOutageIntegrationTests.this.open.add(this.strategy.campaign(this.context, this.election));
		}

	}

	private static void figure(String what, long nanos) {
		System.out.printf("[etcd figure] %s: %.1f ms%n", what, nanos / 1_000_000.0);
	}

	private static boolean agree(List<Node> nodes) {
		Recorders.Election first = nodes.get(0).election;
		return first.leader() != null && nodes.stream()
			.allMatch((n) -> first.leader().equals(n.election.leader()) && first.token() == n.election.token());
	}

	@Test
	void strategiesRideOutAnEtcdRestart() throws Exception {
		List<Node> nodes = List.of(new Node("127.0.0.2"), new Node("127.0.0.3"), new Node("127.0.0.4"));
		Set<NodeAddress> all = nodes.stream().map((n) -> n.context.self().address()).collect(Collectors.toSet());
		await().atMost(BOUND).until(() -> agree(nodes) && nodes.stream().allMatch((n) -> all.equals(n.discovery.last())));
		String leader = nodes.get(0).election.leader();
		long token = nodes.get(0).election.token();
		Map<Node, Integer> answers = nodes.stream()
			.collect(Collectors.toMap((n) -> n, (n) -> n.discovery.answers.size()));

		this.etcd.kill();
		long killed = System.nanoTime();
		// past the TTL, nobody can vouch for anything
		await().atMost(BOUND).until(() -> nodes.stream().allMatch((n) -> n.registry.events.equals(List.of("lost"))
				&& n.election.isUnknown() && !n.discovery.failures.isEmpty()));
		figure("etcd killed to every node's registration lost and leadership unknown", System.nanoTime() - killed);
		assertThat(nodes).allSatisfy((n) -> assertThat(n.discovery.last()).as("the last answer stands").isEqualTo(all));
		Thread.sleep(TTL.toMillis());

		this.etcd.startProcess();
		long restarted = System.nanoTime();
		await().atMost(BOUND).until(() -> nodes.stream()
			.allMatch((n) -> n.registry.events.equals(List.of("lost", "restored"))));
		figure("etcd restarted to every registration restored", System.nanoTime() - restarted);
		await().atMost(BOUND).until(() -> agree(nodes));
		figure("etcd restarted to every candidate knowing the leader again", System.nanoTime() - restarted);
		await().atMost(BOUND).until(() -> nodes.stream()
			.allMatch((n) -> n.discovery.answers.size() > answers.get(n) && all.equals(n.discovery.last())));
		// etcd keeps leases across a restart: the same candidacy still leads
		assertThat(nodes.get(0).election.leader()).isEqualTo(leader);
		assertThat(nodes.get(0).election.token()).isEqualTo(token);
		Client admin = this.etcd.client();
		for (Node node : nodes) {
			assertThat(admin.getKVClient().get(bytes(this.settings.nodeKey(node.context.self().name())))
				.get()
				.getKvs()).hasSize(1);
			// every report was a leader or "unknown": never another leader in between
			assertThat(node.election.events).allSatisfy((e) -> {
				if (!e.unknown()) {
					assertThat(e.leader()).isEqualTo(leader);
				}
			});
		}
		assertThat(this.log.list).noneMatch((e) -> e.getLevel() == Level.ERROR);
	}

	@Test
	void clusterKeepsItsMembersAndRegainsItsLeaderAcrossAnEtcdRestart() throws Exception {
		EtcdTestNodes nodes = new EtcdTestNodes();
		this.open.add(nodes);
		List<ClusterNode> cluster = List.of(nodes.start(this.etcd, this.settings, "127.0.0.2"),
				nodes.start(this.etcd, this.settings, "127.0.0.3"), nodes.start(this.etcd, this.settings, "127.0.0.4"));
		await().atMost(BOUND).until(() -> cluster.stream().allMatch((n) -> names(n).size() == 2
				&& leader(n) != null && leader(n).equals(leader(cluster.get(0)))));
		String leader = leader(cluster.get(0));
		long token = token(cluster.get(0));

		this.etcd.kill();
		await().atMost(BOUND).until(() -> cluster.stream()
			.allMatch((n) -> leader(n) == null && !nodes.events(n, EngineEvent.RegistryDisconnected.class).isEmpty()));
		assertThat(cluster).allSatisfy((n) -> {
			assertThat(names(n)).as("the transport membership is kept").hasSize(2);
			assertThat(n.leadership().isLeader()).isFalse();
		});
		Thread.sleep(TTL.toMillis());

		this.etcd.startProcess();
		await().atMost(BOUND).until(() -> cluster.stream().allMatch((n) -> leader(n) != null
				&& !nodes.events(n, EngineEvent.RegistryReconnected.class).isEmpty()));
		assertThat(cluster).allSatisfy((n) -> {
			assertThat(leader(n)).isEqualTo(leader);
			assertThat(token(n)).isEqualTo(token);
			assertThat(names(n)).hasSize(2);
			assertThat(n.isRunning()).isTrue();
		});
		assertThat(this.log.list).noneMatch((e) -> e.getLevel() == Level.ERROR);
	}

}
