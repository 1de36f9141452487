package dev.clustering.autoconfigure;

import org.xbill.DNS.SimpleResolver;

import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.context.annotation.Bean;

/**
 * The {@code dns} and {@code dns-srv} strategies, when dnsjava is on the classpath. Each topology
 * that selects one gets its own resolver, built from its {@code dns.*} or {@code dns-srv.*}
 * properties.
 */
@AutoConfiguration(before = ClusterAutoConfiguration.class)
@ConditionalOnClass(SimpleResolver.class)
@ConditionalOnBooleanProperty(name = "cluster.enabled", matchIfMissing = true)
public class DnsStrategyAutoConfiguration {

	@Bean
	DnsStrategyFactory dnsClusterStrategyFactory() {
		return new DnsStrategyFactory();
	}

	@Bean
	DnsSrvStrategyFactory dnsSrvClusterStrategyFactory() {
		return new DnsSrvStrategyFactory();
	}

}
