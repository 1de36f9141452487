package dev.clustering.singleton;

import java.time.Duration;
import java.util.List;
import java.util.Objects;

import dev.clustering.membership.LocalNode;

/**
 * Where a singleton may run and how it moves.
 *
 * @param name the singleton's name
 * @param nodes priority groups: the first group is preferred; within a group, nodes are equal and
 * the one running the fewest singletons is chosen; an empty list means any node. Names may be full
 * ({@code abc@10.0.0.1}) or name parts ({@code abc})
 * @param failoverTimeout how long to wait, after the node running it is gone, before starting it elsewhere
 * @param takeover whether a node of higher priority that joins takes the singleton over
 * @param takeoverDelay how long a node of higher priority must stay up before it takes over
 * (hysteresis, so a flapping node cannot make the singleton bounce)
 */
public record SingletonSpec(String name, List<List<String>> nodes, Duration failoverTimeout, boolean takeover,
		Duration takeoverDelay) {

	public SingletonSpec {
		Objects.requireNonNull(name, "name");
		nodes = nodes.stream().map(List::copyOf).toList();
		Objects.requireNonNull(failoverTimeout, "failoverTimeout");
		Objects.requireNonNull(takeoverDelay, "takeoverDelay");
	}

	/**
	 * A spec with the defaults: any node, 5 s failover timeout, takeover after 2 s.
	 * @param name the singleton's name
	 * @return the spec
	 */
	public static SingletonSpec defaults(String name) {
		return new SingletonSpec(name, List.of(), Duration.ofSeconds(5), true, Duration.ofSeconds(2));
	}

	/**
	 * The priority of a node: the index of its group, or -1 if it may not run the singleton.
	 * @param nodeName the node's full name
	 * @return 0 for the first group, 1 for the next, ...; 0 for every node when the list is empty
	 */
	public int priority(String nodeName) {
		if (this.nodes.isEmpty()) {
			return 0;
		}
		String part = LocalNode.namePart(nodeName);
		for (int i = 0; i < this.nodes.size(); i++) {
			for (String candidate : this.nodes.get(i)) {
				if (candidate.equals(nodeName) || candidate.equals(part)) {
					return i;
				}
			}
		}
		return -1;
	}

	/**
	 * A stable description used to detect nodes whose configurations differ.
	 * @return the spec as text
	 */
	public String describe() {
		return this.name + "=" + this.nodes + "/" + this.failoverTimeout.toMillis() + "ms/" + this.takeover + "/"
				+ this.takeoverDelay.toMillis() + "ms";
	}

}
