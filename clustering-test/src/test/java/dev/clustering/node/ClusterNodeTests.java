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

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import dev.clustering.detection.FailureDetectorSettings;
import dev.clustering.membership.LeaveReason;
import dev.clustering.membership.Member;
import dev.clustering.membership.MemberStatus;
import dev.clustering.test.LoopbackCluster;
import dev.clustering.test.LoopbackClusterBuilder;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * Several real nodes in one JVM, talking TCP on loopback, with the engine's default failure
 * detection.
 */
class ClusterNodeTests {

	@RegisterExtension
	final ClusterFixture fixture = new ClusterFixture();

	private static LoopbackClusterBuilder nodes(String... names) {
		return LoopbackCluster.nodes(names).failureDetector(FailureDetectorSettings.DEFAULTS);
	}

	private static List<String> names(ClusterNode node) {
		return node.members().stream().map(Member::name).toList();
	}

	@Test
	void threeNodesFormAndEachGetsAJoinedEventPerPeer() {
		LoopbackCluster cluster = this.fixture.start(nodes("abc", "bcd", "def"));
		cluster.awaitMembers();
		assertThat(names(cluster.node("abc"))).containsExactly("bcd@127.0.0.1", "def@127.0.0.1");
		assertThat(names(cluster.node("bcd"))).containsExactly("abc@127.0.0.1", "def@127.0.0.1");
		assertThat(names(cluster.node("def"))).containsExactly("abc@127.0.0.1", "bcd@127.0.0.1");
		assertThat(cluster.node("abc").members())
			.allSatisfy((m) -> assertThat(m.topologies()).containsExactly("loopback"));
		// simultaneous dialling must not show up as flapping: exactly one join per peer, no leave
		await().during(Duration.ofMillis(1500)).atMost(Duration.ofSeconds(5)).untilAsserted(() -> {
			for (String name : cluster.names()) {
				List<EngineEvent> log = cluster.events(name)
					.stream()
					.filter((e) -> e instanceof EngineEvent.MemberJoined || e instanceof EngineEvent.MemberLeft)
					.toList();
				assertThat(log).hasSize(2).allMatch(EngineEvent.MemberJoined.class::isInstance);
			}
		});
	}

	@Test
	void killedNodeIsSeenAsLeftAtOnceAndGracefulStopAsLeft() {
		LoopbackCluster cluster = this.fixture.start(nodes("abc", "bcd", "def"));
		ClusterNode abc = cluster.node("abc");
		cluster.awaitMembers();
		cluster.kill("def");
		await().atMost(Duration.ofSeconds(2)).until(() -> names(abc).equals(List.of("bcd@127.0.0.1")));
		assertThat(leftEvent(cluster, "abc", "def").reason()).isEqualTo(LeaveReason.CONNECTION_LOST);
		cluster.stop("bcd");
		await().atMost(Duration.ofSeconds(2)).until(() -> abc.members().isEmpty());
		assertThat(leftEvent(cluster, "abc", "bcd").reason()).isEqualTo(LeaveReason.LEFT);
	}

	@Test
	void restartedNodeRejoins() {
		LoopbackCluster cluster = this.fixture.start(nodes("abc", "bcd"));
		ClusterNode abc = cluster.node("abc");
		cluster.awaitMembers();
		long first = abc.members().get(0).incarnation();
		int port = cluster.node("bcd").self().address().port();
		cluster.kill("bcd");
		await().atMost(Duration.ofSeconds(2)).until(() -> abc.members().isEmpty());
		// a new process under the same name, on the same port
		this.fixture.startBeside("bcd", port, this.fixture.addresses());
		cluster.await("abc sees bcd again", () -> abc.members().size() == 1);
		assertThat(abc.members().get(0).incarnation()).isNotEqualTo(first);
	}

	@Test
	void aNodeThatLeftStartsAgainAsANewIncarnationAndKeepsItsListeners() {
		LoopbackCluster cluster = this.fixture.start(nodes("abc", "bcd"));
		ClusterNode abc = cluster.node("abc");
		ClusterNode bcd = cluster.node("bcd");
		cluster.awaitMembers();
		long first = abc.members().get(0).incarnation();
		assertThatThrownBy(bcd::start).isInstanceOf(IllegalStateException.class).hasMessageContaining("already running");
		cluster.stop("bcd");
		assertThat(bcd.isRunning()).isFalse();
		await().atMost(Duration.ofSeconds(2)).until(() -> abc.members().isEmpty());
		assertThat(leftEvent(cluster, "abc", "bcd").reason()).isEqualTo(LeaveReason.LEFT);
		// the same object, started again: it binds its port again and joins as a new process would
		cluster.restart("bcd");
		assertThat(bcd.isRunning()).isTrue();
		cluster.awaitMembers();
		assertThat(abc.members().get(0).incarnation()).isNotEqualTo(first);
		assertThat(bcd.topologies()).singleElement().satisfies((t) -> assertThat(t.hasRun()).isTrue());
		// the listener registered before the first start hears the second join too
		assertThat(joinsHeard(cluster, "bcd", 2)).hasSize(2);
	}

