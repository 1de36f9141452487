package dev.clustering.discovery.zookeeper;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;

import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.retry.ExponentialBackoffRetry;
import org.apache.curator.test.TestingServer;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.data.Stat;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.extension.ExtendWith;

import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;

import dev.clustering.discovery.DiscoveryContext;
import dev.clustering.discovery.ElectionCapable;
import dev.clustering.discovery.FreezableProxy;
import dev.clustering.discovery.Recorders;
import dev.clustering.discovery.NodeRecord;
import dev.clustering.membership.NodeAddress;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The ZooKeeper strategy against a real ZooKeeper server (Curator's {@link TestingServer}, in
 * process, with a 2 s session): registration, discovery by watch, the election and its fencing
 * tokens, a crash reported by a survivor, a frozen leader whose leadership runs out by the clock,
 * garbage under the members' path, and the server restarted under the nodes.
 */
@ExtendWith(OutputCaptureExtension.class)
class ZooKeeperStrategyIntegrationTests extends SharedZooKeeper {

	private static final Duration BOUND = Duration.ofSeconds(20);

	private final List<AutoCloseable> open = new ArrayList<>();

	private ZooKeeperSettings settings;

	@BeforeEach
	void settings(TestInfo test) {
		this.settings = new ZooKeeperSettings("/zk-tests", test.getTestMethod().orElseThrow().getName());
	}

	@AfterEach
	void closeAll() throws Exception {
		Collections.reverse(this.open);
		for (AutoCloseable closeable : this.open) {
			try {
				closeable.close();
			}
			catch (Exception ex) {
				// what a test left half-open
			}
		}
	}

	/** One node: its own client (through a proxy that can freeze it), strategy and handles. */
	private final class Node {

		final FreezableProxy proxy;

		final CuratorFramework client;

		final ZooKeeperStrategy strategy;

		final DiscoveryContext context;

		final Recorders.Election election = new Recorders.Election();

		final Recorders.Registry registry = new Recorders.Registry();

		final Recorders.Discovery discovery = new Recorders.Discovery();

		AutoCloseable registration;

		AutoCloseable watch;

		ElectionCapable.Campaign campaign;

		Node(String host) throws IOException {
			this.proxy = proxy();
			this.client = client(this.proxy, SESSION_MS);
			this.strategy = strategy(this.client, ZooKeeperStrategyIntegrationTests.this.settings, SESSION_MS);
			this.context = Recorders.context(host, 9401);
			ZooKeeperStrategyIntegrationTests.this.open.add(this.proxy);
			ZooKeeperStrategyIntegrationTests.this.open.add(this.client);
			ZooKeeperStrategyIntegrationTests.this.open.add(this.strategy);
		}

		Node all() {
			return register().watch().campaign();
		}

		Node register() {
			this.registration = this.strategy.register(this.context, this.registry);
			ZooKeeperStrategyIntegrationTests.this.open.add(this.registration);
			return this;
		}

		Node watch() {
			this.watch = this.strategy.watch(this.context, this.discovery);
			ZooKeeperStrategyIntegrationTests.this.open.add(this.watch);
			return this;
		}

		Node campaign() {
			this.campaign = (ElectionCapable.Campaign) this.strategy.campaign(this.context, this.election);
			ZooKeeperStrategyIntegrationTests.this.open.add(this.campaign);
			return this;
		}

		String name() {
			return this.context.self().name();
		}

		NodeAddress address() {
			return this.context.self().address();
		}

		boolean leads() {
			return this.name().equals(this.election.leader())
					&& this.campaign.leadsUntilNanos(this.election.token()) - System.nanoTime() > 0;
		}

		/** Dies: its connections are reset and nothing more reaches ZooKeeper; its session stays until it expires. */
		void crash() {
			this.strategy.close();
			cutOff(this.proxy, this.client);
		}

	}

	private List<Node> three() throws IOException {
		return List.of(new Node("127.0.0.2").all(), new Node("127.0.0.3").all(), new Node("127.0.0.4").all());
	}

	private static Node awaitLeader(List<Node> nodes) {
		Node[] leader = new Node[1];
		await().atMost(BOUND).until(() -> {
			List<Node> leading = nodes.stream().filter(Node::leads).toList();
			if (leading.size() != 1) {
				return false;
			}
			String name = leading.get(0).name();
			long token = leading.get(0).election.token();
			leader[0] = leading.get(0);
			return nodes.stream().allMatch((n) -> name.equals(n.election.leader()) && n.election.token() == token);
		});
		return leader[0];
	}

	private CuratorFramework admin() {
		CuratorFramework client = CuratorFrameworkFactory.newClient(server.getConnectString(),
				new ExponentialBackoffRetry(50, 10));
		client.start();
		this.open.add(client);
		return client;
	}

