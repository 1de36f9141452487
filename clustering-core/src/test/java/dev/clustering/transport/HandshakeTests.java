package dev.clustering.transport;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.LengthFieldPrepender;
import org.junit.jupiter.api.Test;

import dev.clustering.membership.LocalNode;
import dev.clustering.membership.NodeAddress;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The handshake between two connections wired back to back through the real framing, without
 * sockets; and raw clients that do not follow it.
 */
class HandshakeTests {

	private static final String COOKIE = "correct-horse-battery-staple";

	private final LocalNode abc = new LocalNode("abc@127.0.0.1", new NodeAddress("127.0.0.1", 9401), 11,
			Map.of("zone", "eu-1"));

	private final LocalNode bcd = new LocalNode("bcd@127.0.0.1", new NodeAddress("127.0.0.1", 9402), 22,
			Map.of("secret-ish", "acceptor-metadata"));

	private final List<byte[]> wire = new ArrayList<>();

	private final TransportCounters counters = new TransportCounters();

	@Test
	void sameCookieEstablishesBothSidesAndEachLearnsTheOthersIdentity() {
		Recorder initiator = new Recorder();
		Recorder acceptor = new Recorder();
		EmbeddedChannel out = channel(this.abc, COOKIE, initiator, this.bcd.address());
		EmbeddedChannel in = channel(this.bcd, COOKIE, acceptor, null);
		pump(out, in);
		assertThat(initiator.established).singleElement().satisfies((c) -> {
			assertThat(c.peer().name()).isEqualTo("bcd@127.0.0.1");
			assertThat(c.peer().incarnation()).isEqualTo(22);
			assertThat(c.peer().metadata()).containsEntry("secret-ish", "acceptor-metadata");
		});
		assertThat(acceptor.established).singleElement().satisfies((c) -> {
			assertThat(c.peer().name()).isEqualTo("abc@127.0.0.1");
			assertThat(c.peer().incarnation()).isEqualTo(11);
			assertThat(c.peer().metadata()).containsEntry("zone", "eu-1");
		});
		assertThat(out.isActive()).isTrue();
		assertThat(in.isActive()).isTrue();
	}

	@Test
	void differentCookiesNeverEstablish() {
		Recorder initiator = new Recorder();
		Recorder acceptor = new Recorder();
		EmbeddedChannel out = channel(this.abc, COOKIE, initiator, this.bcd.address());
		EmbeddedChannel in = channel(this.bcd, "another-cookie-entirely", acceptor, null);
		pump(out, in);
		assertThat(initiator.established).isEmpty();
		assertThat(acceptor.established).isEmpty();
		assertThat(acceptor.admitted).isEmpty();
		assertThat(initiator.admitted).isEmpty();
		assertThat(out.isActive()).isFalse();
		assertThat(in.isActive()).isFalse();
	}

	@Test
	void theCookieNeverCrossesTheWire() {
		EmbeddedChannel out = channel(this.abc, COOKIE, new Recorder(), this.bcd.address());
		EmbeddedChannel in = channel(this.bcd, COOKIE, new Recorder(), null);
		pump(out, in);
		byte[] secret = COOKIE.getBytes(StandardCharsets.UTF_8);
		assertThat(this.wire).isNotEmpty().noneMatch((frame) -> indexOf(frame, secret) >= 0);
	}

	@Test
	void theAcceptorAnswersAHelloWithNothingDerivedFromTheCookieNorItsIdentity() {
		byte[] first = challengeFrom(new Recorder(), COOKIE);
		byte[] second = challengeFrom(new Recorder(), "another-cookie-entirely");
		Message.Challenge challenge = (Message.Challenge) decodeFrame(first);
		assertThat(challenge.name()).isEqualTo("bcd@127.0.0.1");
		// the same size whatever the cookie: a name, a minor version and a random nonce, nothing else
		assertThat(first).hasSameSizeAs(second);
		assertThat(first.length).isEqualTo(4 + 1 + 2 + "bcd@127.0.0.1".length() + 2 + FrameCodec.NONCE_LENGTH);
		assertThat(indexOf(first, "acceptor-metadata".getBytes(StandardCharsets.UTF_8))).isNegative();
	}

