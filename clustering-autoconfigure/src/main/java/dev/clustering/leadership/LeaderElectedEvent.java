package dev.clustering.leadership;

import org.springframework.context.ApplicationEvent;

/**
 * A node became the cluster's leader, as this node sees it. Published on every node.
 */
public class LeaderElectedEvent extends ApplicationEvent {

	private final String localNode;

	private final String leader;

	private final long fencingToken;

	/**
	 * Creates the event.
	 * @param source the publishing node
	 * @param localNode the node that saw the change
	 * @param leader the new leader's node name
	 * @param fencingToken the new leader's fencing token
	 */
	public LeaderElectedEvent(Object source, String localNode, String leader, long fencingToken) {
		super(source);
		this.localNode = localNode;
		this.leader = leader;
		this.fencingToken = fencingToken;
	}

	/**
	 * The node that saw the change.
	 * @return its name
	 */
	public String getLocalNode() {
		return this.localNode;
	}

	/**
	 * The leader.
	 * @return the leader's node name
	 */
	public String getLeader() {
		return this.leader;
	}

	/**
	 * Whether the local node is the leader.
	 * @return whether this node leads
	 */
	public boolean isLocal() {
		return this.leader.equals(this.localNode);
	}

	/**
	 * The leader's fencing token.
	 * @return the token
	 */
	public long getFencingToken() {
		return this.fencingToken;
	}

	@Override
	public String toString() {
		return "LeaderElectedEvent[" + this.leader + ", token " + this.fencingToken + "]";
	}

}
