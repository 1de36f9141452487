package dev.clustering.transport;

import java.util.ArrayList;
import java.util.List;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.CorruptedFrameException;
import org.junit.jupiter.api.extension.ExtendWith;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Fuzzes an established connection, reached by a real handshake between two connections that share
 * the cookie, with well-framed input from its peer: whatever the frames hold, nothing escapes the
 * pipeline, the connection stays open (unless the peer says {@link Message.Close}), the node receives
 * exactly the frames that decode to messages of the established protocol and each of them
 * re-encodes to itself, no handler error is counted, and every buffer is released. In a plain test
 * run the target reads only its seeds ({@code EstablishedConnectionFuzzTestsInputs/}).
 * <p>
 * Input: {@code [config u8: bit 0 = fuzz the initiator's side, else the acceptor's]} then frames
 * {@code [split u8][length u16][body: length bytes]}; a frame is written in one chunk, or cut in two
 * at {@code split / 256} of its length. An empty body is skipped (length 0 breaks the framing).
 */
@ExtendWith(QuietTransportLogs.class)
class EstablishedConnectionFuzzTests {

	@FuzzTest(maxExecutions = 1_000_000, maxDuration = "1h")
	void anEstablishedConnectionPassesOnOnlyWhatDecodesAndStaysOpen(byte[] input) {
		FuzzInput in = new FuzzInput(input);
		boolean initiatorSide = (in.u8() & 1) != 0;
		FuzzListener initiator = new FuzzListener();
		FuzzListener acceptor = new FuzzListener();
		FuzzPipeline out = FuzzPipeline.open(FuzzPipeline.INITIATOR, FuzzPipeline.COOKIE, initiator,
				FuzzPipeline.ACCEPTOR.address());
		FuzzPipeline inbound = FuzzPipeline.open(FuzzPipeline.ACCEPTOR, FuzzPipeline.COOKIE, acceptor, null);
		FuzzPipeline.pump(out, inbound);
		assertThat(initiator.established + acceptor.established).as("both sides established").isEqualTo(2);
		FuzzPipeline pipe = initiatorSide ? out : inbound;
		FuzzListener listener = initiatorSide ? initiator : acceptor;
		pipe.sent();

		List<Message> expected = new ArrayList<>();
		boolean closedByPeer = false;
		while (in.hasMore() && !closedByPeer) {
			int split = in.u8();
			byte[] body = in.upTo(in.u16());
			if (body.length == 0) {
				continue;
			}
			Message message = decode(body, pipe.connection.peerMinor());
			closedByPeer = message instanceof Message.Close;
			if (message != null && !closedByPeer && !isHandshake(message) && !(message instanceof Message.Unknown)) {
				expected.add(message);
			}
			pipe.writeFrame(body, split);
			pipe.channel.checkException();
			assertThat(pipe.channel.isOpen()).as("open after a well-framed %s", (message != null) ? message : "invalid frame")
				.isEqualTo(!closedByPeer);
			assertThat(pipe.retained()).as("bytes buffered between whole frames").isZero();
		}

		assertThat(listener.received).hasSameSizeAs(expected);
		for (int i = 0; i < expected.size(); i++) {
			Message received = listener.received.get(i);
			assertThat(FuzzMessages.same(received, expected.get(i))).as("received %s, sent %s", received, expected.get(i))
				.isTrue();
			assertThat(FuzzMessages.roundTripError(received, pipe.connection.peerMinor(), true)).isNull();
		}
		assertThat(pipe.counters.handlerErrors()).as("errors of this node's own handlers").isZero();
		assertThat(pipe.finish()).as("buffers written in and never released").isZero();
		assertThat(listener.closed).isEqualTo(1);
		(initiatorSide ? inbound : out).finish();
	}

	private static Message decode(byte[] body, int peerMinor) {
		try {
			return FrameCodec.decode(Unpooled.wrappedBuffer(body), peerMinor, true);
		}
		catch (CorruptedFrameException ex) {
			return null;
		}
	}

	private static boolean isHandshake(Message message) {
		return message instanceof Message.Hello || message instanceof Message.ForeignHello
				|| message instanceof Message.Challenge || message instanceof Message.Response
				|| message instanceof Message.Welcome || message instanceof Message.Confirm
				|| message instanceof Message.Reject;
	}

}
