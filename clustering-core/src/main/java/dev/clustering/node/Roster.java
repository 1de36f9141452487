package dev.clustering.node;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;

import dev.clustering.leadership.SplitBrainStrategy;

/**
 * The picture of the cluster that the decision cores (election, placement) work from: who is
 * reachable, how many nodes this node knows of, and whether that is a quorum. Immutable.
 *
 * @param self this node's name
 * @param selfStartedAt when this node started (epoch milliseconds)
 * @param reachable the members that are up, by name, with when each started (epoch milliseconds)
 * @param unreachable the members that are silent (a failure detector judged them), by name
 * @param leaving members that announced they are leaving (never candidates, never placement targets)
 * @param known nodes this node knows of, itself included (see {@link QuorumCount})
 * @param needed how many nodes, this one included, make a quorum
 * @param strategy the split-brain rule that gave {@code needed}
 * @param quorumSize the quorum size for {@link SplitBrainStrategy#STATIC_QUORUM}
 */
record Roster(String self, long selfStartedAt, Map<String, Long> reachable, Set<String> unreachable,
		Set<String> leaving, int known, int needed, SplitBrainStrategy strategy, int quorumSize) {

	Roster {
		reachable = Map.copyOf(reachable);
		unreachable = Set.copyOf(unreachable);
		leaving = Set.copyOf(leaving);
	}

	/**
	 * A roster from a split-brain rule.
	 * @param self this node
	 * @param selfStartedAt when this node started
	 * @param reachable the members that are up, with when each started
	 * @param unreachable the members that are silent
	 * @param leaving members that announced they leave
	 * @param known nodes this node knows of, itself included
	 * @param strategy the split-brain rule
	 * @param quorumSize the quorum size for {@link SplitBrainStrategy#STATIC_QUORUM}
	 * @return the roster
	 */
	static Roster of(String self, long selfStartedAt, Map<String, Long> reachable, Set<String> unreachable,
			Set<String> leaving, int known, SplitBrainStrategy strategy, int quorumSize) {
		return new Roster(self, selfStartedAt, reachable, unreachable, leaving, known,
				QuorumCount.needed(strategy, known, quorumSize), strategy, quorumSize);
	}

	/**
	 * Whether a node that knows of {@code theirKnown} nodes needs at least as many votes as this one
	 * does: then a quorum by its count is one by this node's too. Counts may differ for a while (a node
	 * that started after another said goodbye still counts the departed one's listed address), and
	 * differ harmlessly when the quorums are the same (4 and 5 nodes both need 3).
	 * @param theirKnown how many nodes the other node knows of, itself included
	 * @return whether its quorum is at least this node's
	 */
	boolean quorumAtLeastMine(int theirKnown) {
		return QuorumCount.needed(this.strategy, theirKnown, this.quorumSize) >= this.needed;
	}

	/**
	 * Whether a node is a member at all, reachable or not (not one that died or left).
	 * @param name the node
	 * @return whether it is a member
	 */
	boolean isMember(String name) {
		return this.reachable.containsKey(name) || this.unreachable.contains(name);
	}

	/**
	 * Whether this node, with the members it reaches, makes a quorum.
	 * @return whether a leader and singletons may run on this side
	 */
	boolean hasQuorum() {
		return this.reachable.size() + 1 >= this.needed;
	}

	/**
	 * Whether a member is up and not leaving. This node itself is not a member of its own roster.
	 * @param name the member
	 * @return whether it is reachable
	 */
	boolean isReachable(String name) {
		return this.reachable.containsKey(name) && !this.leaving.contains(name);
	}

	/**
	 * The nodes that may stand for election, oldest first (earliest start, then name): this node and
	 * the reachable members that are not leaving, minus the given ones.
	 * @param excluded nodes that may not stand now
	 * @return the candidates in order
	 */
	List<String> candidatesByAge(Set<String> excluded) {
		ArrayList<Map.Entry<String, Long>> all = new ArrayList<>(this.reachable.entrySet());
		all.add(Map.entry(this.self, this.selfStartedAt));
		return all.stream()
			.filter((e) -> !this.leaving.contains(e.getKey()) && !excluded.contains(e.getKey()))
			.sorted(Comparator.comparing((Map.Entry<String, Long> e) -> e.getValue()).thenComparing(Map.Entry::getKey))
			.map(Map.Entry::getKey)
			.toList();
	}

}
