package dev.clustering.node;

import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.assertj.core.api.Assertions;
import org.junit.jupiter.api.Test;

import dev.clustering.membership.ClusterSnapshot;
import dev.clustering.membership.LeaveReason;
import dev.clustering.membership.LocalNode;
import dev.clustering.membership.Member;
import dev.clustering.membership.MemberStatus;
import dev.clustering.membership.NodeAddress;

import static org.assertj.core.api.Assertions.assertThat;

class MembershipDiffTests {

	private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");

	private final LocalNode self = new LocalNode("abc@127.0.0.1", new NodeAddress("127.0.0.1", 9401), 1, Map.of());

	private Member member(String name, long incarnation, MemberStatus status) {
		return new Member(name, new NodeAddress("127.0.0.1", 9402), incarnation, status, Set.of("local"), T0, Map.of());
	}

	private ClusterSnapshot snapshot(Map<String, LeaveReason> departures, Member... members) {
		Map<String, Member> byName = new HashMap<>();
		for (Member m : members) {
			byName.put(m.name(), m);
		}
		return new ClusterSnapshot(this.self, byName, departures);
	}

	private List<EngineEvent> diff(ClusterSnapshot before, ClusterSnapshot after) {
		return MembershipDiff.diff(before, after, T0);
	}

	@Test
	void newUpMemberJoined() {
		List<EngineEvent> events = diff(ClusterSnapshot.empty(this.self),
				snapshot(Map.of(), member("bcd@h", 1, MemberStatus.UP)));
		assertThat(events).singleElement().isInstanceOfSatisfying(EngineEvent.MemberJoined.class, (joined) -> {
			assertThat(joined.member().name()).isEqualTo("bcd@h");
			assertThat(joined.localNode()).isEqualTo("abc@127.0.0.1");
			assertThat(joined.at()).isEqualTo(T0);
		});
	}

	@Test
	void removedMemberLeftWithTheRecordedReason() {
		ClusterSnapshot before = snapshot(Map.of(), member("bcd@h", 1, MemberStatus.UP), member("def@h", 1, MemberStatus.UP));
		ClusterSnapshot after = snapshot(Map.of("bcd@h", LeaveReason.LEFT));
		List<EngineEvent> events = diff(before, after);
		assertThat(events).hasSize(2).allMatch(EngineEvent.MemberLeft.class::isInstance);
		assertThat(events).extracting((e) -> ((EngineEvent.MemberLeft) e).reason())
			.containsExactly(LeaveReason.LEFT, LeaveReason.CONNECTION_LOST);
	}

	@Test
	void upToUnreachableIsALeaveAndBackIsAJoin() {
		ClusterSnapshot up = snapshot(Map.of(), member("bcd@h", 1, MemberStatus.UP));
		ClusterSnapshot unreachable = snapshot(Map.of(), member("bcd@h", 1, MemberStatus.UNREACHABLE));
		assertThat(diff(up, unreachable)).singleElement()
			.satisfies((e) -> assertThat(((EngineEvent.MemberLeft) e).reason()).isEqualTo(LeaveReason.UNREACHABLE));
		assertThat(diff(unreachable, up)).singleElement().isInstanceOf(EngineEvent.MemberJoined.class);
	}

	@Test
	void removingAnUnreachableMemberIsNotReportedTwice() {
		ClusterSnapshot unreachable = snapshot(Map.of(), member("bcd@h", 1, MemberStatus.UNREACHABLE));
		assertThat(diff(unreachable, snapshot(Map.of("bcd@h", LeaveReason.CONNECTION_LOST)))).isEmpty();
	}

	@Test
	void newIncarnationLeavesThenJoins() {
		ClusterSnapshot before = snapshot(Map.of(), member("bcd@h", 1, MemberStatus.UP));
		ClusterSnapshot after = snapshot(Map.of(), member("bcd@h", 2, MemberStatus.UP));
		List<EngineEvent> events = diff(before, after);
		assertThat(events).hasSize(2);
		assertThat(events.get(0)).isInstanceOf(EngineEvent.MemberLeft.class);
		assertThat(events.get(1)).isInstanceOf(EngineEvent.MemberJoined.class);
		assertThat(((EngineEvent.MemberJoined) events.get(1)).member().incarnation()).isEqualTo(2);
	}

	@Test
	void sameSnapshotGivesNoEvents() {
		ClusterSnapshot snapshot = snapshot(Map.of(), member("bcd@h", 1, MemberStatus.UP));
		assertThat(diff(snapshot, snapshot)).isEmpty();
	}

	@Test
	void topologyChangesAloneGiveNoEvents() {
		ClusterSnapshot before = snapshot(Map.of(), member("bcd@h", 1, MemberStatus.UP));
		ClusterSnapshot after = snapshot(Map.of(), member("bcd@h", 1, MemberStatus.UP).withTopologies(Set.of("a", "b")));
		assertThat(diff(before, after)).isEmpty();
	}

	@Test
	void statusChangesOnlyThroughAllowedTransitions() {
		Member up = member("bcd@h", 1, MemberStatus.UP);
		assertThat(up.withStatus(MemberStatus.UNREACHABLE, T0).status()).isEqualTo(MemberStatus.UNREACHABLE);
		Assertions.assertThatIllegalStateException()
			.isThrownBy(() -> up.withStatus(MemberStatus.UP, T0));
	}

	@Test
	void memberEqualityIsNameAndIncarnation() {
		assertThat(member("bcd@h", 1, MemberStatus.UP)).isEqualTo(member("bcd@h", 1, MemberStatus.UNREACHABLE))
			.isNotEqualTo(member("bcd@h", 2, MemberStatus.UP));
	}

}
