package dev.clustering.autoconfigure;

import dev.clustering.node.ClusterNodeBuilder;

/**
 * Customizes the auto-configured cluster node before it is built (add a topology in code, a
 * listener, a clock).
 */
@FunctionalInterface
public interface ClusterNodeCustomizer {

	/**
	 * Customizes the builder.
	 * @param builder the builder
	 */
	void customize(ClusterNodeBuilder builder);

}
