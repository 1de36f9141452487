package dev.clustering.node;

import java.io.DataOutputStream;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.slf4j.LoggerFactory;

import dev.clustering.detection.FailureDetectorSettings;
import dev.clustering.leadership.LeaderInfo;
import dev.clustering.singleton.SingletonSpec;
import dev.clustering.singleton.SingletonState;
import dev.clustering.singleton.StartType;
import dev.clustering.test.LoopbackCluster;
import dev.clustering.transport.FrameCodec;
import dev.clustering.transport.Message;
import dev.clustering.transport.PeerConnection;
import dev.clustering.transport.RawPeer;
import dev.clustering.transport.TransportSettings;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Attacks on a running cluster from peers written by hand: without the cookie (nothing may block,
 * resolve or grow), and with it (a buggy or compromised member may not stop singletons, move them
 * to nowhere, take a silent member's name, or break the others' sends). Also mixed protocol
 * versions.
 */
class TrustBoundaryTests {

	private static final String COOKIE = ClusterFixture.COOKIE;

	@RegisterExtension
	final ClusterFixture fixture = new ClusterFixture();

	private final RecordingSingleton.Log log = new RecordingSingleton.Log();

	private final List<RawPeer> peers = new ArrayList<>();

	private final ListAppender<ILoggingEvent> logs = new ListAppender<>();

	private List<ClusterNode> nodes;

	@BeforeEach
	void captureLogs() {
		this.logs.start();
		((Logger) LoggerFactory.getLogger("dev.clustering")).addAppender(this.logs);
	}

	@AfterEach
	void close() throws IOException {
		((Logger) LoggerFactory.getLogger("dev.clustering")).detachAppender(this.logs);
		for (RawPeer peer : this.peers) {
			peer.close();
		}
		this.log.stopSampling();
	}

	// fast failure detection and keep-majority with a quorum of 1, the kit's defaults
	private LoopbackCluster threeNodes() {
		SingletonSpec spec = new SingletonSpec("distro", List.of(), Duration.ofMillis(500), false, Duration.ZERO);
		LoopbackCluster cluster = this.fixture.start(LoopbackCluster.nodes("abc", "bcd", "def")
			.customize(this.log.hosting(spec)));
		this.nodes = cluster.names().stream().map(cluster::node).toList();
		cluster.await("every member, one leader and a run of distro",
				() -> this.nodes.stream().allMatch((n) -> n.members().size() == 2)
						&& this.nodes.stream().filter((n) -> n.leadership().isLeader()).count() == 1
						&& this.log.lastStart() != null && this.log.lastStart().node() != null);
		return cluster;
	}

	// one node, on its own
	private ClusterNode oneNode(Consumer<ClusterNodeBuilder> customizer) {
		return this.fixture.start(LoopbackCluster.nodes("abc").customize((name, builder) -> customizer.accept(builder)))
			.node("abc");
	}

	private ClusterNode leader() {
		return this.nodes.stream().filter((n) -> n.leadership().isLeader()).findFirst().orElseThrow();
	}

	private RawPeer member(ClusterNode target, String localHost, String name, int minor) throws IOException {
		RawPeer peer = RawPeer.connect(target.self().address(), localHost, name, COOKIE, FrameCodec.PROTOCOL_MAJOR,
				minor);
		this.peers.add(peer);
		return peer;
	}

	private long warnings(String text) {
		return this.logs.list.stream()
			.filter((e) -> e.getLevel().isGreaterOrEqual(Level.WARN))
			.filter((e) -> e.getFormattedMessage().contains(text))
			.count();
	}

	@Test
	void aHelloWithAHostThatLooksLikeAnAddressNeitherBlocksNorReachesAResolver() throws Exception {
		threeNodes();
		ClusterNode target = this.nodes.get(0);
		try (Socket socket = new Socket()) {
			socket.connect(new InetSocketAddress("127.0.0.1", target.self().address().port()), 2000);
			ByteBuf hello = Unpooled.buffer();
			hello.writeByte(1).writeShort(FrameCodec.PROTOCOL_MAJOR);
			writeString(hello, "evil@127.0.0.1");
			hello.writeLong(0);
			writeString(hello, "999.1.2.3");
			hello.writeShort(9401).writeBytes(new byte[FrameCodec.NONCE_LENGTH]).writeShort(0);
			DataOutputStream out = new DataOutputStream(socket.getOutputStream());
			out.writeInt(hello.readableBytes());
			out.write(ByteBufUtil.getBytes(hello));
			out.flush();
			// the loop answers at once: nothing looked up the host
			long started = System.nanoTime();
			assertThat(target.eventLoop().submit(() -> 1).get(1, TimeUnit.SECONDS)).isEqualTo(1);
			assertThat(System.nanoTime() - started).isLessThan(TimeUnit.MILLISECONDS.toNanos(500));
			socket.setSoTimeout(3000);
			assertThat(socket.getInputStream().read()).isEqualTo(-1);
		}
		assertThat(this.nodes).allSatisfy((n) -> assertThat(n.members()).hasSize(2));
	}