	@Test
	void everyNodeRegistersAnEphemeralZnodeWithItsRecordAndHearsEveryAddress() throws Exception {
		List<Node> nodes = three();
		Set<NodeAddress> all = Set.of(nodes.get(0).address(), nodes.get(1).address(), nodes.get(2).address());
		await().atMost(BOUND).until(() -> nodes.stream().allMatch((n) -> all.equals(n.discovery.last())));
		CuratorFramework admin = admin();
		Node first = nodes.get(0);
		Stat stat = new Stat();
		byte[] data = admin.getData().storingStatIn(stat).forPath(this.settings.memberPath(first.name()));
		NodeRecord record = NodeRecord.parse(new String(data, StandardCharsets.UTF_8));
		assertThat(record.name()).isEqualTo(first.name());
		assertThat(record.address()).isEqualTo(first.address());
		assertThat(record.metadata()).containsEntry("zone", "z-127.0.0.2");
		assertThat(stat.getEphemeralOwner()).isNotZero();
		assertThat(nodes).allSatisfy((n) -> assertThat(n.registry.events).isEmpty());
	}

	@Test
	void aGracefulStopDeletesTheZnodeAndTheOthersHearItAtOnce() throws Exception {
		List<Node> nodes = three();
		Node leaving = nodes.get(2);
		await().atMost(BOUND).until(() -> nodes.get(0).discovery.last() != null
				&& nodes.get(0).discovery.last().contains(leaving.address()));
		long closed = System.nanoTime();
		leaving.registration.close();
		await().atMost(BOUND).until(() -> nodes.get(0).discovery.firstWithout(leaving.address(), closed) > 0);
		// far sooner than the session would have expired
		assertThat(nodes.get(0).discovery.firstWithout(leaving.address(), closed) - closed)
			.isLessThan(Duration.ofMillis(SESSION_MS).toNanos());
		assertThat(admin().checkExists().forPath(this.settings.memberPath(leaving.name()))).isNull();
	}

	@Test
	void everyCandidateHearsTheSameLeaderWhoseTokenIsItsZnodesCreationZxid() throws Exception {
		List<Node> nodes = three();
		Node leader = awaitLeader(nodes);
		CuratorFramework admin = admin();
		// the candidacy created first leads
		long czxid = Long.MAX_VALUE;
		for (String child : admin.getChildren().forPath(this.settings.electionPath())) {
			czxid = Math.min(czxid, admin.checkExists().forPath(this.settings.electionPath() + "/" + child).getCzxid());
		}
		assertThat(leader.election.token()).isEqualTo(czxid);
		assertThat(nodes.stream().filter(Node::leads)).containsExactly(leader);
	}

	@Test
	void aResigningLeaderIsReplacedAtOnceWithALargerToken() throws Exception {
		List<Node> nodes = three();
		Node leader = awaitLeader(nodes);
		long token = leader.election.token();
		leader.campaign.close();
		List<Node> rest = nodes.stream().filter((n) -> n != leader).toList();
		Node next = awaitLeader(rest);
		assertThat(next.election.token()).isGreaterThan(token);
		assertThat(leader.campaign.leadsUntilNanos(token)).isEqualTo(Long.MIN_VALUE);
	}

	@Test
	void aCrashedLeadersZnodesGoAtOnceWhenASurvivorReportsTheCrash(CapturedOutput output) throws Exception {
		List<Node> nodes = three();
		Node leader = awaitLeader(nodes);
		long token = leader.election.token();
		List<Node> rest = nodes.stream().filter((n) -> n != leader).toList();
		leader.crash();
		long reported = System.nanoTime();
		rest.get(0).strategy.nodeCrashed(rest.get(0).context, leader.name());
		Node next = awaitLeader(rest);
		assertThat(next.election.token()).isGreaterThan(token);
		// well before its session could have expired
		assertThat(System.nanoTime() - reported).isLessThan(Duration.ofMillis(SESSION_MS).toNanos());
		await().atMost(BOUND).until(() -> rest.get(1).discovery.last() != null
				&& !rest.get(1).discovery.last().contains(leader.address()));
		assertThat(output.getOut()).contains("[prod] deleted 2 znode(s) of crashed node " + leader.name());
	}

	@Test
	void aCrashedNodesZnodesGoWhenItsSessionExpires() throws Exception {
		List<Node> nodes = three();
		Node leader = awaitLeader(nodes);
		long token = leader.election.token();
		List<Node> rest = nodes.stream().filter((n) -> n != leader).toList();
		leader.crash();
		Node next = awaitLeader(rest);
		assertThat(next.election.token()).isGreaterThan(token);
		await().atMost(BOUND).until(() -> !rest.get(0).discovery.last().contains(leader.address()));
	}

	@Test
	void aFrozenLeaderStopsLeadingByTheClockBeforeAnotherLeads() throws Exception {
		List<Node> nodes = three();
		Node leader = awaitLeader(nodes);
		long token = leader.election.token();
		List<Node> rest = nodes.stream().filter((n) -> n != leader).toList();
		leader.proxy.freeze();
		// nothing answers it any more: what it may still claim cannot grow
		Thread.sleep(100);
		long vouchedUntil = leader.campaign.leadsUntilNanos(token);
		Node next = awaitLeader(rest);
		long nextAt = next.election.firstLeaderOtherThan(leader.name(), 0).nanos();
		assertThat(next.election.token()).isGreaterThan(token);
		assertThat(vouchedUntil).isLessThan(nextAt);
		assertThat(leader.campaign.leadsUntilNanos(token)).isLessThan(System.nanoTime());
		leader.proxy.thaw();
		// back, it learns of the new leader and queues again behind it
		await().atMost(BOUND).until(() -> next.name().equals(leader.election.leader()));
		assertThat(leader.leads()).isFalse();
	}

