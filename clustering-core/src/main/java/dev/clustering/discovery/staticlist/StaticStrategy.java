package dev.clustering.discovery.staticlist;

import java.util.List;
import java.util.Set;

import dev.clustering.discovery.DiscoveryContext;
import dev.clustering.discovery.PollingStrategy;
import dev.clustering.membership.NodeAddress;

/**
 * Discovers a fixed list of addresses; this node's own entry is skipped by the engine. Polling a
 * fixed list is cheap, and re-offering it every interval is what makes the node redial a peer that
 * restarted.
 */
public final class StaticStrategy implements PollingStrategy {

	/** The name to select this strategy with. */
	public static final String NAME = "static";

	private final Set<NodeAddress> hosts;

	/**
	 * Creates the strategy.
	 * @param hosts the addresses of the cluster's nodes
	 */
	public StaticStrategy(List<NodeAddress> hosts) {
		this.hosts = Set.copyOf(hosts);
	}

	@Override
	public Set<NodeAddress> poll(DiscoveryContext context) {
		return this.hosts;
	}

	@Override
	public String toString() {
		return "StaticStrategy" + this.hosts;
	}

}
