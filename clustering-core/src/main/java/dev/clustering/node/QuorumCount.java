package dev.clustering.node;

import java.util.Collection;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

import dev.clustering.leadership.SplitBrainStrategy;
import dev.clustering.membership.NodeAddress;

/**
 * How many nodes this node knows of, and how many make a quorum: the base of split-brain
 * protection. A pure function of the node's picture, so each rule has a unit test.
 * <p>
 * Known nodes are, this node included:
 * <ul>
 * <li>every member, up or unreachable;</li>
 * <li>every address that discovery lists and where no member answers ("listed but silent": a node
 * that is down or cut off still counts, so a minority never believes it is a majority);</li>
 * <li>except an address where a node that said goodbye was (a graceful leave shrinks the cluster
 * until that node is heard from again), and an address where a node outside the topology's
 * basename answered.</li>
 * </ul>
 * At start-up nothing has answered yet, so every listed address counts: a node alone with four
 * silent addresses has 1 of 5 and no quorum.
 */
final class QuorumCount {

	private QuorumCount() {
	}

	/**
	 * Nodes this node knows of, itself included.
	 * @param selfName this node's name
	 * @param selfAddress this node's address
	 * @param members members (up or unreachable) by name, with their advertised addresses
	 * @param discovered every address the topologies list
	 * @param aliases dialled address to the name of the node found there
	 * @param outOfScope addresses where a node outside the topology's basename answered
	 * @param departed names of nodes that said goodbye and were not heard from since
	 * @param departedAddresses addresses where those nodes were
	 * @return the count
	 */
	static int known(String selfName, NodeAddress selfAddress, Map<String, NodeAddress> members,
			Collection<NodeAddress> discovered, Map<NodeAddress, String> aliases, Set<NodeAddress> outOfScope,
			Set<String> departed, Set<NodeAddress> departedAddresses) {
		return 1 + members.size() + strangers(selfName, selfAddress, members, discovered, aliases, outOfScope, departed,
				departedAddresses).size();
	}

	/**
	 * The listed-but-silent nodes: each discovered address where no member answers, counted once per
	 * node (by the name of the node once found there, else by the address), so a node listed under
	 * two addresses counts once.
	 * @param selfName this node's name
	 * @param selfAddress this node's address
	 * @param members members (up or unreachable) by name, with their advertised addresses
	 * @param discovered every address the topologies list
	 * @param aliases dialled address to the name of the node found there
	 * @param outOfScope addresses where a node outside the topology's basename answered
	 * @param departed names of nodes that said goodbye and were not heard from since
	 * @param departedAddresses addresses where those nodes were
	 * @return the node names (or addresses, for an address where no node ever answered)
	 */
	static Set<String> strangers(String selfName, NodeAddress selfAddress, Map<String, NodeAddress> members,
			Collection<NodeAddress> discovered, Map<NodeAddress, String> aliases, Set<NodeAddress> outOfScope,
			Set<String> departed, Set<NodeAddress> departedAddresses) {
		Set<NodeAddress> memberAddresses = new HashSet<>(members.values());
		Set<String> strangers = new HashSet<>();
		for (NodeAddress address : discovered) {
			String alias = aliases.get(address);
			boolean counted = address.equals(selfAddress) || memberAddresses.contains(address)
					|| (alias != null && (alias.equals(selfName) || members.containsKey(alias)));
			boolean excluded = outOfScope.contains(address) || departedAddresses.contains(address)
					|| (alias != null && departed.contains(alias));
			if (!counted && !excluded) {
				strangers.add((alias != null) ? alias : address.toString());
			}
		}
		return strangers;
	}

	/**
	 * How many nodes, this one included, make a quorum.
	 * @param strategy the split-brain rule
	 * @param known nodes known, this one included
	 * @param quorumSize the configured size for {@link SplitBrainStrategy#STATIC_QUORUM}
	 * @return more than half of the known nodes for keep-majority, the quorum size for a static
	 * quorum, 1 when protection is off
	 */
	static int needed(SplitBrainStrategy strategy, int known, int quorumSize) {
		return switch (strategy) {
			case KEEP_MAJORITY -> known / 2 + 1;
			case STATIC_QUORUM -> quorumSize;
			case OFF -> 1;
		};
	}

}