	@Test
	void aClientThatCannotProveGetsARefusalAndNoIdentity() {
		Recorder acceptor = new Recorder();
		EmbeddedChannel in = channel(this.bcd, COOKIE, acceptor, null);
		in.writeInbound(lengthPrefixed(hello(FrameCodec.PROTOCOL_MAJOR)));
		assertThat(decodeFrame(nextFrame(in))).isInstanceOf(Message.Challenge.class);
		in.writeInbound(lengthPrefixed(FrameCodec.toBytes(new Message.Response(new byte[32], 5))));
		Message refusal = decodeFrame(nextFrame(in));
		assertThat(refusal).isEqualTo(new Message.Reject(Message.RejectReason.AUTHENTICATION, "authentication failed"));
		assertThat(nextFrame(in)).isNull();
		assertThat(acceptor.admitted).isEmpty();
		assertThat(in.isActive()).isFalse();
	}

	@Test
	void aProofCannotBeReplayedOnAnotherConnection() {
		EmbeddedChannel out = channel(this.abc, COOKIE, new Recorder(), this.bcd.address());
		EmbeddedChannel in = channel(this.bcd, COOKIE, new Recorder(), null);
		pump(out, in);
		List<byte[]> frames = frames(this.wire);
		byte[] recordedHello = frames.get(0);
		byte[] recordedResponse = frames.get(2);
		assertThat(decodeFrame(recordedResponse)).isInstanceOf(Message.Response.class);
		Recorder replayed = new Recorder();
		EmbeddedChannel victim = channel(this.bcd, COOKIE, replayed, null);
		victim.writeInbound(Unpooled.wrappedBuffer(recordedHello));
		victim.writeInbound(Unpooled.wrappedBuffer(recordedResponse));
		assertThat(replayed.admitted).isEmpty();
		assertThat(victim.isActive()).isFalse();
	}

	@Test
	void anotherMajorVersionIsRefusedWithItsReason() {
		EmbeddedChannel in = channel(this.bcd, COOKIE, new Recorder(), null);
		in.writeInbound(lengthPrefixed(hello(3)));
		Message.Reject reject = (Message.Reject) decodeFrame(nextFrame(in));
		assertThat(reject.reason()).isEqualTo(Message.RejectReason.VERSION);
		assertThat(reject.detail()).contains("protocol 2.0").contains("protocol 3");
		assertThat(in.isActive()).isFalse();
	}

	@Test
	void anInitiatorRefusedForItsVersionSaysWhy() {
		Recorder initiator = new Recorder();
		EmbeddedChannel out = channel(this.abc, COOKIE, initiator, this.bcd.address());
		assertThat(decodeFrame(nextFrame(out))).isInstanceOf(Message.Hello.class);
		out.writeInbound(lengthPrefixed(FrameCodec.toBytes(
				new Message.Reject(Message.RejectReason.VERSION, "this node speaks protocol 3.0 and cannot talk to protocol 2"))));
		assertThat(out.isActive()).isFalse();
		assertThat(initiator.closed).singleElement().satisfies((c) -> {
			assertThat(c.failure()).contains("VERSION").contains("protocol 3.0");
			assertThat(c.closedByPeer()).isFalse();
		});
	}

	@Test
	void refusedPeerIsNotEstablished() {
		Recorder initiator = new Recorder();
		Recorder acceptor = new Recorder();
		acceptor.refuse = new Message.Reject(Message.RejectReason.DUPLICATE_NAME, "taken");
		EmbeddedChannel out = channel(this.abc, COOKIE, initiator, this.bcd.address());
		EmbeddedChannel in = channel(this.bcd, COOKIE, acceptor, null);
		pump(out, in);
		assertThat(acceptor.established).isEmpty();
		assertThat(initiator.established).isEmpty();
		assertThat(in.isActive()).isFalse();
		assertThat(out.isActive()).isFalse();
	}

