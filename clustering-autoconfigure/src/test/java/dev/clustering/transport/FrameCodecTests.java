package dev.clustering.transport;

import java.util.Map;
import java.util.Random;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.CorruptedFrameException;
import org.junit.jupiter.api.Test;

import dev.clustering.membership.NodeAddress;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

class FrameCodecTests {

	private static Message roundTrip(Message message) {
		ByteBuf buffer = Unpooled.buffer();
		FrameCodec.encode(message, buffer);
		return FrameCodec.decode(buffer);
	}

	@Test
	void everyMessageSurvivesARoundTrip() {
		byte[] nonce = new byte[FrameCodec.NONCE_LENGTH];
		new Random(1).nextBytes(nonce);
		Message.Hello hello = (Message.Hello) roundTrip(new Message.Hello(FrameCodec.PROTOCOL_VERSION, "abc@[::1]", 42L,
				new NodeAddress("::1", 9401), nonce, Map.of("zone", "eu-1")));
		assertThat(hello.name()).isEqualTo("abc@[::1]");
		assertThat(hello.incarnation()).isEqualTo(42L);
		assertThat(hello.address()).isEqualTo(new NodeAddress("::1", 9401));
		assertThat(hello.nonce()).isEqualTo(nonce);
		assertThat(hello.metadata()).containsEntry("zone", "eu-1");
		Message.Challenge challenge = (Message.Challenge) roundTrip(new Message.Challenge("bcd@h", -7L,
				new NodeAddress("10.0.0.2", 1), nonce, Map.of(), new byte[] { 1, 2, 3 }));
		assertThat(challenge.proof()).containsExactly(1, 2, 3);
		assertThat(roundTrip(new Message.Response(new byte[32]))).isInstanceOf(Message.Response.class);
		Message.Reject reject = (Message.Reject) roundTrip(
				new Message.Reject(Message.RejectReason.DUPLICATE_NAME, "taken"));
		assertThat(reject.reason()).isEqualTo(Message.RejectReason.DUPLICATE_NAME);
		assertThat(reject.detail()).isEqualTo("taken");
		assertThat(roundTrip(new Message.Welcome())).isInstanceOf(Message.Welcome.class);
		assertThat(roundTrip(new Message.Heartbeat())).isInstanceOf(Message.Heartbeat.class);
		assertThat(roundTrip(new Message.Leave())).isInstanceOf(Message.Leave.class);
	}

	@Test
	void heartbeatIsOneByte() {
		ByteBuf buffer = Unpooled.buffer();
		FrameCodec.encode(new Message.Heartbeat(), buffer);
		assertThat(buffer.readableBytes()).isEqualTo(1);
	}

	@Test
	void unknownTypeIsCorrupt() {
		assertThatExceptionOfType(CorruptedFrameException.class)
			.isThrownBy(() -> FrameCodec.decode(Unpooled.wrappedBuffer(new byte[] { 99 })));
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
		FrameCodec.encode(new Message.Heartbeat(), buffer);
		buffer.writeByte(0);
		assertThatExceptionOfType(CorruptedFrameException.class).isThrownBy(() -> FrameCodec.decode(buffer));
	}

	@Test
	void randomBytesNeverEscapeAsAnythingButCorruptFrames() {
		Random random = new Random(7);
		for (int i = 0; i < 5000; i++) {
			byte[] bytes = new byte[1 + random.nextInt(200)];
			random.nextBytes(bytes);
			bytes[0] = (byte) (1 + random.nextInt(7)); // a valid type, so field parsing is exercised
			try {
				FrameCodec.decode(Unpooled.wrappedBuffer(bytes));
			}
			catch (CorruptedFrameException ex) {
				// expected for almost every input
			}
		}
	}

}
