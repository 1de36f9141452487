package dev.clustering.node;

import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.junit.jupiter.api.Test;

import dev.clustering.leadership.SplitBrainStrategy;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The picture the decision cores work from. This node is {@code a}; start times are epoch
 * milliseconds.
 */
class RosterTests {

	private static Map<String, Long> up(int count) {
		Map<String, Long> reachable = new HashMap<>();
		for (int i = 0; i < count; i++) {
			reachable.put(String.valueOf((char) ('b' + i)), 100L + i);
		}
		return reachable;
	}

	@Test
	void hasQuorumByStrategy() {
		record R(SplitBrainStrategy strategy, int reachable, int known, int quorumSize, boolean quorum) {
		}
		List<R> table = List.of(
				new R(SplitBrainStrategy.KEEP_MAJORITY, 2, 5, 0, true),
				new R(SplitBrainStrategy.KEEP_MAJORITY, 1, 5, 0, false),
				new R(SplitBrainStrategy.KEEP_MAJORITY, 2, 4, 0, true),
				new R(SplitBrainStrategy.KEEP_MAJORITY, 1, 4, 0, false),
				new R(SplitBrainStrategy.KEEP_MAJORITY, 1, 2, 0, true),
				new R(SplitBrainStrategy.KEEP_MAJORITY, 0, 2, 0, false),
				new R(SplitBrainStrategy.KEEP_MAJORITY, 0, 1, 0, true),
				new R(SplitBrainStrategy.STATIC_QUORUM, 2, 9, 3, true),
				new R(SplitBrainStrategy.STATIC_QUORUM, 1, 2, 3, false),
				new R(SplitBrainStrategy.OFF, 0, 5, 0, true));
		for (R r : table) {
			Roster roster = Roster.of("a", 50, up(r.reachable()), Set.of(), Set.of(), r.known(), r.strategy(), r.quorumSize());
			assertThat(roster.hasQuorum()).as("%s", r).isEqualTo(r.quorum());
		}
	}

	@Test
	void aVoterAcceptsACountWhoseQuorumIsAtLeastItsOwn() {
		Roster five = Roster.of("a", 50, up(2), Set.of(), Set.of(), 5, SplitBrainStrategy.KEEP_MAJORITY, 0);
		// 4 and 5 nodes both need 3: a majority of 4 is one of 5
		assertThat(five.quorumAtLeastMine(4)).isTrue();
		assertThat(five.quorumAtLeastMine(5)).isTrue();
		assertThat(five.quorumAtLeastMine(9)).isTrue();
		// 3 nodes need 2, which is no majority of 5
		assertThat(five.quorumAtLeastMine(3)).isFalse();
		Roster four = Roster.of("a", 50, up(2), Set.of(), Set.of(), 4, SplitBrainStrategy.KEEP_MAJORITY, 0);
		assertThat(four.quorumAtLeastMine(3)).isFalse();
		// a static quorum does not depend on the count
		Roster fixed = Roster.of("a", 50, up(2), Set.of(), Set.of(), 9, SplitBrainStrategy.STATIC_QUORUM, 3);
		assertThat(fixed.quorumAtLeastMine(2)).isTrue();
	}

	@Test
	void aMemberIsReachableWhenUpAndNotLeaving() {
		Roster roster = Roster.of("a", 50, up(2), Set.of(), Set.of("c"), 3, SplitBrainStrategy.KEEP_MAJORITY, 0);
		assertThat(roster.isReachable("b")).isTrue();
		assertThat(roster.isReachable("c")).as("leaving").isFalse();
		assertThat(roster.isReachable("z")).as("not a member").isFalse();
		// this node is not one of its members: callers treat it apart
		assertThat(roster.isReachable("a")).isFalse();
	}

	@Test
	void candidatesAreOldestFirstThenByName() {
		Roster roster = Roster.of("a", 200, Map.of("c", 300L, "d", 100L, "b", 100L), Set.of(), Set.of(), 4,
				SplitBrainStrategy.KEEP_MAJORITY, 0);
		assertThat(roster.candidatesByAge(Set.of())).containsExactly("b", "d", "a", "c");
	}

	@Test
	void thisNodeIsACandidateAndMayBeTheOldest() {
		Roster roster = Roster.of("a", 10, Map.of("b", 100L), Set.of(), Set.of(), 2, SplitBrainStrategy.KEEP_MAJORITY, 0);
		assertThat(roster.candidatesByAge(Set.of())).containsExactly("a", "b");
		// same start: by name
		assertThat(Roster.of("c", 100, Map.of("b", 100L), Set.of(), Set.of(), 2, SplitBrainStrategy.KEEP_MAJORITY, 0)
			.candidatesByAge(Set.of())).containsExactly("b", "c");
	}

	@Test
	void leavingAndExcludedNodesAreNoCandidates() {
		Roster roster = Roster.of("a", 200, Map.of("c", 300L, "d", 100L, "b", 100L), Set.of(), Set.of("d"), 4,
				SplitBrainStrategy.KEEP_MAJORITY, 0);
		assertThat(roster.candidatesByAge(Set.of())).containsExactly("b", "a", "c");
		assertThat(roster.candidatesByAge(Set.of("b"))).containsExactly("a", "c");
		assertThat(roster.candidatesByAge(Set.of("a", "z"))).containsExactly("b", "c");
		// this node too, when it is leaving
		assertThat(Roster.of("a", 200, Map.of("b", 100L), Set.of(), Set.of("a"), 2, SplitBrainStrategy.KEEP_MAJORITY, 0)
			.candidatesByAge(Set.of())).containsExactly("b");
	}

	@Test
	void aRosterIsACopy() {
		Map<String, Long> reachable = new HashMap<>(Map.of("b", 100L));
		Set<String> leaving = new HashSet<>();
		Roster roster = Roster.of("a", 200, reachable, Set.of(), leaving, 2, SplitBrainStrategy.KEEP_MAJORITY, 0);
		reachable.put("c", 50L);
		leaving.add("b");
		assertThat(roster.reachable()).containsOnlyKeys("b");
		assertThat(roster.isReachable("b")).isTrue();
		assertThat(roster.needed()).isEqualTo(2);
	}

}
