package dev.clustering.faults;

import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;

import io.netty.buffer.Unpooled;
import org.junit.jupiter.api.Test;

import dev.clustering.faults.MemberFuzz.Verdict;
import dev.clustering.membership.NodeAddress;
import dev.clustering.transport.FrameCodec;
import dev.clustering.transport.Message;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The attacker's frames against the engine's codec: each valid frame built field by field is byte
 * for byte what the codec writes, and the fuzzers' predictions are the codec's readings.
 */
class WireMessagesTests {

	private static final byte[] NONCE = new byte[FrameCodec.NONCE_LENGTH];

	private static final String N1 = "n1@10.231.7.11";

	private final AttackContext context = AttackContext.of(List.of(N1, "n2@10.231.7.12"), "fuzz@10.231.7.1",
			Set.of("distro"), 1_800_000_000_000L);

	@Test
	void everyValidFrameIsWhatTheCodecWrites() {
		same(WireMessages.hello(2, N1, 0, "10.231.7.11", 9400, NONCE),
				new Message.Hello(2, 0, N1, new NodeAddress("10.231.7.11", 9400), NONCE));
		same(WireMessages.challenge(N1, 0, NONCE), new Message.Challenge(N1, 0, NONCE));
		same(WireMessages.response(NONCE, 7), new Message.Response(NONCE, 7));
		same(WireMessages.welcome(NONCE, 7, "10.231.7.11", 9400),
				new Message.Welcome(NONCE, 7, new NodeAddress("10.231.7.11", 9400), Map.of()));
		same(WireMessages.confirm(), new Message.Confirm(Map.of()));
		same(WireMessages.reject(5, "busy"), new Message.Reject(Message.RejectReason.BUSY, "busy"));
		same(WireMessages.close(2, "x"), new Message.Close(Message.CloseReason.PROTOCOL, "x"));
		same(WireMessages.heartbeat(-3), new Message.Heartbeat(-3));
		same(WireMessages.leaving(), new Message.Leaving());
		same(WireMessages.voteRequest(9, 5, 2000), new Message.VoteRequest(9, 5, 2000));
		same(WireMessages.vote(9, true, N1, 8, 10), new Message.Vote(9, true, N1, 8, 10));
		same(WireMessages.leaseRenew(9, 3, 2, 5, 2000), new Message.LeaseRenew(9, 3, 2, 5, 2000));
		same(WireMessages.leaseAck(9, 3), new Message.LeaseAck(9, 3));
		same(WireMessages.resign(9), new Message.Resign(9));
		Message.SingletonState state = new Message.SingletonState("distro", 1, 42, 2, N1, 1234);
		same(WireMessages.singletonState(WireMessages.state("distro", 1, 42, 2, N1, 1234)), state);
		same(WireMessages.stateSync(List.of(WireMessages.state("distro", 1, 42, 2, N1, 1234))),
				new Message.StateSync(List.of(state)));
		same(WireMessages.stateRequest(), new Message.StateRequest());
		same(WireMessages.singletonOrder("distro", true, 42, 1, "", 3, 2000),
				new Message.SingletonOrder("distro", true, 42, 1, "", 3, 2000));
		same(WireMessages.moveRequest("distro", N1), new Message.MoveRequest("distro", N1));
	}

	@Test
	void memberFuzzSaysWhatTheNodeWillMakeOfAFrame() {
		MemberFuzz fuzz = new MemberFuzz(this.context, new Random(1), 0);
		assertThat(fuzz.verdict(WireMessages.heartbeat(1).bytes())).isEqualTo(Verdict.HANDLED);
		assertThat(fuzz.verdict(WireMessages.unknown(99, new byte[3]).bytes())).isEqualTo(Verdict.UNKNOWN);
		assertThat(fuzz.verdict(WireMessages.confirm().bytes())).isEqualTo(Verdict.INVALID);
		assertThat(fuzz.verdict(WireMessages.singletonState(WireMessages.state("distro", 9, 1, 0, "", 0)).bytes()))
			.isEqualTo(Verdict.INVALID);
		// well-formed, but a member may legitimately change the cluster with it: withheld
		assertThat(fuzz.verdict(WireMessages.leaving().bytes())).isNull();
		assertThat(fuzz.verdict(WireMessages.leaseRenew(this.context.leaderToken() + 1, 1, 0, 5, 2000).bytes())).isNull();
		assertThat(fuzz.verdict(WireMessages.voteRequest(FieldMutations.MAX_LEADER_TOKEN, 5, 2000).bytes())).isNull();
		assertThat(fuzz.verdict(WireMessages.moveRequest("distro", N1).bytes())).isNull();
		assertThat(fuzz.verdict(WireMessages.singletonState(WireMessages.state("distro", 3, 42, 0, "", 0)).bytes()))
			.isNull();
		// a newer minor's enum value is not an error from a peer of that minor
		MemberFuzz newer = new MemberFuzz(this.context, new Random(1), 1);
		assertThat(newer.verdict(WireMessages.singletonState(WireMessages.state("ghost", 9, 1, 0, "", 0)).bytes()))
			.isEqualTo(Verdict.HANDLED);
	}

	@Test
	void memberFuzzSendsEveryVerdictAndNothingThatDecodesUnlessInert() {
		MemberFuzz fuzz = new MemberFuzz(this.context, new Random(7), 0);
		int[] counts = new int[Verdict.values().length];
		for (int i = 0; i < 20_000; i++) {
			MemberFuzz.Shot shot = fuzz.next();
			counts[shot.verdict().ordinal()]++;
			assertThat(shot.body().length).isBetween(1, MemberFuzz.MAX_BODY);
			assertThat(fuzz.verdict(shot.body())).isEqualTo(shot.verdict());
		}
		assertThat(Arrays.stream(counts).min().orElseThrow()).isGreaterThan(1000);
		assertThat(fuzz.withheld()).isPositive();
	}

	@Test
	void helloFuzzPredictsTheCodecsReading() {
		HelloFuzz fuzz = new HelloFuzz(this.context, new Random(3));
		int challenges = 0;
		for (int i = 0; i < 5000; i++) {
			HelloFuzz.Opening opening = fuzz.next();
			if (!opening.expected().isEmpty() && opening.expected().get(0) == HelloFuzz.Answer.CHALLENGE) {
				challenges++;
				byte[] first = opening.frames().get(0);
				Message hello = FrameCodec.decode(Unpooled.wrappedBuffer(first, 4, first.length - 4),
						FrameCodec.PROTOCOL_MINOR, false);
				assertThat(hello).isInstanceOf(Message.Hello.class);
			}
		}
		assertThat(challenges).isGreaterThan(1000);
	}

	private static void same(WireFrame frame, Message message) {
		assertThat(frame.bytes()).isEqualTo(FrameCodec.toBytes(message));
	}

}
