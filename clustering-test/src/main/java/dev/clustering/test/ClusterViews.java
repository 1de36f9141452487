package dev.clustering.test;

import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

import dev.clustering.leadership.LeaderInfo;
import dev.clustering.membership.Member;
import dev.clustering.node.ClusterNode;
import dev.clustering.singleton.SingletonInfo;
import dev.clustering.singleton.SingletonState;

/**
 * What a {@link LoopbackCluster}'s nodes see, read from each node's published views (any thread may
 * read them): whether they agree on a leader or a singleton's placement, and a one-line summary for
 * failure messages. Nodes are keyed by short name.
 */
final class ClusterViews {

	private ClusterViews() {
	}

	static String describe(Map<String, ClusterNode> nodes) {
		return nodes.entrySet().stream().map((entry) -> {
			ClusterNode node = entry.getValue();
			if (!node.isRunning()) {
				return entry.getKey() + ": not running";
			}
			String leader = node.leadership()
				.leader()
				.map((l) -> LoopbackCluster.shortName(l.name()) + "#" + l.fencingToken())
				.orElse("none");
			String singletons = node.singletons()
				.values()
				.stream()
				.map((s) -> s.name() + "=" + ((s.node() != null) ? LoopbackCluster.shortName(s.node()) : "nowhere") + " "
						+ s.state())
				.collect(Collectors.joining(", "));
			return entry.getKey() + ": up=" + upMembers(node) + " leader=" + leader + " " + singletons;
		}).collect(Collectors.joining(" | "));
	}

	static List<String> upMembers(ClusterNode node) {
		return node.isRunning() ? node.members().stream().map(Member::name).map(LoopbackCluster::shortName).toList()
				: List.of();
	}

	// the leader every node of `among` sees, if they agree and it is one of them and leads by its lease
	static LeaderInfo agreedLeader(Map<String, ClusterNode> nodes, Collection<String> among) {
		LeaderInfo first = null;
		for (String name : among) {
			Optional<LeaderInfo> seen = nodes.get(name).leadership().leader();
			if (seen.isEmpty()) {
				return null;
			}
			if (first == null) {
				first = seen.get();
			}
			else if (!first.name().equals(seen.get().name()) || first.fencingToken() != seen.get().fencingToken()) {
				return null;
			}
		}
		if (first == null) {
			return null;
		}
		String leader = LoopbackCluster.shortName(first.name());
		if (!among.contains(leader) || nodes.get(leader).leadership().ownLeadership().isEmpty()) {
			return null;
		}
		return first;
	}

	// the node every one of `running` sees running the singleton, if they agree and it is one of them (a
	// node killed a moment ago is still seen running it until the others notice)
	static String agreedPlacement(Map<String, ClusterNode> nodes, Collection<String> running, String singleton) {
		String where = null;
		for (String name : running) {
			SingletonInfo info = nodes.get(name).singletons().get(singleton);
			if (info == null || info.node() == null || info.state() != SingletonState.RUNNING) {
				return null;
			}
			String runner = LoopbackCluster.shortName(info.node());
			if (where != null && !where.equals(runner)) {
				return null;
			}
			where = runner;
		}
		return (where != null && running.contains(where)) ? where : null;
	}

}
