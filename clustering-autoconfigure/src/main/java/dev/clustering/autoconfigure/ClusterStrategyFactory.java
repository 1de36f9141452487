package dev.clustering.autoconfigure;

import dev.clustering.discovery.DiscoveryStrategy;

/**
 * Creates a strategy from a topology's properties. Each strategy's auto-configuration contributes
 * one as a bean; {@code cluster.topologies.<name>.strategy} selects it by {@link #name()}, and its
 * settings are {@code cluster.topologies.<name>.<strategy name>.*}, bound to a class of its own
 * through {@link StrategyContext#properties(Class)}.
 */
public interface ClusterStrategyFactory {

	/**
	 * The value of {@code cluster.topologies.<name>.strategy} that selects this strategy.
	 * @return the strategy name
	 */
	String name();

	/**
	 * Creates the strategy for one topology, validating its properties.
	 * @param context the topology and the strategy's own properties
	 * @return the strategy
	 * @throws ClusterConfigurationException if a property is missing or wrong
	 */
	DiscoveryStrategy create(StrategyContext context);

}
