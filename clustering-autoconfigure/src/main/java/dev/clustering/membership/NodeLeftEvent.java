package dev.clustering.membership;

import java.time.Instant;
import java.util.Objects;

/**
 * A member stopped being up: it left, its connection was lost, or it became unreachable.
 */
public final class NodeLeftEvent extends ClusterEvent {

	private final LeaveReason reason;

	/**
	 * Creates the event.
	 * @param source the object publishing it (the cluster node)
	 * @param localNode the local node's name
	 * @param member the member as it was last seen
	 * @param reason why it is no longer up
	 * @param at when
	 */
	public NodeLeftEvent(Object source, String localNode, Member member, LeaveReason reason, Instant at) {
		super(source, localNode, member, at);
		this.reason = Objects.requireNonNull(reason, "reason");
	}

	/**
	 * Why the member is no longer up.
	 * @return the reason
	 */
	public LeaveReason getReason() {
		return this.reason;
	}

	@Override
	public String toString() {
		return "NodeLeftEvent[" + getNodeName() + ", " + this.reason + "]";
	}

}
