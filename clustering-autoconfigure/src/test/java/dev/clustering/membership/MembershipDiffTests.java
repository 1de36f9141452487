package dev.clustering.membership;

import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.assertj.core.api.Assertions;
import org.junit.jupiter.api.Test;

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

	private List<ClusterEvent> diff(ClusterSnapshot before, ClusterSnapshot after) {
		return MembershipDiff.diff(this, before, after, T0);
	}

	@Test
	void newUpMemberJoined() {
		List<ClusterEvent> events = diff(ClusterSnapshot.empty(this.self),
				snapshot(Map.of(), member("bcd@h", 1, MemberStatus.UP)));
		assertThat(events).singleElement().isInstanceOf(NodeJoinedEvent.class);
		assertThat(events.get(0).getNodeName()).isEqualTo("bcd@h");
		assertThat(events.get(0).getLocalNode()).isEqualTo("abc@127.0.0.1");
		assertThat(events.get(0).getTimestamp()).isEqualTo(T0.toEpochMilli());
	}

	@Test
	void removedMemberLeftWithTheRecordedReason() {
		ClusterSnapshot before = snapshot(Map.of(), member("bcd@h", 1, MemberStatus.UP), member("def@h", 1, MemberStatus.UP));
		ClusterSnapshot after = snapshot(Map.of("bcd@h", LeaveReason.LEFT));
		List<ClusterEvent> events = diff(before, after);
		assertThat(events).hasSize(2).allMatch(NodeLeftEvent.class::isInstance);
		assertThat(events).extracting((e) -> ((NodeLeftEvent) e).getReason())
			.containsExactly(LeaveReason.LEFT, LeaveReason.CONNECTION_LOST);
	}

	@Test
	void upToUnreachableIsALeaveAndBackIsAJoin() {
		ClusterSnapshot up = snapshot(Map.of(), member("bcd@h", 1, MemberStatus.UP));
		ClusterSnapshot unreachable = snapshot(Map.of(), member("bcd@h", 1, MemberStatus.UNREACHABLE));
		assertThat(diff(up, unreachable)).singleElement()
			.satisfies((e) -> assertThat(((NodeLeftEvent) e).getReason()).isEqualTo(LeaveReason.UNREACHABLE));
		assertThat(diff(unreachable, up)).singleElement().isInstanceOf(NodeJoinedEvent.class);
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
		List<ClusterEvent> events = diff(before, after);
		assertThat(events).hasSize(2);
		assertThat(events.get(0)).isInstanceOf(NodeLeftEvent.class);
		assertThat(events.get(1)).isInstanceOf(NodeJoinedEvent.class);
		assertThat(events.get(1).getMember().incarnation()).isEqualTo(2);
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