	@Test
	void aFrameOverTheHandshakeLimitClosesBeforeAnythingIsBuffered() {
		EmbeddedChannel in = channel(this.bcd, COOKIE, new Recorder(), null);
		ByteBuf header = Unpooled.buffer();
		header.writeInt(64 * 1024 - 4);
		header.writeBytes(new byte[100]);
		in.writeInbound(header);
		assertThat(in.isActive()).isFalse();
	}

	@Test
	void heartbeatBeforeTheHandshakeClosesTheConnection() {
		Recorder acceptor = new Recorder();
		EmbeddedChannel in = channel(this.bcd, COOKIE, acceptor, null);
		in.writeInbound(lengthPrefixed(FrameCodec.toBytes(new Message.Heartbeat(0))));
		assertThat(in.isActive()).isFalse();
		assertThat(acceptor.received).isEmpty();
	}

	@Test
	void garbageClosesTheConnectionBeforeTheHandshake() {
		EmbeddedChannel in = channel(this.bcd, COOKIE, new Recorder(), null);
		in.writeInbound(lengthPrefixed(new byte[] { 1, 0, 2, (byte) 0xff }));
		assertThat(in.isActive()).isFalse();
	}

	@Test
	void afterTheHandshakeAnInvalidFrameIsSkippedAndTheConnectionStays() {
		Recorder acceptor = new Recorder();
		EmbeddedChannel out = channel(this.abc, COOKIE, new Recorder(), this.bcd.address());
		EmbeddedChannel in = channel(this.bcd, COOKIE, acceptor, null);
		pump(out, in);
		// an enum value out of range from a peer of the same minor version, then garbage, then a good frame
		in.writeInbound(lengthPrefixed(FrameCodec.toBytes(new Message.SingletonState("distro", 200, 1, 0, "", 0))));
		in.writeInbound(lengthPrefixed(new byte[] { FrameCodec.SINGLETON_STATE, 0, 50, 1 }));
		in.writeInbound(lengthPrefixed(FrameCodec.toBytes(new Message.Heartbeat(7))));
		assertThat(in.isActive()).isTrue();
		assertThat(this.counters.invalidFrames()).isEqualTo(2);
		assertThat(acceptor.received).containsExactly(new Message.Heartbeat(7));
	}

	@Test
	void aMessageOfAnUnknownTypeAfterTheHandshakeIsSkipped() {
		Recorder acceptor = new Recorder();
		EmbeddedChannel out = channel(this.abc, COOKIE, new Recorder(), this.bcd.address());
		EmbeddedChannel in = channel(this.bcd, COOKIE, acceptor, null);
		pump(out, in);
		in.writeInbound(lengthPrefixed(new byte[] { (byte) 200, 1, 2, 3 }));
		assertThat(in.isActive()).isTrue();
		assertThat(this.counters.unknownMessages()).isEqualTo(1);
		assertThat(acceptor.received).isEmpty();
	}

	@Test
	void anErrorOfThisNodesOwnHandlerDoesNotCloseTheConnection() {
		Recorder acceptor = new Recorder();
		acceptor.fail = true;
		EmbeddedChannel out = channel(this.abc, COOKIE, new Recorder(), this.bcd.address());
		EmbeddedChannel in = channel(this.bcd, COOKIE, acceptor, null);
		pump(out, in);
		in.writeInbound(lengthPrefixed(FrameCodec.toBytes(new Message.Heartbeat(1))));
		assertThat(in.isActive()).isTrue();
		assertThat(this.counters.handlerErrors()).isEqualTo(1);
		assertThat(nextFrame(in)).isNull();
	}

