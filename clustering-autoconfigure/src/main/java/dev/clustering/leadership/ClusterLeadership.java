package dev.clustering.leadership;

import java.util.Optional;

/**
 * Asks who leads the cluster, and lets this node give leadership up.
 */
public interface ClusterLeadership {

	/**
	 * The leader as this node sees it.
	 * @return the leader, or empty while there is none (electing, or no quorum on this side)
	 */
	Optional<LeaderInfo> leader();

	/**
	 * Whether this node leads now.
	 * @return whether this node is the leader
	 */
	boolean isLeader();

	/**
	 * This node's fencing token while it leads: pass it with every write that only the leader may
	 * make, and have the store refuse tokens lower than the highest it has seen.
	 * @return the token, or 0 when this node does not lead
	 */
	long fencingToken();

	/**
	 * Gives leadership up; another node is elected. No effect if this node does not lead.
	 */
	void yield();

}
