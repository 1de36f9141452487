package dev.clustering.transport;

import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.CorruptedFrameException;
import org.junit.jupiter.api.Test;

import dev.clustering.membership.NodeAddress;
import dev.clustering.singleton.SingletonState;
import dev.clustering.singleton.StartType;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

/**
 * The frame codec: every message survives a round trip, and nothing a peer sends gets past
 * decoding unless every field is valid.
 */
class FrameCodecTests {

	private static final byte[] NONCE = new byte[FrameCodec.NONCE_LENGTH];

	private static final byte[] PROOF = new byte[FrameCodec.PROOF_LENGTH];

	private static Message roundTrip(Message message) {
		ByteBuf buffer = Unpooled.buffer();
		FrameCodec.encode(message, buffer);
		return FrameCodec.decode(buffer, FrameCodec.PROTOCOL_MINOR, true);
	}

	@Test
	void everyMessageSurvivesARoundTrip() {
		new Random(1).nextBytes(NONCE);
		Message.Hello hello = (Message.Hello) roundTrip(new Message.Hello(FrameCodec.PROTOCOL_MAJOR, 3, "abc@[::1]",
				new NodeAddress("::1", 9401), NONCE));
		assertThat(hello.name()).isEqualTo("abc@[::1]");
		assertThat(hello.minor()).isEqualTo(3);
		assertThat(hello.address()).isEqualTo(new NodeAddress("::1", 9401));
		assertThat(hello.nonce()).isEqualTo(NONCE);
		Message.Challenge challenge = (Message.Challenge) roundTrip(new Message.Challenge("bcd@h.example", 0, NONCE));
		assertThat(challenge.name()).isEqualTo("bcd@h.example");
		assertThat(((Message.Response) roundTrip(new Message.Response(PROOF, 42))).incarnation()).isEqualTo(42);
		Message.Welcome welcome = (Message.Welcome) roundTrip(
				new Message.Welcome(PROOF, 7, new NodeAddress("10.0.0.2", 9402), Map.of("zone", "eu-1")));
		assertThat(welcome.metadata()).containsEntry("zone", "eu-1");
		assertThat(welcome.address()).isEqualTo(new NodeAddress("10.0.0.2", 9402));
		assertThat(((Message.Confirm) roundTrip(new Message.Confirm(Map.of("a", "b")))).metadata()).containsEntry("a",
				"b");
		Message.Reject reject = (Message.Reject) roundTrip(
				new Message.Reject(Message.RejectReason.DUPLICATE_NAME, "taken"));
		assertThat(reject.reason()).isEqualTo(Message.RejectReason.DUPLICATE_NAME);
		assertThat(reject.detail()).isEqualTo("taken");
		assertThat(((Message.Close) roundTrip(new Message.Close(Message.CloseReason.SPARE, "spare"))).reason())
			.isEqualTo(Message.CloseReason.SPARE);
		assertThat(((Message.Heartbeat) roundTrip(new Message.Heartbeat(-5))).digest()).isEqualTo(-5);
		assertThat(roundTrip(new Message.Leaving())).isInstanceOf(Message.Leaving.class);
		assertThat(roundTrip(new Message.VoteRequest(1795306730046L, 5, 2000)))
			.isEqualTo(new Message.VoteRequest(1795306730046L, 5, 2000));
		assertThat(roundTrip(new Message.Vote(5, false, "abc@h", 4, 6))).isEqualTo(new Message.Vote(5, false, "abc@h", 4, 6));
		assertThat(roundTrip(new Message.Vote(5, true, "", 0, 6))).isEqualTo(new Message.Vote(5, true, "", 0, 6));
		assertThat(roundTrip(new Message.LeaseRenew(5, 9, 8, 3, 2000))).isEqualTo(new Message.LeaseRenew(5, 9, 8, 3, 2000));
		assertThat(roundTrip(new Message.LeaseAck(5, 9))).isEqualTo(new Message.LeaseAck(5, 9));
		assertThat(roundTrip(new Message.Resign(5))).isEqualTo(new Message.Resign(5));
		Message.SingletonState state = new Message.SingletonState("distro", SingletonState.RUNNING.ordinal(),
				(5L << 20) + 1, StartType.HANDOVER.ordinal(), "abc@h", 1700000000000L);
		assertThat(roundTrip(state)).isEqualTo(state);
		assertThat(((Message.StateSync) roundTrip(new Message.StateSync(List.of(state, state)))).states())
			.containsExactly(state, state);
		assertThat(roundTrip(new Message.StateRequest())).isInstanceOf(Message.StateRequest.class);
		Message.SingletonOrder order = new Message.SingletonOrder("distro", true, 9, 1, "", 0, 5000);
		assertThat(roundTrip(order)).isEqualTo(order);
		assertThat(roundTrip(new Message.MoveRequest("distro", "bcd@h"))).isEqualTo(new Message.MoveRequest("distro", "bcd@h"));
	}