	@Test
	void onlyAnUnannouncedEndOfStreamReadsAsTheDeathOfThePeer() {
		Recorder announcedSide = new Recorder();
		EmbeddedChannel out = channel(this.abc, COOKIE, new Recorder(), this.bcd.address());
		EmbeddedChannel in = channel(this.bcd, COOKIE, announcedSide, null);
		pump(out, in);
		in.writeInbound(lengthPrefixed(FrameCodec.toBytes(new Message.Close(Message.CloseReason.LEAVING, "bye"))));
		assertThat(in.isActive()).isFalse();
		assertThat(announcedSide.closed).singleElement().satisfies((c) -> assertThat(c.closedByPeer()).isFalse());

		Recorder silentSide = new Recorder();
		EmbeddedChannel out2 = channel(this.abc, COOKIE, new Recorder(), this.bcd.address());
		EmbeddedChannel in2 = channel(this.bcd, COOKIE, silentSide, null);
		pump(out2, in2);
		in2.pipeline().fireChannelInactive();
		assertThat(silentSide.closed).singleElement().satisfies((c) -> assertThat(c.closedByPeer()).isTrue());
	}

	@Test
	void closingOnPurposeSaysWhyFirst() {
		Recorder acceptor = new Recorder();
		EmbeddedChannel out = channel(this.abc, COOKIE, new Recorder(), this.bcd.address());
		EmbeddedChannel in = channel(this.bcd, COOKIE, acceptor, null);
		pump(out, in);
		acceptor.established.get(0).close(Message.CloseReason.SPARE, "keeping the other one");
		assertThat(decodeFrame(nextFrame(in))).isEqualTo(new Message.Close(Message.CloseReason.SPARE, "keeping the other one"));
		assertThat(acceptor.closed).singleElement().satisfies((c) -> assertThat(c.closedByPeer()).isFalse());
	}

	@Test
	void pendingHandshakesAreCappedInAllAndPerAddress() {
		HandshakeGuard guard = new HandshakeGuard(3, 2);
		assertThat(guard.tryAcquire("10.0.0.1")).isTrue();
		assertThat(guard.tryAcquire("10.0.0.1")).isTrue();
		assertThat(guard.tryAcquire("10.0.0.1")).isFalse();
		assertThat(guard.tryAcquire("10.0.0.2")).isTrue();
		assertThat(guard.tryAcquire("10.0.0.3")).isFalse();
		guard.release("10.0.0.1");
		assertThat(guard.tryAcquire("10.0.0.3")).isTrue();
		assertThat(guard.pending()).isEqualTo(3);

		EmbeddedChannel busy = channel(this.bcd, COOKIE, new Recorder(), null, new HandshakeGuard(0, 0));
		assertThat(((Message.Reject) decodeFrame(nextFrame(busy))).reason())
			.isEqualTo(Message.RejectReason.BUSY);
		assertThat(busy.isActive()).isFalse();
		assertThat(this.counters.refusedHandshakes()).isEqualTo(1);
	}

	private byte[] challengeFrom(Recorder listener, String cookie) {
		EmbeddedChannel in = channel(this.bcd, cookie, listener, null);
		in.writeInbound(lengthPrefixed(hello(FrameCodec.PROTOCOL_MAJOR)));
		return nextFrame(in);
	}

	// the next whole frame the channel wrote (length prefix included), or null
	private static byte[] nextFrame(EmbeddedChannel channel) {
		ByteBuf header = channel.readOutbound();
		if (header == null) {
			return null;
		}
		ByteBuf all = Unpooled.buffer();
		all.writeBytes(header);
		header.release();
		while (all.readableBytes() < 4 + all.getInt(0)) {
			ByteBuf more = channel.readOutbound();
			all.writeBytes(more);
			more.release();
		}
		return ByteBufUtil.getBytes(all);
	}

	private static Message decodeFrame(byte[] frame) {
		return FrameCodec.decode(Unpooled.wrappedBuffer(frame, 4, frame.length - 4), FrameCodec.PROTOCOL_MINOR, true);
	}

	private static ByteBuf frame(byte[] lengthPrefixed) {
		return Unpooled.wrappedBuffer(lengthPrefixed, 4, lengthPrefixed.length - 4);
	}

