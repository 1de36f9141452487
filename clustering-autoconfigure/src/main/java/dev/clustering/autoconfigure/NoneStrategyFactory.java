package dev.clustering.autoconfigure;

import dev.clustering.discovery.DiscoveryStrategy;
import dev.clustering.discovery.none.NoneStrategy;

/**
 * The {@code none} strategy: a one-node cluster for development.
 */
class NoneStrategyFactory implements ClusterStrategyFactory {

	@Override
	public String name() {
		return NoneStrategy.NAME;
	}

	@Override
	public DiscoveryStrategy create(StrategyContext context) {
		return new NoneStrategy();
	}

}