	@Test
	void aRestartedNodeDeletesTheCandidacyItsEarlierProcessLeft() throws Exception {
		Node first = new Node("127.0.0.2").all();
		awaitLeader(List.of(first));
		long token = first.election.token();
		first.proxy.freeze();
		Node again = new Node("127.0.0.2").all();
		// it need not wait for the frozen process's session to expire
		await().atMost(Duration.ofMillis(SESSION_MS)).until(() -> again.leads() && again.election.token() > token);
		first.proxy.thaw();
	}

	@Test
	void znodesThatAreNotRegistrationsOfTheirNodeAreSkipped(CapturedOutput output) throws Exception {
		Node node = new Node("127.0.0.2").register().watch();
		await().atMost(BOUND).until(() -> Set.of(node.address()).equals(node.discovery.last()));
		CuratorFramework admin = admin();
		NodeAddress elsewhere = new NodeAddress("127.0.0.7", 9401);
		String foreign = new NodeRecord("app@127.0.0.7", elsewhere, Map.of()).toJson();
		admin.create().forPath(this.settings.memberPath("garbage@127.0.0.5"), "not json".getBytes(StandardCharsets.UTF_8));
		admin.create()
			.forPath(this.settings.memberPath("deep@127.0.0.4"),
					("[".repeat(50_000) + "]".repeat(50_000)).getBytes(StandardCharsets.UTF_8));
		admin.create().forPath(this.settings.memberPath("other@127.0.0.6"), foreign.getBytes(StandardCharsets.UTF_8));
		admin.create().forPath(this.settings.memberPath("empty@127.0.0.9"));
		admin.create()
			.creatingParentsIfNeeded()
			.forPath(this.settings.memberPath("other@127.0.0.6") + "/deeper", foreign.getBytes(StandardCharsets.UTF_8));
		NodeAddress valid = new NodeAddress("127.0.0.8", 9401);
		admin.create()
			.withMode(CreateMode.EPHEMERAL)
			.forPath(this.settings.memberPath("app@127.0.0.8"),
					new NodeRecord("app@127.0.0.8", valid, Map.of()).toJson().getBytes(StandardCharsets.UTF_8));
		await().atMost(BOUND).until(() -> Set.of(node.address(), valid).equals(node.discovery.last()));
		assertThat(node.discovery.answers).allSatisfy((answer) -> assertThat(answer.addresses()).doesNotContain(
				elsewhere));
		assertThat(node.discovery.failures).extracting(Throwable::getMessage)
			.anySatisfy((message) -> assertThat(message).contains(this.settings.memberPath("garbage@127.0.0.5")))
			.anySatisfy((message) -> assertThat(message).contains(this.settings.memberPath("deep@127.0.0.4")))
			.anySatisfy((message) -> assertThat(message).contains(this.settings.memberPath("other@127.0.0.6")));
		assertThat(output.getOut()).contains("[prod] ignoring " + this.settings.memberPath("garbage@127.0.0.5"))
			.doesNotContain("StackOverflowError");
	}

	@Test
	void whileTheServerIsDownNobodyLeadsAndAfterItIsBackOneNodeLeadsAgain() throws Exception {
		List<Node> nodes = three();
		Node leader = awaitLeader(nodes);
		await().atMost(BOUND).until(() -> nodes.stream().allMatch((n) -> n.discovery.last() != null
				&& n.discovery.last().size() == 3));
		long token = leader.election.token();
		List<String> overlaps = new CopyOnWriteArrayList<>();
		AtomicBoolean watching = new AtomicBoolean(true);
		Thread checker = new Thread(() -> {
			while (watching.get()) {
				List<Node> leading = nodes.stream().filter(Node::leads).toList();
				if (leading.size() > 1) {
					overlaps.add(leading.stream().map((n) -> n.name() + "#" + n.election.token()).toList().toString());
				}
				LockSupport.parkNanos(200_000);
			}
		});
		checker.start();
		try {
			server.stop();
			await().atMost(BOUND).until(() -> nodes.stream().noneMatch(Node::leads));
			assertThat(nodes).allSatisfy((n) -> assertThat(n.election.isUnknown()).isTrue());
			// the members known so far stay: a failed discovery is not everyone leaving
			assertThat(nodes).allSatisfy((n) -> assertThat(n.discovery.last()).hasSize(3));
			server.restart();
			Node after = awaitLeader(nodes);
			assertThat(after.election.token()).isGreaterThanOrEqualTo(token);
		}
		finally {
			watching.set(false);
			checker.join();
		}
		assertThat(overlaps).as("moments when two nodes led").isEmpty();
	}

}