	private byte[] hello(int major) {
		ByteBuf buffer = Unpooled.buffer();
		buffer.writeByte(FrameCodec.HELLO).writeShort(major);
		byte[] name = "abc@127.0.0.1".getBytes(StandardCharsets.UTF_8);
		buffer.writeShort(name.length).writeBytes(name);
		buffer.writeLong(0);
		byte[] host = "127.0.0.1".getBytes(StandardCharsets.UTF_8);
		buffer.writeShort(host.length).writeBytes(host);
		buffer.writeShort(9401).writeBytes(new byte[FrameCodec.NONCE_LENGTH]).writeShort(0);
		return ByteBufUtil.getBytes(buffer);
	}

	// the whole frames in what crossed the wire (both directions interleaved, chunks in order per frame)
	private static List<byte[]> frames(List<byte[]> chunks) {
		List<byte[]> frames = new ArrayList<>();
		ByteBuf pending = Unpooled.buffer();
		for (byte[] chunk : chunks) {
			pending.writeBytes(chunk);
			while (pending.readableBytes() >= 4 && pending.readableBytes() >= 4 + pending.getInt(pending.readerIndex())) {
				byte[] frame = new byte[4 + pending.getInt(pending.readerIndex())];
				pending.readBytes(frame);
				frames.add(frame);
			}
		}
		return frames;
	}

	private static ByteBuf lengthPrefixed(byte[] body) {
		ByteBuf buffer = Unpooled.buffer();
		buffer.writeInt(body.length).writeBytes(body);
		return buffer;
	}

	private EmbeddedChannel channel(LocalNode self, String cookie, Recorder listener, NodeAddress dialled) {
		return channel(self, cookie, listener, dialled, new HandshakeGuard(8, 8));
	}

	private EmbeddedChannel channel(LocalNode self, String cookie, Recorder listener, NodeAddress dialled,
			HandshakeGuard guard) {
		PeerConnection connection = new PeerConnection(self, new CookieAuthenticator(cookie.toCharArray()), listener,
				dialled, 5000, 64 * 1024, new WarningLimiter(), this.counters, guard);
		return new EmbeddedChannel(new FrameDecoder(connection::frameLimit), new LengthFieldPrepender(4),
				MessageEncoder.INSTANCE, connection);
	}

	// moves bytes between the two channels until neither has anything more to say
	private void pump(EmbeddedChannel a, EmbeddedChannel b) {
		boolean moved = true;
		while (moved) {
			moved = transfer(a, b) | transfer(b, a);
		}
	}

	private boolean transfer(EmbeddedChannel from, EmbeddedChannel to) {
		boolean moved = false;
		ByteBuf chunk;
		while ((chunk = from.readOutbound()) != null) {
			this.wire.add(ByteBufUtil.getBytes(chunk));
			moved = true;
			if (to.isActive()) {
				to.writeInbound(chunk);
			}
			else {
				chunk.release();
			}
		}
		return moved;
	}

	private static int indexOf(byte[] haystack, byte[] needle) {
		outer: for (int i = 0; i + needle.length <= haystack.length; i++) {
			for (int j = 0; j < needle.length; j++) {
				if (haystack[i + j] != needle[j]) {
					continue outer;
				}
			}
			return i;
		}
		return -1;
	}

	static final class Recorder implements ConnectionListener {

		final List<PeerConnection> admitted = new ArrayList<>();

		final List<PeerConnection> established = new ArrayList<>();

		final List<PeerConnection> closed = new ArrayList<>();

		final List<Message> received = new ArrayList<>();

		Message.Reject refuse;

		boolean fail;

		@Override
		public Message.Reject admit(PeerConnection connection, PeerIdentity peer) {
			this.admitted.add(connection);
			return this.refuse;
		}

		@Override
		public void established(PeerConnection connection) {
			this.established.add(connection);
		}

		@Override
		public void received(PeerConnection connection, Message message) {
			if (this.fail) {
				throw new IllegalStateException("a bug of this node's own");
			}
			this.received.add(message);
		}

		@Override
		public void closed(PeerConnection connection) {
			this.closed.add(connection);
		}

	}

}
