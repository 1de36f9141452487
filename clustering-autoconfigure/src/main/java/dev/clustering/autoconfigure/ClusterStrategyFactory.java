package dev.clustering.autoconfigure;

import dev.clustering.discovery.DiscoveryStrategy;

/**
 * Creates a built-in strategy from a topology's properties. Each strategy module contributes one
 * as a bean; {@code cluster.topologies.<name>.strategy} selects it by {@link #name()}.
 */
public interface ClusterStrategyFactory {

	/**
	 * The value of {@code cluster.topologies.<name>.strategy} that selects this strategy.
	 * @return the strategy name
	 */
	String name();

	/**
	 * Creates the strategy for one topology, validating its properties.
	 * @param topology the topology name
	 * @param properties the topology's properties
	 * @param cluster all cluster properties (for defaults such as this node's port)
	 * @return the strategy
	 * @throws ClusterConfigurationException if a property is missing or wrong
	 */
	DiscoveryStrategy create(String topology, ClusterProperties.Topology properties, ClusterProperties cluster);

}