	@Test
	void frozenNodeIsUnreachableAndRejoinsWhenItThaws() {
		LoopbackCluster cluster = this.fixture.start(nodes("abc", "bcd"));
		ClusterNode abc = cluster.node("abc");
		cluster.awaitMembers();
		cluster.isolate("bcd");
		cluster.await("abc finds bcd unreachable",
				() -> abc.snapshot().member("bcd@127.0.0.1").status() == MemberStatus.UNREACHABLE);
		assertThat(leftEvent(cluster, "abc", "bcd").reason()).isEqualTo(LeaveReason.UNREACHABLE);
		assertThat(abc.members()).isEmpty();
		cluster.heal();
		cluster.awaitMembers();
		assertThat(joinsHeard(cluster, "abc", 2)).hasSize(2);
	}

	@Test
	void nodeWithWrongCookieIsNeverAMember() {
		LoopbackCluster cluster = this.fixture.start(nodes("abc", "bcd", "evil").customize((name, builder) -> {
			if (name.equals("evil")) {
				builder.cookie("guess".toCharArray());
			}
		}));
		ClusterNode abc = cluster.node("abc");
		ClusterNode bcd = cluster.node("bcd");
		ClusterNode intruder = cluster.node("evil");
		cluster.await("abc and bcd see each other", () -> abc.members().size() == 1 && bcd.members().size() == 1);
		await().during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(4)).until(() -> abc.members().size() == 1
				&& bcd.members().size() == 1 && intruder.members().isEmpty());
		assertThat(cluster.events("abc", EngineEvent.MemberJoined.class))
			.noneMatch((e) -> e.member().name().startsWith("evil"));
	}

	@Test
	void secondNodeWithTheSameNameIsRefused() {
		LoopbackCluster cluster = this.fixture.start(nodes("abc", "bcd"));
		ClusterNode abc = cluster.node("abc");
		cluster.awaitMembers();
		long original = abc.members().get(0).incarnation();
		ClusterNode impostor = this.fixture.startBeside("bcd", ClusterFixture.freePort(), this.fixture.addresses());
		await().during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(4)).until(() -> abc.members().size() == 1
				&& abc.members().get(0).incarnation() == original && impostor.members().isEmpty());
		assertThat(cluster.node("bcd").members()).extracting(Member::name).containsExactly("abc@127.0.0.1");
	}

	@Test
	void garbageOnThePortLeavesTheNodeHealthy() throws Exception {
		LoopbackCluster cluster = this.fixture.start(nodes("abc", "bcd"));
		ClusterNode abc = cluster.node("abc");
		cluster.awaitMembers();
		Random random = new Random(42);
		for (int i = 0; i < 20; i++) {
			try (Socket socket = new Socket("127.0.0.1", abc.self().address().port())) {
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
		ClusterNode late = this.fixture.startBeside("late", ClusterFixture.freePort(), List.of(abc.self().address()));
		cluster.await("abc admits late", () -> abc.members().size() == 2 && late.members().size() == 1);
	}

	// events are delivered on the node's event thread, a moment after the views change
	private static EngineEvent.MemberLeft leftEvent(LoopbackCluster cluster, String node, String left) {
		return cluster.awaitEvent(node, EngineEvent.MemberLeft.class,
				(e) -> e.member().name().equals(left + "@127.0.0.1"));
	}

	private static List<EngineEvent.MemberJoined> joinsHeard(LoopbackCluster cluster, String node, int atLeast) {
		cluster.await(node + " heard " + atLeast + " joins",
				() -> cluster.events(node, EngineEvent.MemberJoined.class).size() >= atLeast);
		return cluster.events(node, EngineEvent.MemberJoined.class);
	}

	@Test
	void aListenerAddedLaterHearsEachMemberOnceAndNothingFromBefore() throws Exception {
		CountDownLatch blocked = new CountDownLatch(1);
		CountDownLatch release = new CountDownLatch(1);
		// a slow listener holds abc's event thread on its first join, so the second join is still
		// queued when the new listener is added
		LoopbackCluster cluster = this.fixture.start(nodes("abc", "bcd", "cde").customize((name, builder) -> {
			if (name.equals("abc")) {
				builder.listener((event) -> {
					if (event instanceof EngineEvent.MemberJoined) {
						blocked.countDown();
						try {
							release.await(10, TimeUnit.SECONDS);
						}
						catch (InterruptedException ex) {
							Thread.currentThread().interrupt();
						}
					}
				});
			}
		}));
		ClusterNode abc = cluster.node("abc");
		assertThat(blocked.await(10, TimeUnit.SECONDS)).isTrue();
		cluster.await("abc sees both peers", () -> abc.members().size() == 2);
		List<EngineEvent> heard = new CopyOnWriteArrayList<>();
		abc.addListener(heard::add);
		abc.eventLoop().submit(() -> null).get(5, TimeUnit.SECONDS);
		release.countDown();
		// events are delivered in order: once a listener added after that one heard its joins, every
		// earlier delivery is done
		List<EngineEvent> probe = new CopyOnWriteArrayList<>();
		abc.addListener(probe::add);
		cluster.await("a listener added last heard both joins", () -> probe.size() >= 2);
		assertThat(heard).filteredOn(EngineEvent.MemberJoined.class::isInstance)
			.extracting((e) -> ((EngineEvent.MemberJoined) e).member().name())
			.containsExactlyInAnyOrder("bcd@127.0.0.1", "cde@127.0.0.1");
	}

}