	@Test
	void heartbeatIsNineBytes() {
		ByteBuf buffer = Unpooled.buffer();
		FrameCodec.encode(new Message.Heartbeat(0), buffer);
		assertThat(buffer.readableBytes()).isEqualTo(9);
	}

	@Test
	void unknownTypeIsCorruptBeforeTheHandshakeAndSkippedAfter() {
		assertThatExceptionOfType(CorruptedFrameException.class)
			.isThrownBy(() -> FrameCodec.decode(Unpooled.wrappedBuffer(new byte[] { 99, 1, 2 })));
		assertThat(FrameCodec.decode(Unpooled.wrappedBuffer(new byte[] { 99, 1, 2 }), 7, true))
			.isEqualTo(new Message.Unknown(99));
	}

	@Test
	void aHelloOfAnotherMajorVersionIsReadOnlyForItsVersion() {
		ByteBuf future = Unpooled.buffer();
		future.writeByte(1).writeShort(3).writeBytes("anything at all".getBytes(StandardCharsets.UTF_8));
		assertThat(FrameCodec.decode(future)).isEqualTo(new Message.ForeignHello(3));
		// protocol 1's hello: version, name, incarnation, address, nonce, metadata
		ByteBuf old = Unpooled.buffer();
		old.writeByte(1).writeShort(1);
		writeString(old, "abc@127.0.0.1");
		old.writeLong(99);
		writeString(old, "127.0.0.1");
		old.writeShort(9401).writeBytes(NONCE).writeShort(0);
		assertThat(FrameCodec.decode(old)).isEqualTo(new Message.ForeignHello(1));
	}

	@Test
	void ourHelloIsReadableByProtocolOneFarEnoughToRefuseIt() {
		// protocol 1 read: version, name, incarnation (long), host, port, nonce, metadata count; nothing after
		ByteBuf buffer = Unpooled.buffer();
		FrameCodec.encode(new Message.Hello(2, 0, "abc@127.0.0.1", new NodeAddress("127.0.0.1", 9401), NONCE), buffer);
		assertThat(buffer.readByte()).isEqualTo((byte) 1);
		assertThat(buffer.readUnsignedShort()).isEqualTo(2);
		buffer.skipBytes(buffer.readUnsignedShort());
		buffer.readLong();
		buffer.skipBytes(buffer.readUnsignedShort());
		buffer.readUnsignedShort();
		buffer.skipBytes(FrameCodec.NONCE_LENGTH);
		assertThat(buffer.readUnsignedShort()).isZero();
		assertThat(buffer.isReadable()).isFalse();
	}

	@Test
	void aHostThatLooksLikeAnAddressButIsNotOneIsRefusedWithoutALookUp() {
		ByteBuf buffer = helloWithHost("999.1.2.3");
		long started = System.nanoTime();
		assertThatExceptionOfType(CorruptedFrameException.class).isThrownBy(() -> FrameCodec.decode(buffer));
		assertThat(System.nanoTime() - started).isLessThan(1_000_000_000L);
		assertThatIllegalArgumentException().isThrownBy(() -> new NodeAddress("999.1.2.3", 1));
		assertThatIllegalArgumentException().isThrownBy(() -> new NodeAddress("1.2.3", 1));
	}

	@Test
	void aHostNameIsKeptAsTextNeverResolved() {
		Message.Hello hello = (Message.Hello) FrameCodec.decode(helloWithHost("node-1.does-not-exist.invalid"));
		assertThat(hello.address().host()).isEqualTo("node-1.does-not-exist.invalid");
		assertThat(hello.address().isIpLiteral()).isFalse();
	}

