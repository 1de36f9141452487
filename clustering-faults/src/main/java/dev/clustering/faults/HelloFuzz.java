package dev.clustering.faults;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

import io.netty.buffer.Unpooled;
import io.netty.handler.codec.CorruptedFrameException;

import dev.clustering.transport.FrameCodec;
import dev.clustering.transport.Message;

import static dev.clustering.faults.FieldMutations.pick;

/**
 * What a client without the cookie sends on a new connection, and what the node must answer, as
 * the engine's own codec and the handshake's rules predict it: a hello of this major version gets a
 * challenge, one of another major a refusal (VERSION), a response after the challenge a refusal
 * (AUTHENTICATION: its proof is made up), anything else (garbage, a frame over the 1 KiB limit
 * before authentication, a length prefix of 0 or less, a message out of order) an immediate close.
 * Bytes that leave a frame unfinished get no answer; the client closes them itself.
 */
final class HelloFuzz {

	/** Largest frame before authentication (PeerConnection.HANDSHAKE_FRAME_LIMIT). */
	static final int HANDSHAKE_FRAME_LIMIT = 1024;

	/** What the node answers. */
	enum Answer {

		/** A challenge: the hello was accepted, the node waits for the proof. */
		CHALLENGE,

		/** A refusal (Reject) with a reason, then the end of the stream. */
		REJECTED,

		/** The end of the stream, with nothing said. */
		CLOSED

	}

	/**
	 * One connection's opening.
	 *
	 * @param frames the frames, each with its length prefix (or with a prefix that lies), in order
	 * @param expected the answers the node must give, in order (empty: nothing is predicted, the client
	 * closes at once)
	 * @param reason for an expected refusal, its reason
	 * @param label what kind of opening it is, for the report
	 */
	record Opening(List<byte[]> frames, List<Answer> expected, Message.RejectReason reason, String label) {
	}

	private final AttackContext context;

	private final Random random;

	private final List<String> ghosts;

	HelloFuzz(AttackContext context, Random random) {
		this.context = context;
		this.random = random;
		this.ghosts = context.ghosts();
	}

	Opening next() {
		int roll = this.random.nextInt(20);
		if (roll < 3) {
			// bytes with no framing at all
			return new Opening(List.of(FieldMutations.randomBytes(this.random, 1 + this.random.nextInt(200))), List.of(),
					null, "random bytes");
		}
		if (roll < 5) {
			int length = pick(this.random, 0, -1, HANDSHAKE_FRAME_LIMIT + 1, 65_536, Integer.MAX_VALUE,
					Integer.MIN_VALUE);
			byte[] bytes = ByteBuffer.allocate(4 + 16).putInt(length).put(FieldMutations.randomBytes(this.random, 16))
				.array();
			return new Opening(List.of(bytes), List.of(Answer.CLOSED), null, "bad length prefix");
		}
		if (roll < 6) {
			// a length prefix the bytes never fill: the node waits, the client goes
			byte[] hello = WireFrame.framed(validHello().bytes());
			return new Opening(List.of(Arrays.copyOf(hello, 4 + this.random.nextInt(hello.length - 4))),
					List.of(), null, "unfinished hello");
		}
		if (roll < 13) {
			WireFrame hello = validHello();
			for (int i = 1 + this.random.nextInt(3); i > 0; i--) {
				int index = this.random.nextInt(hello.fields().size());
				hello = hello.with(index, FieldMutations.mutate(hello.fields().get(index), this.random, this.ghosts));
			}
			byte[] body = (this.random.nextInt(5) == 0) ? FieldMutations.damage(hello.bytes(), this.random)
					: hello.bytes();
			return first(body, "mutated hello");
		}
		// a valid hello, then garbage where the proof should be (sometimes in the same write)
		byte[] hello = validHello().bytes();
		byte[] next = afterHello();
		Opening opening = first(next, "");
		List<Answer> expected = new ArrayList<>();
		expected.add(Answer.CHALLENGE);
		Message.RejectReason reason = null;
		if (opening.expected().equals(List.of(Answer.CHALLENGE)) || opening.expected().get(0) == Answer.REJECTED) {
			// a hello (or a foreign one) where the proof should be is out of order
			expected.add(Answer.CLOSED);
		}
		else if (responseShaped(next)) {
			expected.add(Answer.REJECTED);
			reason = Message.RejectReason.AUTHENTICATION;
		}
		else {
			expected.add(Answer.CLOSED);
		}
		return new Opening(List.of(WireFrame.framed(hello), frame(next)), expected, reason, "hello, then garbage");
	}

