package dev.clustering.node;

import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketException;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import dev.clustering.discovery.none.NoneStrategy;
import dev.clustering.membership.LeaveReason;
import dev.clustering.membership.Member;
import dev.clustering.membership.MemberStatus;
import dev.clustering.membership.NodeAddress;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * Several real nodes in one JVM, talking TCP on loopback.
 */
class ClusterNodeTests {

	private final TestCluster cluster = new TestCluster();

	@AfterEach
	void close() {
		this.cluster.close();
	}

	private List<NodeAddress> addresses(int... ports) {
		return IntStream.of(ports).mapToObj((p) -> new NodeAddress("127.0.0.1", p)).toList();
	}

	private static List<String> names(ClusterNode node) {
		return node.members().stream().map(Member::name).toList();
	}

	@Test
	void threeNodesFormAndEachGetsAJoinedEventPerPeer() {
		int[] ports = TestCluster.freePorts(3);
		ClusterNode abc = this.cluster.start("abc", ports[0], "s3cret", addresses(ports));
		ClusterNode bcd = this.cluster.start("bcd", ports[1], "s3cret", addresses(ports));
		ClusterNode def = this.cluster.start("def", ports[2], "s3cret", addresses(ports));
		await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
			assertThat(names(abc)).containsExactly("bcd@127.0.0.1", "def@127.0.0.1");
			assertThat(names(bcd)).containsExactly("abc@127.0.0.1", "def@127.0.0.1");
			assertThat(names(def)).containsExactly("abc@127.0.0.1", "bcd@127.0.0.1");
		});
		assertThat(abc.members()).allSatisfy((m) -> assertThat(m.topologies()).containsExactly("local"));
		// simultaneous dialling must not show up as flapping: exactly one join per peer, no leave
		await().during(Duration.ofMillis(1500)).atMost(Duration.ofSeconds(5)).untilAsserted(() -> {
			for (ClusterNode node : List.of(abc, bcd, def)) {
				List<EngineEvent> log = this.cluster.events.get(node.self().name())
					.stream()
					.filter((e) -> e instanceof EngineEvent.MemberJoined || e instanceof EngineEvent.MemberLeft)
					.toList();
				assertThat(log).hasSize(2).allMatch(EngineEvent.MemberJoined.class::isInstance);
			}
		});
	}

	@Test
	void killedNodeIsSeenAsLeftAtOnceAndGracefulStopAsLeft() {
		int[] ports = TestCluster.freePorts(3);
		ClusterNode abc = this.cluster.start("abc", ports[0], "s3cret", addresses(ports));
		ClusterNode bcd = this.cluster.start("bcd", ports[1], "s3cret", addresses(ports));
		ClusterNode def = this.cluster.start("def", ports[2], "s3cret", addresses(ports));
		await().atMost(Duration.ofSeconds(10)).until(() -> abc.members().size() == 2 && bcd.members().size() == 2);
		def.halt();
		await().atMost(Duration.ofSeconds(2)).until(() -> names(abc).equals(List.of("bcd@127.0.0.1")));
		assertThat(leftEvent(abc, "def@127.0.0.1").reason()).isEqualTo(LeaveReason.CONNECTION_LOST);
		bcd.close();
		await().atMost(Duration.ofSeconds(2)).until(() -> abc.members().isEmpty());
		assertThat(leftEvent(abc, "bcd@127.0.0.1").reason()).isEqualTo(LeaveReason.LEFT);
	}

	@Test
	void restartedNodeRejoins() {
		int[] ports = TestCluster.freePorts(2);
		ClusterNode abc = this.cluster.start("abc", ports[0], "s3cret", addresses(ports));
		ClusterNode bcd = this.cluster.start("bcd", ports[1], "s3cret", addresses(ports));
		await().atMost(Duration.ofSeconds(10)).until(() -> abc.members().size() == 1);
		long first = abc.members().get(0).incarnation();
		bcd.halt();
		await().atMost(Duration.ofSeconds(2)).until(() -> abc.members().isEmpty());
		this.cluster.start("bcd", ports[1], "s3cret", addresses(ports));
		await().atMost(Duration.ofSeconds(10)).until(() -> abc.members().size() == 1);
		assertThat(abc.members().get(0).incarnation()).isNotEqualTo(first);
	}

	@Test
	void aNodeThatLeftStartsAgainAsANewIncarnationAndKeepsItsListeners() {
		int[] ports = TestCluster.freePorts(2);
		ClusterNode abc = this.cluster.start("abc", ports[0], "s3cret", addresses(ports));
		ClusterNode bcd = this.cluster.start("bcd", ports[1], "s3cret", addresses(ports));
		await().atMost(Duration.ofSeconds(10)).until(() -> abc.members().size() == 1 && bcd.members().size() == 1);
		long first = abc.members().get(0).incarnation();
		assertThatThrownBy(bcd::start).isInstanceOf(IllegalStateException.class).hasMessageContaining("already running");
		bcd.close();
		assertThat(bcd.isRunning()).isFalse();
		await().atMost(Duration.ofSeconds(2)).until(() -> abc.members().isEmpty());
		assertThat(leftEvent(abc, "bcd@127.0.0.1").reason()).isEqualTo(LeaveReason.LEFT);
		// the same object, started again: it binds its port again and joins as a new process would
		bcd.start();
		assertThat(bcd.isRunning()).isTrue();
		await().atMost(Duration.ofSeconds(10)).until(() -> abc.members().size() == 1 && bcd.members().size() == 1);
		assertThat(abc.members().get(0).incarnation()).isNotEqualTo(first);
		assertThat(bcd.topologies()).singleElement().satisfies((t) -> assertThat(t.hasRun()).isTrue());
		// the listener registered before the first start hears the second join too
		assertThat(this.cluster.events.get("bcd@127.0.0.1")).filteredOn(EngineEvent.MemberJoined.class::isInstance).hasSize(2);
	}

	@Test
	void aNodeKeepsTheSettingsItWasBuiltWithAndOneBuilderMayBuildSeveral() {
		int[] ports = TestCluster.freePorts(2);
		ClusterNodeBuilder builder = ClusterNode.builder()
			.name("abc")
			.host("127.0.0.1")
			.port(ports[0])
			.cookie("s3cret".toCharArray())
			.topology("local", "none", new NoneStrategy(), Duration.ofMillis(500));
		ClusterNode first = builder.build();
		builder.name("bcd").port(ports[1]);
		ClusterNode second = builder.build();
		try {
			first.start();
			second.start();
			assertThat(first.self().name()).isEqualTo("abc@127.0.0.1");
			assertThat(first.self().address().port()).isEqualTo(ports[0]);
			assertThat(second.self().name()).isEqualTo("bcd@127.0.0.1");
			assertThat(second.self().address().port()).isEqualTo(ports[1]);
		}
		finally {
			first.close();
			second.close();
		}
	}

	@Test
	void frozenNodeIsUnreachableAndRejoinsWhenItThaws() {
		int[] ports = TestCluster.freePorts(2);
		ClusterNode abc = this.cluster.start("abc", ports[0], "s3cret", addresses(ports));
		this.cluster.start("bcd", ports[1], "s3cret", addresses(ports));
		await().atMost(Duration.ofSeconds(10)).until(() -> abc.members().size() == 1);
		this.cluster.frozen.add("bcd");
		await().atMost(Duration.ofSeconds(10))
			.until(() -> abc.snapshot().member("bcd@127.0.0.1").status() == MemberStatus.UNREACHABLE);
		assertThat(leftEvent(abc, "bcd@127.0.0.1").reason()).isEqualTo(LeaveReason.UNREACHABLE);
		assertThat(abc.members()).isEmpty();
		this.cluster.frozen.remove("bcd");
		await().atMost(Duration.ofSeconds(10)).until(() -> abc.members().size() == 1);
		assertThat(this.cluster.events.get("abc@127.0.0.1")).filteredOn(EngineEvent.MemberJoined.class::isInstance).hasSize(2);
	}

	@Test
	void nodeWithWrongCookieIsNeverAMember() {
		int[] ports = TestCluster.freePorts(3);
		ClusterNode abc = this.cluster.start("abc", ports[0], "s3cret", addresses(ports));
		ClusterNode bcd = this.cluster.start("bcd", ports[1], "s3cret", addresses(ports));
		ClusterNode intruder = this.cluster.start("evil", ports[2], "guess", addresses(ports));
		await().atMost(Duration.ofSeconds(10)).until(() -> abc.members().size() == 1 && bcd.members().size() == 1);
		await().during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(4)).until(() -> abc.members().size() == 1
				&& bcd.members().size() == 1 && intruder.members().isEmpty());
		assertThat(this.cluster.events.get("abc@127.0.0.1")).filteredOn(EngineEvent.MemberJoined.class::isInstance)
			.noneMatch((e) -> ((EngineEvent.MemberJoined) e).member().name().startsWith("evil"));
	}

	@Test
	void secondNodeWithTheSameNameIsRefused() {
		int[] ports = TestCluster.freePorts(3);
		ClusterNode abc = this.cluster.start("abc", ports[0], "s3cret", addresses(ports));
		ClusterNode bcd = this.cluster.start("bcd", ports[1], "s3cret", addresses(ports));
		await().atMost(Duration.ofSeconds(10)).until(() -> abc.members().size() == 1);
		long original = abc.members().get(0).incarnation();
		ClusterNode impostor = this.cluster.start("bcd", ports[2], "s3cret", addresses(ports));
		await().during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(4)).until(() -> abc.members().size() == 1
				&& abc.members().get(0).incarnation() == original && impostor.members().isEmpty());
		assertThat(bcd.members()).extracting(Member::name).containsExactly("abc@127.0.0.1");
	}

	@Test
	void garbageOnThePortLeavesTheNodeHealthy() throws Exception {
		int[] ports = TestCluster.freePorts(2);
		ClusterNode abc = this.cluster.start("abc", ports[0], "s3cret", addresses(ports));
		this.cluster.start("bcd", ports[1], "s3cret", addresses(ports));
		await().atMost(Duration.ofSeconds(10)).until(() -> abc.members().size() == 1);
		Random random = new Random(42);
		for (int i = 0; i < 20; i++) {
			try (Socket socket = new Socket("127.0.0.1", ports[0])) {
				byte[] garbage = new byte[5 + random.nextInt(4096)];
				random.nextBytes(garbage);
				if (i % 2 == 0) {
					// a length prefix that matches, so the random body is decoded as a message
					int length = garbage.length - 4;
					garbage[0] = 0;
					garbage[1] = 0;
					garbage[2] = (byte) (length >> 8);
					garbage[3] = (byte) length;
				}
				else {
					garbage[0] = 0x7f; // a length far over the maximum frame size
				}
				OutputStream out = socket.getOutputStream();
				out.write(garbage);
				out.flush();
				socket.setSoTimeout(3000);
				// the node closes the connection: read returns -1 (or the peer resets)
				try {
					while (socket.getInputStream().read() >= 0) {
						// drain
					}
				}
				catch (SocketException ex) {
					// reset by the node: also a close
				}
			}
		}
		assertThat(abc.isRunning()).isTrue();
		assertThat(abc.members()).extracting(Member::status).containsExactly(MemberStatus.UP);
		// and it still admits a new node
		int port = TestCluster.freePort();
		ClusterNode late = this.cluster.start("late", port, "s3cret", addresses(ports[0]));
		await().atMost(Duration.ofSeconds(10)).until(() -> abc.members().size() == 2 && late.members().size() == 1);
	}

	private EngineEvent.MemberLeft leftEvent(ClusterNode node, String name) {
		return this.cluster.events.get(node.self().name())
			.stream()
			.filter(EngineEvent.MemberLeft.class::isInstance)
			.map(EngineEvent.MemberLeft.class::cast)
			.filter((e) -> e.member().name().equals(name))
			.reduce((a, b) -> b)
			.orElseThrow(() -> new AssertionError("no MemberLeft for " + name));
	}

	@Test
	void aListenerAddedLaterHearsEachMemberOnceAndNothingFromBefore() throws Exception {
		int[] ports = TestCluster.freePorts(3);
		List<NodeAddress> hosts = IntStream.of(ports).mapToObj((p) -> new NodeAddress("127.0.0.1", p)).toList();
		CountDownLatch blocked = new CountDownLatch(1);
		CountDownLatch release = new CountDownLatch(1);
		// a slow listener holds the event thread on the first join, so the second join is still queued
		// when the new listener is added
		ClusterNode abc = this.cluster.start("abc", ports[0], hosts, (builder) -> builder.listener((event) -> {
			if (event instanceof EngineEvent.MemberJoined) {
				blocked.countDown();
				try {
					release.await(10, TimeUnit.SECONDS);
				}
				catch (InterruptedException ex) {
					Thread.currentThread().interrupt();
				}
			}
		}));
		this.cluster.start("bcd", ports[1], "s3cret", hosts);
		assertThat(blocked.await(10, TimeUnit.SECONDS)).isTrue();
		this.cluster.start("cde", ports[2], "s3cret", hosts);
		await().atMost(Duration.ofSeconds(10)).until(() -> abc.members().size() == 2);
		List<EngineEvent> heard = new CopyOnWriteArrayList<>();
		abc.addListener(heard::add);
		abc.eventLoop().submit(() -> null).get(5, TimeUnit.SECONDS);
		release.countDown();
		// events are delivered in order: once a listener added after that one heard its joins, every
		// earlier delivery is done
		List<EngineEvent> probe = new CopyOnWriteArrayList<>();
		abc.addListener(probe::add);
		await().atMost(Duration.ofSeconds(10)).until(() -> probe.size() >= 2);
		assertThat(heard).filteredOn(EngineEvent.MemberJoined.class::isInstance)
			.extracting((e) -> ((EngineEvent.MemberJoined) e).member().name())
			.containsExactlyInAnyOrder("bcd@127.0.0.1", "cde@127.0.0.1");
	}

}
