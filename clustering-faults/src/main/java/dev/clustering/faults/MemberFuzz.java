package dev.clustering.faults;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import io.netty.buffer.Unpooled;
import io.netty.handler.codec.CorruptedFrameException;

import dev.clustering.faults.WireFrame.Field;
import dev.clustering.transport.FrameCodec;
import dev.clustering.transport.Message;

import static dev.clustering.faults.FieldMutations.pick;

/**
 * The fake member's frames: a valid message of a random type (every type, handshake ones and types
 * of a newer minor included), then none to three broken fields and sometimes a damaged frame. Each
 * frame is read back with the engine's own codec, as the node will read it from a peer of this
 * minor, to know what the node must count: a frame that does not decode (or a handshake message
 * after the handshake) is an invalid frame, a type it does not know an unknown message.
 * <p>
 * A frame that decodes is sent only if it is <em>inert</em>: the fake member holds the cookie, so
 * the nodes trust what it says as they trust any member, and some well-formed messages legitimately
 * change the cluster. Those are withheld (and counted), so that whatever changes during the attack
 * is the nodes' fault:
 * <ul>
 * <li>{@code Leaving} and {@code Close}: they end the fake member's membership (sent on purpose
 * only, followed by a reconnection);</li>
 * <li>a {@code LeaseRenew} with a token above the leader's: the leader yields to a newer leadership,
 * by design;</li>
 * <li>a {@code VoteRequest} or {@code LeaseRenew} token, or a {@code Vote}'s highest token, above
 * the context's ceiling: the receiver remembers the highest token it saw and a new leader must
 * exceed it, so one near the protocol's limit would leave no token for the next election;</li>
 * <li>a {@code Vote} naming a member as leader (a candidate would follow it);</li>
 * <li>a state of a configured singleton with a token of a leadership already seen (a claim to run
 * it, or to have run it last; a state from a leadership not yet seen is ignored, and sent);</li>
 * <li>a {@code MoveRequest} of a configured singleton to a member (an operator's takeover).</li>
 * </ul>
 */
final class MemberFuzz {

	/** Largest frame body sent: below the nodes' 64 KiB limit (a larger one ends the connection). */
	static final int MAX_BODY = 60_000;

	/** What the node makes of a frame. */
	enum Verdict {

		/** It does not decode, or is a handshake message after the handshake: counted as invalid. */
		INVALID,

		/** A type the node does not know: counted as unknown, skipped. */
		UNKNOWN,

		/** Well-formed and inert: handled. */
		HANDLED

	}

	/**
	 * One frame to send.
	 *
	 * @param body the frame body
	 * @param template the type of the message it was made from
	 * @param verdict what the node makes of it
	 */
	record Shot(byte[] body, int template, Verdict verdict) {
	}

	private final AttackContext context;

	private final Random random;

	private final int minor;

	private final List<String> ghosts;

	private long withheld;

	MemberFuzz(AttackContext context, Random random, int minor) {
		this.context = context;
		this.random = random;
		this.minor = minor;
		this.ghosts = context.ghosts();
	}

	/** Well-formed frames withheld because they would legitimately change the cluster. */
	long withheld() {
		return this.withheld;
	}

	Shot next() {
		while (true) {
			WireFrame valid = valid();
			byte[] body = mutated(valid);
			if (body.length == 0 || body.length > MAX_BODY) {
				continue;
			}
			Verdict verdict = verdict(body);
			if (verdict == null) {
				this.withheld++;
				continue;
			}
			return new Shot(body, valid.type(), verdict);
		}
	}

	private byte[] mutated(WireFrame valid) {
		int roll = this.random.nextInt(10);
		WireFrame frame = valid;
		int fields = (roll == 0) ? 0 : (roll < 7) ? 1 : 2 + this.random.nextInt(2);
		for (int i = 0; i < fields; i++) {
			// the type byte is broken less often than the rest, so most frames stay close to their type
			int index = (frame.fields().size() > 1 && this.random.nextInt(8) != 0)
					? 1 + this.random.nextInt(frame.fields().size() - 1) : 0;
			frame = frame.with(index, FieldMutations.mutate(frame.fields().get(index), this.random, this.ghosts));
		}
		byte[] body = frame.bytes();
		return (roll == 9) ? FieldMutations.damage(body, this.random) : body;
	}

	/** What the node makes of a body, or {@code null} if it is well-formed but not inert. */
	Verdict verdict(byte[] body) {
		Message message;
		try {
			message = FrameCodec.decode(Unpooled.wrappedBuffer(body), this.minor, true);
		}
		catch (CorruptedFrameException ex) {
			return Verdict.INVALID;
		}
		if (message instanceof Message.Unknown) {
			return Verdict.UNKNOWN;
		}
		if (message instanceof Message.Hello || message instanceof Message.ForeignHello
				|| message instanceof Message.Challenge || message instanceof Message.Response
				|| message instanceof Message.Welcome || message instanceof Message.Confirm
				|| message instanceof Message.Reject) {
			return Verdict.INVALID;
		}
		return inert(message) ? Verdict.HANDLED : null;
	}

	private boolean inert(Message message) {
		long ceiling = this.context.ceiling();
		if (message instanceof Message.Leaving || message instanceof Message.Close) {
			return false;
		}
		if (message instanceof Message.LeaseRenew renew) {
			return renew.token() <= this.context.leaderToken();
		}
		if (message instanceof Message.VoteRequest request) {
			return request.token() <= ceiling;
		}
		if (message instanceof Message.Vote vote) {
			return vote.highest() <= ceiling && !isMember(vote.leader());
		}
		if (message instanceof Message.SingletonState state) {
			return inert(state);
		}
		if (message instanceof Message.StateSync sync) {
			return sync.states().stream().allMatch(this::inert);
		}
		if (message instanceof Message.MoveRequest move) {
			return !this.context.singletons().contains(move.name()) || !isMember(move.target());
		}
		return true;
	}