	@Test
	void namesFollowOneGrammar() {
		assertThat(WireText.isNodeName("abc@127.0.0.1")).isTrue();
		assertThat(WireText.isNodeName("orders-1.blue_2@node.example.com")).isTrue();
		assertThat(WireText.isNodeName("abc@[::1]")).isTrue();
		assertThat(WireText.isNodeName("abc@::1")).isFalse();
		assertThat(WireText.isNodeName("abc")).isFalse();
		assertThat(WireText.isNodeName("a@b@c")).isFalse();
		assertThat(WireText.isNodeName("abc\n2026-12-01 ERROR forged@h")).isFalse();
		assertThat(WireText.isNodeName("ab c@h")).isFalse();
		assertThat(WireText.isNodeName("-abc@h")).isFalse();
		assertThat(WireText.isNodeName("abc@999.1.2.3")).isFalse();
		assertThat(WireText.isNodeName("x".repeat(65) + "@h")).isFalse();
	}

	@Test
	void aNameWithANewLineCannotForgeALogLine() {
		ByteBuf buffer = Unpooled.buffer();
		buffer.writeByte(FrameCodec.CHALLENGE);
		writeString(buffer, "abc@h\n12:00:00 WARN forged");
		buffer.writeShort(0).writeBytes(NONCE);
		assertThatExceptionOfType(CorruptedFrameException.class).isThrownBy(() -> FrameCodec.decode(buffer));
		assertThat(WireText.forLog("a\nb\u2028c")).isEqualTo("a\\u000ab\\u2028c");
	}

	@Test
	void controlCharactersAreRefusedInEveryString() {
		ByteBuf buffer = Unpooled.buffer();
		buffer.writeByte(FrameCodec.REJECT).writeByte(0);
		writeString(buffer, "detail\r\nwith a line break");
		assertThatExceptionOfType(CorruptedFrameException.class).isThrownBy(() -> FrameCodec.decode(buffer));
		assertThatIllegalArgumentException()
			.isThrownBy(() -> FrameCodec.toBytes(new Message.Reject(Message.RejectReason.VERSION, "a\u0000b")));
	}

	@Test
	void invalidUtf8IsRefusedNotReplaced() {
		ByteBuf buffer = Unpooled.buffer();
		buffer.writeByte(FrameCodec.CLOSE).writeByte(0);
		byte[] invalid = { 'o', 'k', (byte) 0xc3, (byte) 0x28 };
		buffer.writeShort(invalid.length).writeBytes(invalid);
		assertThatExceptionOfType(CorruptedFrameException.class).isThrownBy(() -> FrameCodec.decode(buffer));
	}

	@Test
	void stringsHaveOneLimitOnBothSides() {
		String longest = "x".repeat(WireText.MAX_STRING_BYTES);
		assertThat(roundTrip(new Message.Reject(Message.RejectReason.VERSION, longest))).isNotNull();
		assertThatIllegalArgumentException()
			.isThrownBy(() -> FrameCodec.toBytes(new Message.Reject(Message.RejectReason.VERSION, longest + "x")));
		// four bytes per character: within the limit in chars, over it in bytes
		String wide = "\uD83D\uDE00".repeat(WireText.MAX_STRING_BYTES / 4 + 1);
		assertThatIllegalArgumentException()
			.isThrownBy(() -> FrameCodec.toBytes(new Message.Reject(Message.RejectReason.VERSION, wide)));
		ByteBuf buffer = Unpooled.buffer();
		buffer.writeByte(FrameCodec.CLOSE).writeByte(0).writeShort(WireText.MAX_STRING_BYTES + 1);
		buffer.writeBytes(new byte[WireText.MAX_STRING_BYTES + 1]);
		assertThatExceptionOfType(CorruptedFrameException.class).isThrownBy(() -> FrameCodec.decode(buffer));
	}

	@Test
	void enumValuesOutOfRangeAreErrorsUnlessThePeerIsNewer() {
		Message.SingletonState unknownState = new Message.SingletonState("distro", 200, 1, 0, "", 0);
		ByteBuf buffer = Unpooled.buffer();
		FrameCodec.encode(unknownState, buffer);
		ByteBuf copy = buffer.copy();
		assertThatExceptionOfType(CorruptedFrameException.class)
			.isThrownBy(() -> FrameCodec.decode(buffer, FrameCodec.PROTOCOL_MINOR, true));
		assertThat(FrameCodec.decode(copy, FrameCodec.PROTOCOL_MINOR + 1, true)).isEqualTo(unknownState);
		// a close or reject reason added later reads as the catch-all: the connection closes either way
		ByteBuf close = Unpooled.buffer();
		close.writeByte(FrameCodec.CLOSE).writeByte(77).writeShort(0);
		assertThat(((Message.Close) FrameCodec.decode(close, 0, true)).reason()).isEqualTo(Message.CloseReason.OTHER);
	}

