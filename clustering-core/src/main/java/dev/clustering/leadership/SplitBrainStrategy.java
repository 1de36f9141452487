package dev.clustering.leadership;

/**
 * Whether a side of a partition may keep a leader and singletons.
 */
public enum SplitBrainStrategy {

	/** More than half of the known nodes (members plus nodes discovery lists) must be reachable. */
	KEEP_MAJORITY,

	/** At least {@code quorum-size} nodes (this one included) must be reachable. */
	STATIC_QUORUM,

	/** No protection: every side elects its own leader, as Erlang/OTP does. */
	OFF;

	/**
	 * Whether this side has a quorum.
	 * @param reachable nodes this node can reach, itself included
	 * @param known nodes this node knows of, itself included
	 * @param quorumSize the configured size for {@link #STATIC_QUORUM}
	 * @return whether a leader and singletons may run here
	 */
	public boolean hasQuorum(int reachable, int known, int quorumSize) {
		return switch (this) {
			case KEEP_MAJORITY -> reachable * 2 > Math.max(known, reachable);
			case STATIC_QUORUM -> reachable >= quorumSize;
			case OFF -> true;
		};
	}

}
