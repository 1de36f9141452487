package dev.clustering.autoconfigure;

import org.springframework.util.StringUtils;

import dev.clustering.discovery.DiscoveryStrategy;
import dev.clustering.discovery.dns.DnsStrategy;

/**
 * The {@code dns} strategy from {@code cluster.topologies.<name>.dns.*}.
 */
class DnsStrategyFactory implements ClusterStrategyFactory {

	@Override
	public String name() {
		return DnsStrategy.NAME;
	}

	@Override
	public DiscoveryStrategy create(StrategyContext context) {
		String prefix = context.prefix();
		DnsTopologyProperties dns = context.properties(DnsTopologyProperties.class);
		if (!StringUtils.hasText(dns.getQuery())) {
			// nessie's Ignore: the strategy warns once when the topology starts
			return DnsStrategy.ignore();
		}
		DnsResolverFactory.checkName(prefix + ".query", dns.getQuery());
		if (dns.getRecordTypes() == null || dns.getRecordTypes().isEmpty()) {
			throw new ClusterConfigurationException(prefix + ".record-types", "no record type is set",
					"Set A, AAAA or both.");
		}
		int port = (dns.getPort() != 0) ? dns.getPort() : context.nodePort();
		if (port == 0) {
			throw new ClusterConfigurationException(prefix + ".port",
					"no port to contact the discovered addresses on (cluster.node.port is 0 too)",
					"Set " + prefix + ".port to the cluster port every node listens on, or give every node the same "
							+ "fixed cluster.node.port.");
		}
		if (port < 1 || port > 65535) {
			throw new ClusterConfigurationException(prefix + ".port", "port " + port + " is out of range",
					"Use a port between 1 and 65535.");
		}
		DnsResolverFactory.checkPruneAfter(prefix + ".prune-after", dns.getPruneAfter());
		return new DnsStrategy(DnsResolverFactory.resolver(prefix, dns.getNameservers(), dns.getTimeout()),
				dns.getQuery(), dns.getRecordTypes(), port, DnsResolverFactory.basename(prefix + ".basename",
						dns.getBasename()), dns.getPruneAfter());
	}

}
