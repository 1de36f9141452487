package dev.clustering.membership;

import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * An immutable view of the cluster from this node at one moment.
 *
 * @param self this node
 * @param members the other nodes, by name
 * @param departures the members that the step producing this snapshot removed, with why; the
 * membership diff reads them to give {@code NodeLeftEvent} its reason
 */
public record ClusterSnapshot(LocalNode self, Map<String, Member> members, Map<String, LeaveReason> departures) {

	public ClusterSnapshot {
		Objects.requireNonNull(self, "self");
		members = Map.copyOf(members);
		departures = Map.copyOf(departures);
	}

	/**
	 * A snapshot with no other members.
	 * @param self this node
	 * @return the empty snapshot
	 */
	public static ClusterSnapshot empty(LocalNode self) {
		return new ClusterSnapshot(self, Map.of(), Map.of());
	}

	/**
	 * The members that are up.
	 * @return members whose status is {@link MemberStatus#UP}, sorted by name
	 */
	public List<Member> upMembers() {
		return this.members.values().stream().filter(Member::isUp).sorted(Comparator.comparing(Member::name)).toList();
	}

	/**
	 * All members (up or unreachable), sorted by name.
	 * @return the members
	 */
	public List<Member> sortedMembers() {
		return sorted(this.members.values());
	}

	/**
	 * The member with the given name.
	 * @param name the node name
	 * @return the member, or {@code null}
	 */
	public Member member(String name) {
		return this.members.get(name);
	}

	private static List<Member> sorted(Collection<Member> members) {
		return members.stream().sorted(Comparator.comparing(Member::name)).toList();
	}

}
