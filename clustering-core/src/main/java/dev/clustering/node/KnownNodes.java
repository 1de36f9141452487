package dev.clustering.node;

import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Predicate;

import dev.clustering.discovery.TopologyStatus;
import dev.clustering.membership.LocalNode;
import dev.clustering.membership.Member;
import dev.clustering.membership.NodeAddress;

/**
 * What this node knows of the nodes beyond its members: what each topology discovered, which node
 * was found at each address it dialled (an alias), where a node whose name no topology admits
 * answered, and which nodes said goodbye (and where they were, and when they were last heard). From
 * this come the listed-but-silent nodes that the quorum counts ({@link QuorumCount#strangers}), the
 * addresses to dial, and each member's topologies. Bounded by what discovery lists (departed nodes
 * heard from last: the latest 1,024). Owned by the node's event loop, like {@link Mesh}.
 */
final class KnownNodes {

	private final LocalNode self;

	// topology name -> which node names it admits (only for name-scoped strategies); set before start
	private volatile Map<String, Predicate<String>> nameScopes = Map.of();

	private final Map<String, TopologyStatus> topologies = new HashMap<>();

	// address this node dialled -> name of the node found there (or this node's own name)
	private final Map<NodeAddress, String> aliases = new HashMap<>();

	// addresses where a node whose name no topology admits answered (not counted as known nodes)
	private final Set<NodeAddress> outOfScope = new HashSet<>();

	// nodes that said goodbye and were not heard from since, and where they were (not counted)
	private final Map<String, Set<NodeAddress>> departed = new HashMap<>();

	// when each recently departed member was last heard from, the oldest dropped first
	private final Map<String, Long> lastHeardDeparted = new LinkedHashMap<>(16, 0.75f, false) {
		@Override
		protected boolean removeEldestEntry(Map.Entry<String, Long> eldest) {
			return size() > 1024;
		}
	};

	KnownNodes(LocalNode self) {
		this.self = self;
	}

	void nameScopes(Map<String, Predicate<String>> scopes) {
		this.nameScopes = Map.copyOf(scopes);
	}

	/**
	 * A topology reported what it discovers; what is known of departed nodes matters only where
	 * discovery still lists them.
	 * @param status its report
	 */
	void topologyChanged(TopologyStatus status) {
		this.topologies.put(status.name(), status);
		Set<NodeAddress> discovered = new HashSet<>();
		this.topologies.values().forEach((s) -> discovered.addAll(s.discovered()));
		this.departed.values().removeIf((where) -> where.stream().noneMatch(discovered::contains));
	}

	/**
	 * Whether a node found at an address is kept out: only when every topology listing the address
	 * is name-scoped and none admits its name (a node no topology lists may join). A refused address
	 * is not counted as a known node until a node there is {@linkplain #admitted admitted}.
	 * @param address where the node was found
	 * @param name its name
	 * @return the topology that keeps it out, or {@code null}
	 */
	String refuses(NodeAddress address, String name) {
		String refusing = null;
		for (TopologyStatus status : this.topologies.values()) {
			if (!status.discovered().contains(address)) {
				continue;
			}
			Predicate<String> scope = this.nameScopes.get(status.name());
			if (scope == null || scope.test(name)) {
				return null;
			}
			refusing = status.name();
		}
		if (refusing != null) {
			this.outOfScope.add(address);
		}
		return refusing;
	}

	/**
	 * A node found at an address was admitted.
	 * @param address the address
	 */
	void admitted(NodeAddress address) {
		this.outOfScope.remove(address);
	}

	/**
	 * The node found at an address this node dialled.
	 * @param address the address
	 * @param name the node's name (this node's own, when it dialled itself)
	 */
	void alias(NodeAddress address, String name) {
		this.aliases.put(address, name);
	}

	/**
	 * The node last found at an address this node dialled.
	 * @param address the address
	 * @return its name, or {@code null}
	 */
	String alias(NodeAddress address) {
		return this.aliases.get(address);
	}

	/**
	 * Whether an address is this node's own (by what answered there).
	 * @param address the address
	 * @return whether this node answered there
	 */
	boolean isSelf(NodeAddress address) {
		return address.equals(this.self.address()) || this.self.name().equals(this.aliases.get(address));
	}

	/**
	 * A member said goodbye: it is not counted until heard from again.
	 * @param member the member
	 */
	void departed(Member member) {
		Set<NodeAddress> where = new HashSet<>();
		where.add(member.address());
		this.aliases.forEach((address, name) -> {
			if (name.equals(member.name())) {
				where.add(address);
			}
		});
		this.departed.put(member.name(), where);
	}

	/**
	 * A node is heard from again.
	 * @param name the node
	 * @return whether it had said goodbye
	 */
	boolean returned(String name) {
		return this.departed.remove(name) != null;
	}

	/**
	 * Remembers when a member that is gone was last heard from, for the failover rules.
	 * @param name the member
	 * @param nanos when
	 */
	void lastHeard(String name, long nanos) {
		this.lastHeardDeparted.put(name, nanos);
	}

	/**
	 * When a member that is gone was last heard from.
	 * @param name the member
	 * @return monotonic nanoseconds, or {@link Long#MIN_VALUE}
	 */
	long lastHeard(String name) {
		Long departed = this.lastHeardDeparted.get(name);
		return (departed != null) ? departed : Long.MIN_VALUE;
	}

	/**
	 * The listed-but-silent nodes (see {@link QuorumCount#strangers}).
	 * @param members the members, by name, with their addresses
	 * @return node names, or addresses where no node ever answered
	 */
	Set<String> strangers(Map<String, NodeAddress> members) {
		Set<NodeAddress> departedAddresses = new HashSet<>();
		this.departed.values().forEach(departedAddresses::addAll);
		return QuorumCount.strangers(this.self.name(), this.self.address(), members, discovered(), this.aliases,
				this.outOfScope, this.departed.keySet(), departedAddresses);
	}

	/**
	 * Every discovered address, with the topologies that list it.
	 * @return the addresses
	 */
	Map<NodeAddress, Set<String>> wanted() {
		Map<NodeAddress, Set<String>> wanted = new HashMap<>();
		this.topologies.values().forEach((status) -> status.discovered()
			.forEach((address) -> wanted.computeIfAbsent(address, (a) -> new TreeSet<>()).add(status.name())));
		return wanted;
	}

	/**
	 * Forgets the aliases of addresses no topology lists any more, unless a member is still there.
	 * @param wanted the discovered addresses
	 * @param connected the members' addresses
	 * @param isMember whether a name is a member's
	 */
	void pruneAliases(Set<NodeAddress> wanted, Set<NodeAddress> connected, Predicate<String> isMember) {
		this.aliases.keySet().removeIf((address) -> !wanted.contains(address) && !connected.contains(address)
				&& !this.self.name().equals(this.aliases.get(address)) && !isMember.test(this.aliases.get(address)));
	}

	/**
	 * The topologies that list a member (at its address, or at an address where it was found).
	 * @param member the member
	 * @return the topologies' names
	 */
	Set<String> topologiesOf(Member member) {
		Set<String> names = new TreeSet<>();
		for (TopologyStatus status : this.topologies.values()) {
			for (NodeAddress address : status.discovered()) {
				if (address.equals(member.address()) || member.name().equals(this.aliases.get(address))) {
					names.add(status.name());
					break;
				}
			}
		}
		return names;
	}

	private Set<NodeAddress> discovered() {
		Set<NodeAddress> discovered = new HashSet<>();
		this.topologies.values().forEach((status) -> discovered.addAll(status.discovered()));
		return discovered;
	}

}
