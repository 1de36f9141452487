package dev.clustering.node;

import dev.clustering.leadership.LeaderInfo;
import dev.clustering.transport.Message;

/**
 * How leadership is decided: by votes among the members ({@link Election}) or by a registry that
 * runs a linearizable election ({@link RegistryElection}). Every method runs on the node's event
 * loop except {@link #view()} and {@link #ownLeadership(long)}, which any thread may call.
 */
interface LeaderElection {

	/**
	 * Re-evaluates: on every tick and after every change of the roster.
	 * @param roster the cluster as this node sees it
	 */
	void evaluate(Roster roster);

	/**
	 * A leadership message from a member.
	 * @param peer the member
	 * @param message the message
	 * @param roster the cluster as this node sees it
	 */
	void received(String peer, Message message, Roster roster);

	/**
	 * A member died (its connection was closed by its operating system), left, or was replaced by a
	 * new process under its name.
	 * @param name the member
	 */
	void memberEnded(String name);

	/** This node found it was paused. */
	void paused();

	/**
	 * Gives leadership up for a while, if this node leads.
	 * @param roster the cluster as this node sees it
	 */
	void yieldLeadership(Roster roster);

	/**
	 * Gives leadership up for good: the node is leaving.
	 * @param roster the cluster as this node sees it
	 */
	void leave(Roster roster);

	/**
	 * Who leads, as this node sees it; any thread.
	 * @return the leader, or {@code null}
	 */
	LeaderInfo view();

	/**
	 * This node's leadership if it is valid at the given moment; any thread.
	 * @param nowNanos the monotonic clock now
	 * @return this node's leadership, or {@code null}
	 */
	LeaderInfo ownLeadership(long nowNanos);

	/**
	 * Whether this side may run a leader and singletons (a quorum of members, or the registry).
	 * @param roster the cluster as this node sees it
	 * @return whether it may
	 */
	boolean hasQuorum(Roster roster);

	/**
	 * When this node's current leadership began, or -1 if it does not lead.
	 * @return monotonic nanoseconds
	 */
	long leadingSinceNanos();

	/**
	 * The highest leadership token this node has seen: no genuine singleton token comes from a later
	 * leadership.
	 * @return the token
	 */
	long highestToken();

	/**
	 * This node's leadership token while it leads, else 0.
	 * @return the token
	 */
	long leadingToken();

	/**
	 * Until when this node may run singletons whose failover timeout is the given one (see
	 * {@link Election#permitAnchorNanos()}); checked by the clock.
	 * @param failoverTimeoutNanos the singleton's failover timeout
	 * @return monotonic nanoseconds, or {@link Long#MIN_VALUE}
	 */
	long permitUntilNanos(long failoverTimeoutNanos);

	/**
	 * How long a new leader waits, after it began to lead, before it may start a singleton that a
	 * previous leader may have placed on a node it cannot hear from.
	 * @param failoverTimeoutNanos the singleton's failover timeout
	 * @return nanoseconds
	 */
	long newLeaderWaitNanos(long failoverTimeoutNanos);

	/**
	 * Tells a member, at once, that this leader has heard from it (so the member's singleton permit
	 * is current before it is given a singleton). Nothing when this node does not lead, or when a
	 * registry runs the election.
	 * @param member the member
	 */
	default void confirmTo(String member) {
	}

	/**
	 * Whether placement must wait for the registry to drop a node before failing a singleton over
	 * from it.
	 * @return whether the registry decides
	 */
	boolean isRegistry();

}