	@Test
	void handshakesThatNeverFinishAreCappedPerAddressAndLoggedOnce() throws Exception {
		// the engine's default failure detection, as before the move to the kit; a handshake timeout
		// well over the time this thread takes to open all the connections on a loaded machine, or
		// the first ones time out and free their places before the last ones arrive
		Duration handshakeTimeout = Duration.ofSeconds(3);
		ClusterNode node = oneNode((builder) -> builder.failureDetector(FailureDetectorSettings.DEFAULTS)
			.transport(new TransportSettings(null, 64 * 1024, Duration.ofSeconds(2), handshakeTimeout,
					Duration.ofMillis(100), Duration.ofSeconds(5), null, null)));
		List<Socket> idle = new ArrayList<>();
		try {
			for (int i = 0; i < 100; i++) {
				Socket socket = new Socket();
				socket.bind(new InetSocketAddress("127.0.0.9", 0));
				socket.connect(new InetSocketAddress("127.0.0.1", node.self().address().port()), 2000);
				idle.add(socket);
			}
			// from one address, at most 64 wait for their handshake; the rest are refused at once
			await().atMost(Duration.ofSeconds(5)).until(() -> node.transportCounters().refusedHandshakes() >= 36);
			// a real peer from another address still gets in
			ClusterNode peer = this.fixture.startBeside("bcd", ClusterFixture.freePort(),
					List.of(node.self().address()));
			await().atMost(Duration.ofSeconds(5)).until(() -> peer.members().size() == 1);
			// the idle ones are closed at the handshake timeout, with one warning for all of them
			await().atMost(handshakeTimeout.plusSeconds(5))
				.until(() -> node.transportCounters().handshakeTimeouts() >= 64);
			assertThat(warnings("no handshake within")).isEqualTo(1);
		}
		finally {
			for (Socket socket : idle) {
				socket.close();
			}
		}
	}

	@Test
	void aFrameLargerThanAHandshakeNeedsIsRefusedBeforeAuthentication() throws Exception {
		threeNodes();
		try (Socket socket = new Socket()) {
			socket.connect(new InetSocketAddress("127.0.0.1", this.nodes.get(0).self().address().port()), 2000);
			DataOutputStream out = new DataOutputStream(socket.getOutputStream());
			out.writeInt(60_000);
			out.write(new byte[PeerConnection.HANDSHAKE_FRAME_LIMIT]);
			out.flush();
			socket.setSoTimeout(3000);
			assertThat(socket.getInputStream().read()).isEqualTo(-1);
		}
	}

	@Test
	void anotherMajorVersionIsRefusedWithAClearLineOnBothSides() throws Exception {
		threeNodes();
		RawPeer future = RawPeer.connect(this.nodes.get(0).self().address(), "127.0.0.1", "zzz@127.0.0.1", COOKIE, 3,
				0);
		this.peers.add(future);
		assertThat(future.refusal().reason()).isEqualTo(Message.RejectReason.VERSION);
		assertThat(future.refusal().detail()).contains("protocol 2.0").contains("protocol 3");
		assertThat(warnings("cannot talk to protocol 3")).isEqualTo(1);
	}

	@Test
	void aNewerMinorVersionStaysConnectedAndTheClusterKeepsItsLeaderAndSingleton() throws Exception {
		threeNodes();
		LeaderInfo before = leader().leadership().ownLeadership().orElseThrow();
		String runner = this.log.lastStart().node();
		RawPeer newer = member(this.nodes.get(0), "127.0.0.1", "new@127.0.0.1", FrameCodec.PROTOCOL_MINOR + 1);
		assertThat(newer.established()).isTrue();
		// a message type this version does not know, and an enum value it does not know
		newer.writeFrame(new byte[] { (byte) 99, 1, 2, 3 });
		newer.send(new Message.SingletonState("distro", SingletonState.STOPPED.ordinal(), 0, 9, "", 0));
		for (int i = 0; i < 10; i++) {
			newer.send(new Message.Heartbeat(0));
			Thread.sleep(100);
		}
		assertThat(this.nodes.get(0).members()).extracting((m) -> m.name()).contains("new@127.0.0.1");
		assertThat(this.nodes.get(0).transportCounters().unknownMessages()).isPositive();
		assertThat(leader().leadership().ownLeadership().orElseThrow().fencingToken()).isEqualTo(before.fencingToken());
		assertThat(this.log.lastStart().node()).isEqualTo(runner);
		assertThat(this.log.entries).filteredOn((e) -> !e.start()).isEmpty();
	}

