package dev.clustering.node;

import dev.clustering.membership.Member;

/**
 * The metadata keys the engine adds to what a node tells its peers.
 */
final class NodeMetadata {

	/** When the node started, epoch milliseconds: the oldest reachable node stands for election first. */
	static final String STARTED_AT = "clustering.started-at";

	/** What leadership depends on (lease, split-brain rule): nodes that differ are told loudly. */
	static final String ELECTION_CONFIG = "clustering.election-config";

	private NodeMetadata() {
	}

	/**
	 * When a member started.
	 * @param member the member
	 * @return epoch milliseconds; a member that did not say counts as the youngest
	 */
	static long startedAt(Member member) {
		String value = member.metadata().get(STARTED_AT);
		try {
			return (value != null) ? Long.parseLong(value) : Long.MAX_VALUE;
		}
		catch (NumberFormatException ex) {
			return Long.MAX_VALUE;
		}
	}

}