	@Test
	void tokensAreNeitherNegativeNorBeyondTheirRange() {
		ByteBuf negative = Unpooled.buffer();
		negative.writeByte(FrameCodec.VOTE_REQUEST).writeLong(-1).writeInt(3).writeInt(2000);
		assertThatExceptionOfType(CorruptedFrameException.class).isThrownBy(() -> FrameCodec.decode(negative, 0, true));
		ByteBuf huge = Unpooled.buffer();
		huge.writeByte(FrameCodec.LEASE_RENEW).writeLong(Long.MAX_VALUE).writeLong(1).writeLong(0).writeInt(3)
			.writeInt(2000);
		assertThatExceptionOfType(CorruptedFrameException.class).isThrownBy(() -> FrameCodec.decode(huge, 0, true));
		assertThatIllegalArgumentException()
			.isThrownBy(() -> FrameCodec.toBytes(new Message.VoteRequest(Long.MAX_VALUE, 3, 2000)));
		// a node count or a lease out of range is refused too
		ByteBuf noNodes = Unpooled.buffer();
		noNodes.writeByte(FrameCodec.VOTE_REQUEST).writeLong(5).writeInt(0).writeInt(2000);
		assertThatExceptionOfType(CorruptedFrameException.class).isThrownBy(() -> FrameCodec.decode(noNodes, 0, true));
		ByteBuf longLease = Unpooled.buffer();
		longLease.writeByte(FrameCodec.VOTE_REQUEST).writeLong(5).writeInt(3).writeInt(Integer.MAX_VALUE);
		assertThatExceptionOfType(CorruptedFrameException.class).isThrownBy(() -> FrameCodec.decode(longLease, 0, true));
	}

	@Test
	void metadataIsBounded() {
		Map<String, String> many = new HashMap<>();
		for (int i = 0; i <= FrameCodec.MAX_METADATA_ENTRIES; i++) {
			many.put("k" + i, "v");
		}
		assertThatIllegalArgumentException().isThrownBy(() -> FrameCodec.toBytes(new Message.Confirm(many)));
		ByteBuf buffer = Unpooled.buffer();
		buffer.writeByte(FrameCodec.CONFIRM).writeShort(2);
		writeString(buffer, "same");
		writeString(buffer, "1");
		writeString(buffer, "same");
		writeString(buffer, "2");
		assertThatExceptionOfType(CorruptedFrameException.class).isThrownBy(() -> FrameCodec.decode(buffer, 0, true));
	}

	@Test
	void truncatedFieldIsCorrupt() {
		ByteBuf buffer = Unpooled.buffer();
		FrameCodec.encode(new Message.Reject(Message.RejectReason.VERSION, "some detail"), buffer);
		ByteBuf truncated = buffer.slice(0, buffer.readableBytes() - 3);
		assertThatExceptionOfType(CorruptedFrameException.class).isThrownBy(() -> FrameCodec.decode(truncated));
	}

	@Test
	void trailingBytesAreCorrupt() {
		ByteBuf buffer = Unpooled.buffer();
		FrameCodec.encode(new Message.Heartbeat(1), buffer);
		buffer.writeByte(0);
		assertThatExceptionOfType(CorruptedFrameException.class).isThrownBy(() -> FrameCodec.decode(buffer));
	}

	@Test
	void randomBytesNeverEscapeAsAnythingButCorruptFrames() {
		Random random = new Random(7);
		for (int i = 0; i < 20000; i++) {
			byte[] bytes = new byte[1 + random.nextInt(200)];
			random.nextBytes(bytes);
			bytes[0] = (byte) (1 + random.nextInt(19)); // a valid type, so field parsing is exercised
			try {
				FrameCodec.decode(Unpooled.wrappedBuffer(bytes), random.nextInt(3), random.nextBoolean());
			}
			catch (CorruptedFrameException ex) {
				// expected for almost every input
			}
		}
	}

	private static ByteBuf helloWithHost(String host) {
		ByteBuf buffer = Unpooled.buffer();
		buffer.writeByte(FrameCodec.HELLO).writeShort(FrameCodec.PROTOCOL_MAJOR);
		writeString(buffer, "abc@h");
		buffer.writeLong(0);
		writeString(buffer, host);
		buffer.writeShort(9401).writeBytes(NONCE).writeShort(0);
		return buffer;
	}

	private static void writeString(ByteBuf buffer, String text) {
		byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
		buffer.writeShort(bytes.length).writeBytes(bytes);
	}

}
