package dev.clustering.transport;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import com.code_intelligence.jazzer.junit.FuzzTest;
import org.junit.jupiter.api.extension.ExtendWith;

import dev.clustering.membership.NodeAddress;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Fuzzes the handshake: an acceptor, and separately an initiator, fed chunks of a stream chosen by
 * the fuzzer, which does not know the cookie. Whatever it sends: nothing escapes the pipeline, the
 * peer is never admitted nor the connection established, no message reaches the node, a frame whose
 * length is over the limit closes the connection before its body is buffered, a closed handshake is
 * a closed channel, a handshake never outlives its timeout, and every buffer written in is released.
 * In a plain test run the targets read only their seeds ({@code HandshakeFuzzTestsInputs/}).
 * <p>
 * Input: {@code [config u8: bit 0 = no cookie]} then steps
 * {@code [op u8][split u8][length u16][payload: length bytes]}; by {@code op % 10}: 0 the payload as
 * a raw chunk; 1 the payload as a frame body; 2 to 8 a well-formed Hello, Challenge, Response,
 * Welcome, Confirm, Reject or post-handshake message whose fields are read from the payload (see
 * {@link #message}); 9 the clock moves on by {@code u16 * 10} ms. A frame is written in one chunk,
 * or cut in two at {@code split / 256} of its length.
 */
@ExtendWith(QuietTransportLogs.class)
class HandshakeFuzzTests {

	private static final String[] NAMES = { "abc@127.0.0.1", "bcd@127.0.0.1", "n-1@[::1]", "x@node.example" };

	private static final String[] HOSTS = { "127.0.0.1", "::1", "node.example" };

	@FuzzTest(maxExecutions = 1_000_000, maxDuration = "1h")
	void anAcceptorAdmitsNoOneWhoCannotProveTheCookie(byte[] input) {
		handshake(input, false);
	}

	@FuzzTest(maxExecutions = 1_000_000, maxDuration = "1h")
	void anInitiatorAdmitsNoOneWhoCannotProveTheCookie(byte[] input) {
		handshake(input, true);
	}

	private static void handshake(byte[] input, boolean initiator) {
		FuzzInput in = new FuzzInput(input);
		String cookie = ((in.u8() & 1) != 0) ? "" : FuzzPipeline.COOKIE;
		FuzzListener listener = new FuzzListener();
		FuzzPipeline pipe = initiator
				? FuzzPipeline.open(FuzzPipeline.INITIATOR, cookie, listener, FuzzPipeline.ACCEPTOR.address())
				: FuzzPipeline.open(FuzzPipeline.ACCEPTOR, cookie, listener, null);
		long clock = 0;
		check(pipe, listener, initiator, clock);
		while (in.hasMore() && pipe.channel.isOpen()) {
			int op = in.u8() % 10;
			int split = in.u8();
			byte[] payload = in.upTo(in.u16());
			if (op == 0) {
				pipe.write(payload);
			}
			else if (op == 1) {
				pipe.writeFrame(payload, split);
			}
			else if (op < 9) {
				pipe.writeFrame(FrameCodec.toBytes(message(op, new FuzzInput(payload))), split);
			}
			else {
				long millis = new FuzzInput(payload).u16() * 10L;
				clock += millis;
				pipe.channel.advanceTimeBy(millis, TimeUnit.MILLISECONDS);
				pipe.channel.runPendingTasks();
			}
			check(pipe, listener, initiator, clock);
		}
		assertThat(pipe.finish()).as("buffers written in and never released").isZero();
		assertThat(listener.closed).as("times the node was told the connection closed").isEqualTo(1);
		assertThat(listener.admitted + listener.established).isZero();
	}

	private static void check(FuzzPipeline pipe, FuzzListener listener, boolean initiator, long clock) {
		pipe.channel.checkException();
		assertThat(listener.admitted).as("peers admitted without proof").isZero();
		assertThat(listener.established).as("connections established without proof").isZero();
		assertThat(listener.received).as("messages passed on before the handshake").isEmpty();
		PeerConnection.State state = pipe.connection.state();
		assertThat(state == PeerConnection.State.CLOSED).as("closed state (%s) and closed channel agree", state)
			.isEqualTo(!pipe.channel.isOpen());
		if (pipe.channel.isOpen()) {
			// the peer has not proved itself: until it sends its proof, only the handshake limit applies
			int limit = (state == PeerConnection.State.AWAIT_WELCOME) ? pipe.connection.frameLimit()
					: PeerConnection.HANDSHAKE_FRAME_LIMIT;
			assertThat(pipe.pendingFrameLength()).as("length of the frame being buffered, in %s", state)
				.isLessThanOrEqualTo(limit);
			assertThat(pipe.retained()).as("bytes buffered, in %s", state).isLessThan(4 + limit);
			assertThat(clock).as("time the handshake has been open").isLessThan(FuzzPipeline.HANDSHAKE_TIMEOUT_MILLIS);
		}
		List<Message> sent = pipe.sent();
		for (Message message : sent) {
			// never a Welcome or Confirm: those follow a proof the fuzzer cannot make
			if (initiator) {
				assertThat(message).isInstanceOfAny(Message.Hello.class, Message.Response.class, Message.Reject.class);
			}
			else {
				assertThat(message).isInstanceOfAny(Message.Challenge.class, Message.Reject.class);
			}
		}
	}

	/**
	 * A well-formed message of the kind {@code op} names, its fields read from the fuzzer's bytes.
	 * @param op 2 Hello, 3 Challenge, 4 Response, 5 Welcome, 6 Confirm, 7 Reject, 8 a message of the
	 * established protocol
	 * @param in the fields
	 * @return the message
	 */
	static Message message(int op, FuzzInput in) {
		return switch (op) {
			case 2 -> new Message.Hello(in.u16(), in.u16(), pick(NAMES, in), address(in), in.fixed(FrameCodec.NONCE_LENGTH));
			case 3 -> new Message.Challenge(pick(NAMES, in), in.u16(), in.fixed(FrameCodec.NONCE_LENGTH));
			case 4 -> new Message.Response(in.fixed(FrameCodec.PROOF_LENGTH), in.i64());
			case 5 -> new Message.Welcome(in.fixed(FrameCodec.PROOF_LENGTH), in.i64(), address(in), metadata(in));
			case 6 -> new Message.Confirm(metadata(in));
			case 7 -> new Message.Reject(pick(Message.RejectReason.values(), in), text(in));
			default -> switch (in.u8() % 3) {
				case 0 -> new Message.Heartbeat(in.i64());
				case 1 -> new Message.Leaving();
				default -> new Message.Close(pick(Message.CloseReason.values(), in), text(in));
			};
		};
	}

	private static NodeAddress address(FuzzInput in) {
		return new NodeAddress(pick(HOSTS, in), Math.max(1, in.u16()));
	}

	// up to 4 entries, each value up to 4096 bytes: a Welcome can outgrow the handshake's frame limit
	private static Map<String, String> metadata(FuzzInput in) {
		Map<String, String> metadata = new LinkedHashMap<>();
		int entries = in.u8() % 5;
		for (int i = 0; i < entries; i++) {
			metadata.put("k" + i, text(in));
		}
		return metadata;
	}

	private static String text(FuzzInput in) {
		return "x".repeat(in.u16() % (WireText.MAX_STRING_BYTES + 1));
	}

	private static <T> T pick(T[] values, FuzzInput in) {
		return values[in.u8() % values.length];
	}

}
