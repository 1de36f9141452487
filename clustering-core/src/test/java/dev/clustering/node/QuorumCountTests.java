package dev.clustering.node;

import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.junit.jupiter.api.Test;

import dev.clustering.leadership.SplitBrainStrategy;
import dev.clustering.membership.NodeAddress;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * How many nodes this node knows of, and how many make a quorum. This node is {@code a} at
 * 10.0.0.1; node {@code x} listens at 10.0.0.x; {@code x.svc} is another name discovery may list
 * for it.
 */
class QuorumCountTests {

	private static NodeAddress ip(int i) {
		return new NodeAddress("10.0.0." + i, 9401);
	}

	private static NodeAddress svc(String node) {
		return new NodeAddress(node + ".svc", 9401);
	}

	private static String name(int i) {
		return (char) ('a' + i - 1) + "@10.0.0." + i;
	}

	private static Picture picture() {
		return new Picture();
	}

	@Test
	void membersUpOrUnreachableCount() {
		// members are counted whether or not discovery lists them
		assertThat(picture().members(2, 3).known()).isEqualTo(3);
		assertThat(picture().members(2, 3).discovered(ip(1), ip(2), ip(3)).known()).isEqualTo(3);
	}

	@Test
	void aListedAddressWhereNoMemberAnswersCounts() {
		assertThat(picture().members(2).discovered(ip(1), ip(2), ip(3), ip(4)).known()).isEqualTo(4);
	}

	@Test
	void atStartUpEveryListedAddressCounts() {
		assertThat(picture().discovered(ip(1), ip(2), ip(3), ip(4), ip(5)).known()).isEqualTo(5);
		// whether or not discovery lists this node's own address
		assertThat(picture().discovered(ip(2), ip(3), ip(4), ip(5)).known()).isEqualTo(5);
		// alone, that is 1 of 5: no quorum
		assertThat(Roster.of(name(1), 1, Map.of(), Set.of(), Set.of(), 5, SplitBrainStrategy.KEEP_MAJORITY, 0).hasQuorum())
			.isFalse();
	}

	@Test
	void anAddressThatAliasesAMemberIsNotCountedTwice() {
		assertThat(picture().members(2).discovered(ip(2), svc("b")).alias(svc("b"), name(2)).known()).isEqualTo(2);
		// without the alias it is a silent address like any other
		assertThat(picture().members(2).discovered(ip(2), svc("b")).known()).isEqualTo(3);
	}

	@Test
	void anAddressThatAliasesThisNodeIsNotCounted() {
		assertThat(picture().discovered(ip(1), svc("a")).alias(svc("a"), name(1)).known()).isEqualTo(1);
		assertThat(picture().discovered(ip(1), svc("a")).known()).isEqualTo(2);
	}

	@Test
	void anAddressWhereANodeOutsideTheTopologyAnsweredIsExcluded() {
		assertThat(picture().members(2).discovered(ip(2), ip(3), ip(9)).outOfScope(ip(9)).known()).isEqualTo(3);
	}

	@Test
	void aDepartedNodesAddressAndItsAliasAreExcluded() {
		Picture left = picture().members(2)
			.discovered(ip(2), ip(3), svc("c"))
			.alias(svc("c"), name(3))
			.departed(name(3), ip(3));
		assertThat(left.known()).isEqualTo(2);
		// an alias of a departed node is excluded by its name even where the address is not recorded
		assertThat(picture().members(2)
			.discovered(ip(2), svc("c"))
			.alias(svc("c"), name(3))
			.departed(name(3))
			.known()).isEqualTo(2);
	}

	@Test
	void twoListedAddressesOfOneNodeCountOnceAfterItIsGone() {
		// c is listed as 10.0.0.3 and as c.svc; both were dialled and found c, which then crashed and
		// was removed. a and b should know 3 nodes and keep their quorum of 2; they know 4 and need 3.
		Picture picture = picture().members(2)
			.discovered(ip(1), ip(2), ip(3), svc("c"))
			.alias(ip(3), name(3))
			.alias(svc("c"), name(3));
		assertThat(picture.known()).isEqualTo(3);
	}

