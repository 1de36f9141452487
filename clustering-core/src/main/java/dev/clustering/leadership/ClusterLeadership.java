package dev.clustering.leadership;

import java.util.Optional;

/**
 * Asks who leads the cluster, and lets this node give leadership up. Whether this node leads is
 * answered from a lease checked against the monotonic clock on the caller's thread: it turns false
 * on time even if the node's event loop is stalled, before any other node can be elected.
 */
public interface ClusterLeadership {

	/**
	 * The leader as this node sees it.
	 * @return the leader, or empty while there is none (electing, or no quorum on this side)
	 */
	Optional<LeaderInfo> leader();

	/**
	 * This node's leadership, if it leads now: its name, since when, and its fencing token, read
	 * together in one call, so check-then-act code cannot see a leader and a token that do not belong
	 * together.
	 * <pre>
	 * leadership.ownLeadership().ifPresent((lead) -&gt; store.write(value, lead.fencingToken()));
	 * </pre>
	 * @return this node's leadership, or empty when it does not lead (or its lease ran out)
	 */
	Optional<LeaderInfo> ownLeadership();

	/**
	 * Whether this node leads now.
	 * @return whether this node is the leader
	 */
	default boolean isLeader() {
		return ownLeadership().isPresent();
	}

	/**
	 * This node's fencing token while it leads: pass it with every write that only the leader may
	 * make, and have the store refuse tokens lower than the highest it has seen. Prefer
	 * {@link #ownLeadership()} when the token goes with a decision to act.
	 * @return the token, or 0 when this node does not lead
	 */
	default long fencingToken() {
		return ownLeadership().map(LeaderInfo::fencingToken).orElse(0L);
	}

	/**
	 * Gives leadership up; another node is elected. No effect if this node does not lead.
	 */
	void yield();

}
