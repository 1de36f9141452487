package dev.clustering.leadership;

import org.springframework.context.ApplicationEvent;

/**
 * This node no longer leads. Published only on the node that lost leadership.
 */
public class LeadershipRevokedEvent extends ApplicationEvent {

	/** Why leadership was lost. */
	public enum Reason {

		/** This side of a partition lost its quorum. */
		QUORUM_LOST,

		/** A node with a newer claim leads (two sides healed, or two nodes claimed at once). */
		SUPERSEDED,

		/** This node was paused (GC, stopped process) long enough for others to elect another leader. */
		PAUSED,

		/** The application asked to give leadership up. */
		YIELDED,

		/** The registry that runs the election (etcd, ZooKeeper, Consul) was lost. */
		REGISTRY_LOST,

		/** The node is shutting down. */
		SHUTDOWN

	}

	private final String localNode;

	private final long fencingToken;

	private final Reason reason;

	/**
	 * Creates the event.
	 * @param source the publishing node
	 * @param localNode this node's name
	 * @param fencingToken the token that is no longer valid
	 * @param reason why
	 */
	public LeadershipRevokedEvent(Object source, String localNode, long fencingToken, Reason reason) {
		super(source);
		this.localNode = localNode;
		this.fencingToken = fencingToken;
		this.reason = reason;
	}

	/**
	 * This node.
	 * @return its name
	 */
	public String getLocalNode() {
		return this.localNode;
	}

	/**
	 * The token this node held; writes carrying it must now be refused.
	 * @return the stale token
	 */
	public long getFencingToken() {
		return this.fencingToken;
	}

	/**
	 * Why leadership was lost.
	 * @return the reason
	 */
	public Reason getReason() {
		return this.reason;
	}

	@Override
	public String toString() {
		return "LeadershipRevokedEvent[" + this.localNode + ", token " + this.fencingToken + ", " + this.reason + "]";
	}

}
