package dev.clustering.autoconfigure;

import org.springframework.util.StringUtils;

import dev.clustering.discovery.DiscoveryStrategy;
import dev.clustering.discovery.dns.DnsSrvStrategy;

/**
 * The {@code dns-srv} strategy from {@code cluster.topologies.<name>.dns-srv.*}.
 */
class DnsSrvStrategyFactory implements ClusterStrategyFactory {

	@Override
	public String name() {
		return DnsSrvStrategy.NAME;
	}

	@Override
	public DiscoveryStrategy create(StrategyContext context) {
		String prefix = context.prefix();
		DnsSrvTopologyProperties srv = context.properties(DnsSrvTopologyProperties.class);
		if (!StringUtils.hasText(srv.getService())) {
			throw new ClusterConfigurationException(prefix + ".service", "the dns-srv strategy needs an SRV name",
					"Set it to the name whose SRV records list the cluster's nodes, for example " + prefix
							+ ".service=likes-service-dist.service.consul.");
		}
		DnsResolverFactory.checkName(prefix + ".service", srv.getService());
		DnsResolverFactory.checkPruneAfter(prefix + ".prune-after", srv.getPruneAfter());
		return new DnsSrvStrategy(DnsResolverFactory.resolver(prefix, srv.getNameservers(), srv.getTimeout()),
				srv.getService(), DnsResolverFactory.basename(prefix + ".basename", srv.getBasename()),
				srv.getPruneAfter());
	}

}
