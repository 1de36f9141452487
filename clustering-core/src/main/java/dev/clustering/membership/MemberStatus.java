package dev.clustering.membership;

import java.util.Set;

/**
 * Where a member stands. A member is {@link #UP} while its authenticated connection is open and its
 * heartbeats arrive; {@link #UNREACHABLE} while the connection is open but it has gone silent
 * (frozen process, cut network). Nodes that left are no longer members.
 */
public enum MemberStatus {

	/** Connected, authenticated and heard from. */
	UP,

	/** Connected, but silent for longer than the failure detector accepts. */
	UNREACHABLE;

	/**
	 * Whether a member may move from this status to the given one.
	 * @param next the next status
	 * @return whether the transition is allowed
	 */
	public boolean canBecome(MemberStatus next) {
		return allowedNext().contains(next);
	}

	private Set<MemberStatus> allowedNext() {
		return switch (this) {
			case UP -> Set.of(UNREACHABLE);
			case UNREACHABLE -> Set.of(UP);
		};
	}

}
