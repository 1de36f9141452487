package dev.clustering.discovery;

import java.time.Duration;
import java.util.Objects;

import dev.clustering.membership.LocalNode;

/**
 * What a strategy knows about the topology it serves (libcluster's {@code State}).
 *
 * @param topology the topology name, to prefix every log line with
 * @param self this node
 * @param pollInterval how often the topology polls
 */
public record DiscoveryContext(String topology, LocalNode self, Duration pollInterval) {

	public DiscoveryContext {
		Objects.requireNonNull(topology, "topology");
		Objects.requireNonNull(self, "self");
		Objects.requireNonNull(pollInterval, "pollInterval");
	}

}