	// the node's answer to a first frame
	private Opening first(byte[] body, String label) {
		if (body.length == 0) {
			return new Opening(List.of(frame(body)), List.of(Answer.CLOSED), null, label);
		}
		Message message = decode(body);
		if (body.length > HANDSHAKE_FRAME_LIMIT || message == null) {
			return new Opening(List.of(frame(body)), List.of(Answer.CLOSED), null, label);
		}
		if (message instanceof Message.ForeignHello) {
			return new Opening(List.of(frame(body)), List.of(Answer.REJECTED), Message.RejectReason.VERSION, label);
		}
		if (message instanceof Message.Hello) {
			return new Opening(List.of(frame(body)), List.of(Answer.CHALLENGE), null, label);
		}
		return new Opening(List.of(frame(body)), List.of(Answer.CLOSED), null, label);
	}

	private boolean responseShaped(byte[] body) {
		return body.length <= HANDSHAKE_FRAME_LIMIT && decode(body) instanceof Message.Response;
	}

	private static Message decode(byte[] body) {
		try {
			return FrameCodec.decode(Unpooled.wrappedBuffer(body), FrameCodec.PROTOCOL_MINOR, false);
		}
		catch (CorruptedFrameException ex) {
			return null;
		}
	}

	private byte[] frame(byte[] body) {
		return WireFrame.framed(body);
	}

	// what follows a hello in place of a proof: a made-up proof, a broken one, or another message
	private byte[] afterHello() {
		Random r = this.random;
		return switch (r.nextInt(8)) {
			case 0, 1 -> WireMessages.response(FieldMutations.randomBytes(r, FrameCodec.PROOF_LENGTH), r.nextLong()).bytes();
			case 2 -> {
				WireFrame response = WireMessages.response(FieldMutations.randomBytes(r, FrameCodec.PROOF_LENGTH),
						r.nextLong());
				int index = r.nextInt(response.fields().size());
				yield response.with(index, FieldMutations.mutate(response.fields().get(index), r, this.ghosts)).bytes();
			}
			case 3 -> FieldMutations.damage(WireMessages.response(FieldMutations.randomBytes(r, FrameCodec.PROOF_LENGTH),
					r.nextLong()).bytes(), r);
			case 4 -> validHello().bytes();
			case 5 -> pick(r, WireMessages.heartbeat(r.nextLong()), WireMessages.confirm(), WireMessages.leaving(),
					WireMessages.leaseRenew(this.context.leaderToken() + 1, 1, 0, 6, 2000),
					WireMessages.singletonOrder("distro", false, 1, 0, "", 0, 2000),
					WireMessages.welcome(FieldMutations.randomBytes(r, FrameCodec.PROOF_LENGTH), 1, "10.0.0.1", 9400))
				.bytes();
			case 6 -> FieldMutations.randomBytes(r, 1 + r.nextInt(64));
			default -> FieldMutations.randomBytes(r, HANDSHAKE_FRAME_LIMIT + 1 + r.nextInt(1000));
		};
	}

	// a hello as a node would send it, claiming to be a real node, a ghost, or the fake member
	private WireFrame validHello() {
		Random r = this.random;
		String name = pick(r, pick(r, this.context.nodes()), pick(r, this.ghosts), this.context.self());
		String host = name.substring(name.indexOf('@') + 1).replace("[", "").replace("]", "");
		return WireMessages.hello(FrameCodec.PROTOCOL_MAJOR, name, pick(r, 0L, 1L, 65_535L), host, 9400,
				FieldMutations.randomBytes(r, FrameCodec.NONCE_LENGTH));
	}

}
