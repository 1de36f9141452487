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

	/**
	 * Whether the strategy can run here. An unavailable one (its library is missing) is not offered
	 * among the valid strategies, and selecting it fails start-up naming what to add.
	 * @return whether it is available
	 */
	default boolean available() {
		return true;
	}

	/**
	 * A strategy whose library is not on the classpath: its auto-configuration contributes this
	 * instead of the real factory, so that the error names the dependency.
	 * @param name the strategy's name
	 * @param dependency the dependency to add, as {@code groupId:artifactId}
	 * @return the factory, which fails on {@link #create}
	 */
	static ClusterStrategyFactory unavailable(String name, String dependency) {
		return new ClusterStrategyFactory() {
			@Override
			public String name() {
				return name;
			}

			@Override
			public boolean available() {
				return false;
			}

			@Override
			public DiscoveryStrategy create(StrategyContext context) {
				String property = "cluster.topologies." + context.topology() + ".strategy";
				throw new ClusterConfigurationException(property,
						"strategy '" + name + "' needs " + dependency + ", which is not on the classpath",
						"Add the dependency " + dependency + " to the application, or choose another strategy.");
			}

			@Override
			public String toString() {
				return "unavailable strategy " + name + " (needs " + dependency + ")";
			}
		};
	}

}