	@Test
	void neededByStrategy() {
		record R(SplitBrainStrategy strategy, int known, int quorumSize, int needed) {
		}
		List<R> table = List.of(new R(SplitBrainStrategy.KEEP_MAJORITY, 5, 0, 3),
				new R(SplitBrainStrategy.KEEP_MAJORITY, 4, 0, 3), new R(SplitBrainStrategy.KEEP_MAJORITY, 3, 0, 2),
				new R(SplitBrainStrategy.KEEP_MAJORITY, 2, 0, 2), new R(SplitBrainStrategy.KEEP_MAJORITY, 1, 0, 1),
				new R(SplitBrainStrategy.STATIC_QUORUM, 5, 2, 2), new R(SplitBrainStrategy.STATIC_QUORUM, 1, 3, 3),
				new R(SplitBrainStrategy.STATIC_QUORUM, 9, 4, 4), new R(SplitBrainStrategy.OFF, 5, 0, 1),
				new R(SplitBrainStrategy.OFF, 1, 3, 1));
		for (R r : table) {
			assertThat(QuorumCount.needed(r.strategy(), r.known(), r.quorumSize())).as("%s", r).isEqualTo(r.needed());
		}
	}

	@Test
	void scaleDownFromFiveToTwoKeepsAQuorum() {
		// a..e, all listed; c, d and e say goodbye one after the other while discovery still lists them
		Picture picture = picture().members(2, 3, 4, 5).discovered(ip(1), ip(2), ip(3), ip(4), ip(5));
		assertThat(picture.known()).isEqualTo(5);
		int[] knownAfter = new int[3];
		for (int i = 3; i <= 5; i++) {
			picture.leave(i);
			knownAfter[i - 3] = picture.known();
		}
		assertThat(knownAfter).containsExactly(4, 3, 2);
		int known = picture.known();
		int needed = QuorumCount.needed(SplitBrainStrategy.KEEP_MAJORITY, known, 0);
		assertThat(needed).isEqualTo(2);
		Roster roster = Roster.of(name(1), 1, Map.of(name(2), 2L), Set.of(), Set.of(), known, SplitBrainStrategy.KEEP_MAJORITY, 0);
		assertThat(roster.hasQuorum()).isTrue();
	}

	/** This node's picture, mutable; {@link #known()} counts it. */
	private static final class Picture {

		private final Map<String, NodeAddress> members = new HashMap<>();

		private final Set<NodeAddress> discovered = new HashSet<>();

		private final Map<NodeAddress, String> aliases = new HashMap<>();

		private final Set<NodeAddress> outOfScope = new HashSet<>();

		private final Set<String> departed = new HashSet<>();

		private final Set<NodeAddress> departedAddresses = new HashSet<>();

		Picture members(int... nodes) {
			for (int i : nodes) {
				this.members.put(name(i), ip(i));
			}
			return this;
		}

		Picture discovered(NodeAddress... addresses) {
			this.discovered.addAll(List.of(addresses));
			return this;
		}

		Picture alias(NodeAddress address, String node) {
			this.aliases.put(address, node);
			return this;
		}

		Picture outOfScope(NodeAddress address) {
			this.outOfScope.add(address);
			return this;
		}

		Picture departed(String node, NodeAddress... addresses) {
			this.departed.add(node);
			this.departedAddresses.addAll(List.of(addresses));
			return this;
		}

		// a member says goodbye: it is no longer a member, and where it was is remembered
		void leave(int i) {
			this.members.remove(name(i));
			departed(name(i), ip(i));
		}

		int known() {
			return QuorumCount.known(name(1), ip(1), this.members, this.discovered, this.aliases, this.outOfScope,
					this.departed, this.departedAddresses);
		}

	}

}