	@Test
	void aMemberCannotStopMoveOrStealTheSingletonNorSkewTokens() throws Exception {
		threeNodes();
		this.log.startSampling();
		ClusterNode leader = leader();
		String runner = this.log.lastStart().node();
		long token = this.log.lastStart().token();
		RawPeer rogue = member(leader, "127.0.0.1", "rogue@127.0.0.1", FrameCodec.PROTOCOL_MINOR);
		for (ClusterNode node : this.nodes) {
			RawPeer other = (node == leader) ? rogue : member(node, "127.0.0.1", "rogue@127.0.0.1", 0);
			// an order to stop, as if it led
			other.send(new Message.SingletonOrder("distro", false, token, 0, "", 0, 500));
			// a claim to run it with a larger token, of this leadership and of a future one
			other.send(new Message.SingletonState("distro", SingletonState.RUNNING.ordinal(), token + 1000,
					StartType.NORMAL.ordinal(), "", System.currentTimeMillis()));
			other.send(new Message.SingletonState("distro", SingletonState.RUNNING.ordinal(), Long.MAX_VALUE >> 1,
					StartType.NORMAL.ordinal(), "", System.currentTimeMillis()));
			// a move to a node that does not exist, and an enum out of range
			other.send(new Message.MoveRequest("distro", "nobody@127.0.0.1"));
			other.writeFrame(FrameCodec.toBytes(new Message.SingletonState("distro", 200, 1, 0, "", 0)));
			// a leadership token far beyond the clock: not even decoded
			ByteBuf huge = Unpooled.buffer();
			huge.writeByte(13).writeLong(Long.MAX_VALUE);
			other.writeFrame(ByteBufUtil.getBytes(huge));
			// thousands of singletons that do not exist
			for (int i = 0; i < 5000; i++) {
				other.send(new Message.SingletonState("forged-" + i, SingletonState.RUNNING.ordinal(), 1, 0, "", 0));
			}
		}
		Thread.sleep(2000);
		assertThat(this.log.entries).filteredOn((e) -> !e.start()).isEmpty();
		assertThat(this.log.lastStart().node()).isEqualTo(runner);
		assertThat(this.log.lastStart().token()).isEqualTo(token);
		assertThat(leader.leadership().isLeader()).isTrue();
		assertThat(leader.singletons().get("distro").node()).startsWith(runner + "@");
		assertThat(leader.singletons()).containsOnlyKeys("distro");
		assertThat(this.nodes).allSatisfy((n) -> assertThat(n.transportCounters().invalidFrames()).isPositive());
		assertThat(warnings("forged-")).isLessThanOrEqualTo(3);
		assertThat(this.log.overlaps).isEmpty();
	}

	@Test
	void aSilentMembersNameIsNotHandedToAProcessElsewhere() throws Exception {
		LoopbackCluster cluster = threeNodes();
		ClusterNode abc = this.nodes.get(0);
		cluster.isolate("bcd");
		await().atMost(Duration.ofSeconds(5)).until(() -> abc.snapshot().member("bcd@127.0.0.1") != null
				&& !abc.snapshot().member("bcd@127.0.0.1").isUp());
		RawPeer impostor = RawPeer.connect(abc.self().address(), "127.0.0.2", "bcd@127.0.0.1", COOKIE,
				FrameCodec.PROTOCOL_MAJOR, FrameCodec.PROTOCOL_MINOR);
		this.peers.add(impostor);
		assertThat(impostor.refusal()).isNotNull();
		assertThat(impostor.refusal().reason()).isEqualTo(Message.RejectReason.DUPLICATE_NAME);
		cluster.heal();
		await().atMost(Duration.ofSeconds(5)).until(() -> abc.snapshot().member("bcd@127.0.0.1") != null
				&& abc.snapshot().member("bcd@127.0.0.1").isUp());
		assertThat(abc.snapshot().member("bcd@127.0.0.1").incarnation())
			.isEqualTo(this.nodes.get(1).self().incarnation());
	}

	@Test
	void onlyAnUnannouncedEndOfStreamIsReportedAsACrash() throws Exception {
		FakeRegistry registry = new FakeRegistry();
		ClusterNode node = oneNode((builder) -> builder.topology("prod", "fake-registry", registry.strategy(),
				Duration.ofSeconds(1)));
		RawPeer polite = member(node, "127.0.0.1", "polite@127.0.0.1", 0);
		await().atMost(Duration.ofSeconds(5)).until(() -> node.members().size() == 1);
		// closes on purpose after an error of its own, and says so first
		polite.send(new Message.Close(Message.CloseReason.OTHER, "closed after an error"));
		polite.close();
		await().atMost(Duration.ofSeconds(5)).until(() -> node.members().isEmpty());
		RawPeer dying = member(node, "127.0.0.1", "dying@127.0.0.1", 0);
		await().atMost(Duration.ofSeconds(5)).until(() -> node.members().size() == 1);
		dying.close();
		await().atMost(Duration.ofSeconds(5)).until(() -> node.members().isEmpty());
		await().atMost(Duration.ofSeconds(5)).until(() -> registry.crashReports.contains("dying@127.0.0.1"));
		assertThat(registry.crashReports).doesNotContain("polite@127.0.0.1");
	}

	private static void writeString(ByteBuf buffer, String text) {
		byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
		buffer.writeShort(bytes.length).writeBytes(bytes);
	}

}
