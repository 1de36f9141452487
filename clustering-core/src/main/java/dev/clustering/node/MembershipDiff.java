package dev.clustering.node;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;

import dev.clustering.membership.ClusterSnapshot;
import dev.clustering.membership.LeaveReason;
import dev.clustering.membership.Member;

/**
 * Derives membership events from two snapshots; a pure function, tested without any network.
 * <ul>
 * <li>a member that is up now and was not up before (absent or unreachable) joined;</li>
 * <li>a member that was up and is now unreachable left with {@link LeaveReason#UNREACHABLE};</li>
 * <li>a member that was up and is gone left with the reason the new snapshot records for it;</li>
 * <li>an unreachable member that is removed has already been reported and gives no event;</li>
 * <li>a member replaced by a new incarnation under the same name left and joined again.</li>
 * </ul>
 */
final class MembershipDiff {

	private MembershipDiff() {
	}

	/**
	 * The events that lead from one snapshot to the next, in node-name order, leaves first.
	 * @param previous the earlier snapshot
	 * @param current the later snapshot
	 * @param at the time to stamp on the events
	 * @return the events
	 */
	static List<EngineEvent> diff(ClusterSnapshot previous, ClusterSnapshot current, Instant at) {
		String local = current.self().name();
		List<EngineEvent> left = new ArrayList<>();
		List<EngineEvent> joined = new ArrayList<>();
		TreeSet<String> names = new TreeSet<>(previous.members().keySet());
		names.addAll(current.members().keySet());
		for (String name : names) {
			Member before = previous.member(name);
			Member after = current.member(name);
			boolean wasUp = before != null && before.isUp();
			boolean isUp = after != null && after.isUp();
			boolean replaced = before != null && after != null && before.incarnation() != after.incarnation();
			if (wasUp && (!isUp || replaced)) {
				left.add(new EngineEvent.MemberLeft(local, before, leaveReason(current, name, after, replaced), at));
			}
			if (isUp && (!wasUp || replaced)) {
				joined.add(new EngineEvent.MemberJoined(local, after, at));
			}
		}
		left.addAll(joined);
		return List.copyOf(left);
	}

	private static LeaveReason leaveReason(ClusterSnapshot current, String name, Member after, boolean replaced) {
		if (after != null && !replaced) {
			return LeaveReason.UNREACHABLE;
		}
		return current.departures().getOrDefault(name, LeaveReason.CONNECTION_LOST);
	}

}
