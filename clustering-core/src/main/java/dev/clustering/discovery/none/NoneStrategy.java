package dev.clustering.discovery.none;

import java.util.Set;

import dev.clustering.discovery.DiscoveryContext;
import dev.clustering.discovery.PollingStrategy;
import dev.clustering.membership.NodeAddress;

/**
 * Discovers nothing: a one-node cluster for development. Other nodes may still dial in.
 */
public final class NoneStrategy implements PollingStrategy {

	/** The name to select this strategy with. */
	public static final String NAME = "none";

	@Override
	public Set<NodeAddress> poll(DiscoveryContext context) {
		return Set.of();
	}

}
