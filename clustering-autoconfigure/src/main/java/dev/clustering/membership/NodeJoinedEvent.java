package dev.clustering.membership;

import java.time.Instant;

/**
 * A node became a member that is up: it connected and authenticated, or it was unreachable and is
 * heard from again.
 */
public final class NodeJoinedEvent extends ClusterEvent {

	/**
	 * Creates the event.
	 * @param source the object publishing it (the cluster node)
	 * @param localNode the local node's name
	 * @param member the member that joined
	 * @param at when
	 */
	public NodeJoinedEvent(Object source, String localNode, Member member, Instant at) {
		super(source, localNode, member, at);
	}

	@Override
	public String toString() {
		return "NodeJoinedEvent[" + getNodeName() + " at " + getMember().address() + "]";
	}

}
