package dev.clustering.faults;

import java.util.List;
import java.util.Set;

/**
 * What the attacker knows of the cluster it attacks, taken from the views when the attack begins:
 * enough to build messages that are well-formed yet change nothing a member may legitimately change
 * (see {@link MemberFuzz}).
 *
 * @param nodes the real nodes' full names ({@code n1@10.231.7.11})
 * @param self the fake member's full name ({@code fuzz@10.231.7.1})
 * @param singletons the singletons the nodes are configured with
 * @param leaderToken the leader's fencing token when the attack began
 * @param ceiling the largest leadership token a well-formed frame may carry where the receiver
 * remembers it: the leader's token or the clock, plus about 17 minutes
 */
record AttackContext(List<String> nodes, String self, Set<String> singletons, long leaderToken, long ceiling) {

	/** Tokens from the future that a receiver may remember, at most this far ahead (milliseconds). */
	static final long FUTURE = 1_000_000;

	/** Bits of a singleton token below its leadership token (Singletons.TOKEN_BITS). */
	static final int SINGLETON_TOKEN_BITS = 20;

	AttackContext {
		nodes = List.copyOf(nodes);
		singletons = Set.copyOf(singletons);
	}

	static AttackContext of(List<String> nodes, String self, Set<String> singletons, long leaderToken) {
		return new AttackContext(nodes, self, singletons, leaderToken,
				Math.max(leaderToken, System.currentTimeMillis()) + FUTURE);
	}

	/** Names that follow the grammar but belong to no node. */
	List<String> ghosts() {
		String host = this.self.substring(this.self.indexOf('@') + 1);
		return List.of("ghost@" + host, "n9@" + host, "nobody@10.9.8.7", "n1@10.9.8.7", "x@example.invalid",
				"y@[::1]", "_@127.0.0.1");
	}

}
