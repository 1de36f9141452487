package dev.clustering.autoconfigure;

import java.util.ArrayList;
import java.util.List;

import dev.clustering.discovery.DiscoveryStrategy;
import dev.clustering.discovery.staticlist.StaticStrategy;
import dev.clustering.membership.NodeAddress;

/**
 * The {@code static} strategy from {@code cluster.topologies.<name>.static.hosts}.
 */
class StaticStrategyFactory implements ClusterStrategyFactory {

	@Override
	public String name() {
		return StaticStrategy.NAME;
	}

	@Override
	public DiscoveryStrategy create(StrategyContext context) {
		String property = context.property("hosts");
		List<String> hosts = context.properties(StaticTopologyProperties.class).getHosts();
		if (hosts == null || hosts.isEmpty()) {
			throw new ClusterConfigurationException(property, "the static strategy needs at least one host",
					"List the cluster's nodes as host:port, for example " + property
							+ "=10.0.0.1:9401,10.0.0.2:9401, or use strategy none for a one-node cluster.");
		}
		List<NodeAddress> addresses = new ArrayList<>();
		for (int i = 0; i < hosts.size(); i++) {
			try {
				addresses.add(NodeAddress.parse(hosts.get(i)));
			}
			catch (IllegalArgumentException ex) {
				throw new ClusterConfigurationException(property + "[" + i + "]", ex.getMessage(),
						"Write each host as host:port (IPv6 as [addr]:port), for example 127.0.0.1:9401.");
			}
		}
		return new StaticStrategy(addresses);
	}

}
