package dev.clustering.transport;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import org.junit.jupiter.api.Test;

import dev.clustering.membership.LocalNode;
import dev.clustering.membership.NodeAddress;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The handshake between two connections wired back to back, without sockets.
 */
class HandshakeTests {

	private static final String COOKIE = "correct-horse-battery";

	private final LocalNode abc = new LocalNode("abc@127.0.0.1", new NodeAddress("127.0.0.1", 9401), 1, Map.of());

	private final LocalNode bcd = new LocalNode("bcd@127.0.0.1", new NodeAddress("127.0.0.1", 9402), 2, Map.of());

	private final List<byte[]> wire = new ArrayList<>();

	@Test
	void sameCookieEstablishesBothSides() {
		Recorder initiator = new Recorder();
		Recorder acceptor = new Recorder();
		EmbeddedChannel out = channel(this.abc, COOKIE, initiator, this.bcd.address());
		EmbeddedChannel in = channel(this.bcd, COOKIE, acceptor, null);
		pump(out, in);
		assertThat(initiator.established).singleElement()
			.satisfies((c) -> assertThat(c.peer().name()).isEqualTo("bcd@127.0.0.1"));
		assertThat(acceptor.established).singleElement()
			.satisfies((c) -> assertThat(c.peer().name()).isEqualTo("abc@127.0.0.1"));
		assertThat(out.isActive()).isTrue();
		assertThat(in.isActive()).isTrue();
	}

	@Test
	void differentCookiesNeverEstablish() {
		Recorder initiator = new Recorder();
		Recorder acceptor = new Recorder();
		EmbeddedChannel out = channel(this.abc, COOKIE, initiator, this.bcd.address());
		EmbeddedChannel in = channel(this.bcd, "another-cookie", acceptor, null);
		pump(out, in);
		assertThat(initiator.established).isEmpty();
		assertThat(acceptor.established).isEmpty();
		assertThat(initiator.admitted).isEmpty();
		assertThat(out.isActive()).isFalse();
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
	}

	@Test
	void heartbeatBeforeTheHandshakeClosesTheConnection() {
		Recorder acceptor = new Recorder();
		EmbeddedChannel in = channel(this.bcd, COOKIE, acceptor, null);
		ByteBuf frame = Unpooled.buffer();
		FrameCodec.encode(new Message.Heartbeat(), frame);
		in.writeInbound(frame);
		assertThat(in.isActive()).isFalse();
		assertThat(acceptor.received).isEmpty();
	}

	@Test
	void garbageClosesTheConnection() {
		EmbeddedChannel in = channel(this.bcd, COOKIE, new Recorder(), null);
		in.writeInbound(Unpooled.wrappedBuffer(new byte[] { 1, 0, 1, (byte) 0xff }));
		assertThat(in.isActive()).isFalse();
	}

	private EmbeddedChannel channel(LocalNode self, String cookie, Recorder listener, NodeAddress dialled) {
		PeerConnection connection = new PeerConnection(self, new CookieAuthenticator(cookie.toCharArray()), listener,
				dialled, 5000);
		return new EmbeddedChannel(MessageEncoder.INSTANCE, connection);
	}

	// moves frames between the two channels until neither has anything more to say
	private void pump(EmbeddedChannel a, EmbeddedChannel b) {
		boolean moved = true;
		while (moved) {
			moved = transfer(a, b) | transfer(b, a);
		}
	}

	private boolean transfer(EmbeddedChannel from, EmbeddedChannel to) {
		boolean moved = false;
		ByteBuf frame;
		while ((frame = from.readOutbound()) != null) {
			this.wire.add(ByteBufUtil.getBytes(frame));
			moved = true;
			if (to.isActive()) {
				to.writeInbound(frame);
			}
			else {
				frame.release();
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

		final List<Message> received = new ArrayList<>();

		Message.Reject refuse;

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
			this.received.add(message);
		}

		@Override
		public void closed(PeerConnection connection) {
		}

	}

}
