package dev.clustering.transport;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.CorruptedFrameException;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Fuzzes {@link FrameCodec#decode(ByteBuf, int, boolean)} with any frame body, for any peer minor
 * version, before and after the handshake. In a plain test run it reads only its seeds
 * ({@code FrameCodecFuzzTestsInputs/}); {@code bin/fuzz} runs it under the fuzzer.
 * <p>
 * Input: {@code [flags u8: bit 0 = established][peer minor i32][frame body...]}.
 */
class FrameCodecFuzzTests {

	@FuzzTest(maxExecutions = 1_000_000, maxDuration = "1h")
	void aFrameEitherIsCorruptOrDecodesToAMessageThatRoundTrips(byte[] input) {
		FuzzInput in = new FuzzInput(input);
		boolean established = (in.u8() & 1) != 0;
		int peerMinor = in.i32();
		ByteBuf body = Unpooled.wrappedBuffer(in.rest());
		Message message;
		try {
			message = FrameCodec.decode(body, peerMinor, established);
		}
		catch (CorruptedFrameException ex) {
			return;
		}
		assertThat(body.isReadable()).as("a decoded frame is read to its end").isFalse();
		if (message instanceof Message.ForeignHello || message instanceof Message.Unknown) {
			// read only far enough to refuse or skip it, and never sent: nothing to re-encode
			assertThat(established || message instanceof Message.ForeignHello).isTrue();
			return;
		}
		assertThat(FuzzMessages.roundTripError(message, peerMinor, established)).isNull();
	}

}