	private boolean inert(Message.SingletonState state) {
		return !this.context.singletons().contains(state.name())
				|| (state.token() >>> AttackContext.SINGLETON_TOKEN_BITS) > this.context.ceiling();
	}

	private boolean isMember(String name) {
		return this.context.nodes().contains(name) || this.context.self().equals(name);
	}

	// a valid message of a random type, with values that are inert unless a mutation makes them otherwise
	private WireFrame valid() {
		Random r = this.random;
		long leader = this.context.leaderToken();
		return switch (r.nextInt(20)) {
			case 0 -> WireMessages.heartbeat(r.nextLong());
			case 1 -> WireMessages.voteRequest(token(), 1 + r.nextInt(8), r.nextInt(5000));
			case 2 -> WireMessages.vote(token(), r.nextBoolean(), r.nextBoolean() ? "" : pick(r, this.ghosts), token(),
					token());
			case 3 -> WireMessages.leaseRenew(Math.max(0, leader - r.nextInt(1_000_000)), r.nextInt(1 << 20),
					r.nextInt(1 << 20), 1 + r.nextInt(8), r.nextInt(5000));
			case 4 -> WireMessages.leaseAck(r.nextBoolean() ? leader : token(), r.nextInt(1 << 20));
			case 5 -> WireMessages.resign(token());
			case 6, 7 -> WireMessages.singletonState(state());
			case 8 -> {
				List<List<Field>> states = new ArrayList<>();
				for (int i = r.nextInt(5); i > 0; i--) {
					states.add(state());
				}
				yield WireMessages.stateSync(states);
			}
			case 9 -> WireMessages.stateRequest();
			case 10 -> WireMessages.singletonOrder(singleton(), r.nextBoolean(), Math.abs(r.nextLong()),
					r.nextInt(WireMessages.START_TYPES), r.nextBoolean() ? "" : pick(r, this.context.nodes()),
					r.nextInt(WireMessages.STOP_REASONS), r.nextInt(10_000));
			case 11 -> r.nextBoolean() ? WireMessages.moveRequest("ghost-" + r.nextInt(100), pick(r, this.context.nodes()))
					: WireMessages.moveRequest(pick(r, List.copyOf(this.context.singletons())), pick(r, this.ghosts));
			case 12, 13 -> WireMessages.unknown(WireMessages.LAST_TYPE + 1 + r.nextInt(255 - WireMessages.LAST_TYPE),
					FieldMutations.randomBytes(r, r.nextInt(64)));
			case 14 -> WireMessages.close(r.nextInt(WireMessages.CLOSE_REASONS), "fuzz");
			case 15 -> WireMessages.leaving();
			case 16 -> WireMessages.hello(FrameCodec.PROTOCOL_MAJOR, this.context.self(), this.minor,
					host(), 9400, FieldMutations.randomBytes(r, FrameCodec.NONCE_LENGTH));
			case 17 -> WireMessages.response(FieldMutations.randomBytes(r, FrameCodec.PROOF_LENGTH), r.nextLong());
			case 18 -> r.nextBoolean() ? WireMessages.confirm()
					: WireMessages.welcome(FieldMutations.randomBytes(r, FrameCodec.PROOF_LENGTH), r.nextLong(), host(),
							9400);
			default -> r.nextBoolean() ? WireMessages.reject(r.nextInt(WireMessages.REJECT_REASONS), "fuzz")
					: WireMessages.challenge(pick(r, this.context.nodes()), this.minor,
							FieldMutations.randomBytes(r, FrameCodec.NONCE_LENGTH));
		};
	}

	// a leadership token: an old one, the leader's, one from the near future, or zero
	private long token() {
		long leader = this.context.leaderToken();
		return switch (this.random.nextInt(4)) {
			case 0 -> Math.max(0, leader - 1 - this.random.nextInt(1 << 30));
			case 1 -> leader;
			case 2 -> Math.min(this.context.ceiling(), leader + 1 + this.random.nextInt((int) AttackContext.FUTURE));
			default -> 0;
		};
	}

	// a singleton's state: of a singleton nobody runs (any token), or of a configured one with a token
	// from a leadership no node has seen
	private List<Field> state() {
		Random r = this.random;
		boolean configured = r.nextBoolean();
		String name = configured ? pick(r, List.copyOf(this.context.singletons())) : "ghost-" + r.nextInt(100);
		long token = configured
				? ((this.context.ceiling() + 1 + r.nextInt(1 << 20)) << AttackContext.SINGLETON_TOKEN_BITS)
						| r.nextInt(1 << AttackContext.SINGLETON_TOKEN_BITS)
				: Math.abs(r.nextLong());
		return WireMessages.state(name, r.nextInt(WireMessages.SINGLETON_STATES), token,
				r.nextInt(WireMessages.START_TYPES), r.nextBoolean() ? "" : pick(r, this.context.nodes()),
				System.currentTimeMillis() - r.nextInt(1_000_000));
	}

	private String singleton() {
		return this.random.nextBoolean() ? pick(this.random, List.copyOf(this.context.singletons()))
				: "ghost-" + this.random.nextInt(100);
	}

	private String host() {
		return this.context.self().substring(this.context.self().indexOf('@') + 1);
	}

}
