package dev.clustering.faults;

import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * One node's answer at {@code /actuator/cluster}: its members, the leader and the {@code distro}
 * singleton as it sees them, and what its transport counted. Node names are kept whole
 * ({@code n2@10.231.7.12}); members are keyed by name part.
 *
 * @param node the node asked (name part)
 * @param members other nodes' name parts to their status (UP, UNREACHABLE)
 * @param leader the leader's name, or {@code null}
 * @param leaderToken the leader's fencing token, 0 without a leader
 * @param distroNode where {@code distro} runs, or {@code null}
 * @param distroState its state (RUNNING, STARTING, ...), or {@code null}
 * @param distroToken the token of its current start
 * @param transport the transport's counters ({@code invalidFrames}, {@code handlerErrors}, ...), empty
 * if the node does not show them
 */
record NodeView(String node, Map<String, String> members, String leader, long leaderToken, String distroNode,
		String distroState, long distroToken, Map<String, Long> transport) {

	NodeView {
		members = Map.copyOf(members);
		transport = Map.copyOf(transport);
	}

	@SuppressWarnings("unchecked")
	static NodeView parse(String node, Map<String, Object> json) {
		Map<String, String> members = new TreeMap<>();
		Object list = json.get("members");
		if (list instanceof List<?> items) {
			for (Object item : items) {
				Map<String, Object> member = (Map<String, Object>) item;
				members.put(namePart(String.valueOf(member.get("name"))), String.valueOf(member.get("status")));
			}
		}
		String leader = null;
		long leaderToken = 0;
		if (json.get("leader") instanceof Map<?, ?> l) {
			leader = (String) l.get("name");
			leaderToken = number(l.get("fencingToken"));
		}
		String distroNode = null;
		String distroState = null;
		long distroToken = 0;
		if (json.get("singletons") instanceof Map<?, ?> singletons && singletons.get("distro") instanceof Map<?, ?> d) {
			distroNode = (String) d.get("node");
			distroState = (String) d.get("state");
			distroToken = number(d.get("fencingToken"));
		}
		Map<String, Long> transport = new TreeMap<>();
		if (json.get("transport") instanceof Map<?, ?> counters) {
			counters.forEach((key, value) -> transport.put(String.valueOf(key), number(value)));
		}
		return new NodeView(node, members, leader, leaderToken, distroNode, distroState, distroToken, transport);
	}

	private static long number(Object value) {
		return (value instanceof Number n) ? n.longValue() : 0;
	}

	static String namePart(String name) {
		int at = (name != null) ? name.indexOf('@') : -1;
		return (at < 0) ? name : name.substring(0, at);
	}

	/** How many of the given nodes (name parts) this node sees UP; other members (a stranger) do not count. */
	long upCount(Collection<String> among) {
		return this.members.entrySet().stream()
			.filter((e) -> among.contains(e.getKey()) && "UP".equals(e.getValue()))
			.count();
	}

	/** A transport counter, or -1 if the node does not show it. */
	long counter(String name) {
		return this.transport.getOrDefault(name, -1L);
	}

	/** The leader's name part, or {@code null}. */
	String leaderName() {
		return namePart(this.leader);
	}

	/** The name part of where {@code distro} runs, or {@code null}. */
	String distroName() {
		return namePart(this.distroNode);
	}

	/** One line for reports: {@code n1: leader=n3#123 distro=n2 RUNNING#456 up=4 [n4=UNREACHABLE]}. */
	String summary() {
		StringBuilder text = new StringBuilder(this.node).append(": leader=")
			.append((this.leader != null) ? leaderName() + "#" + this.leaderToken : "none")
			.append(" distro=")
			.append((this.distroNode != null) ? distroName() : "none")
			.append(' ')
			.append(this.distroState)
			.append('#')
			.append(this.distroToken)
			.append(" up=")
			.append(this.members.values().stream().filter("UP"::equals).count());
		this.members.forEach((name, status) -> {
			if (!"UP".equals(status)) {
				text.append(' ').append(name).append('=').append(status);
			}
		});
		return text.toString();
	}

}
