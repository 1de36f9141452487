package dev.clustering.autoconfigure;

import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingClass;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * The {@code dns} and {@code dns-srv} strategies, when dnsjava is on the classpath. Each topology
 * that selects one gets its own resolver, built from its {@code dns.*} or {@code dns-srv.*}
 * properties. Without dnsjava, selecting either fails start-up naming the dependency to add.
 */
@AutoConfiguration(before = ClusterAutoConfiguration.class)
@ConditionalOnBooleanProperty(name = "cluster.enabled", matchIfMissing = true)
public class DnsStrategyAutoConfiguration {

	private static final String DNSJAVA = "org.xbill.DNS.SimpleResolver";

	@Configuration(proxyBeanMethods = false)
	@ConditionalOnClass(name = DNSJAVA)
	static class Dnsjava {

		@Bean
		DnsStrategyFactory dnsClusterStrategyFactory() {
			return new DnsStrategyFactory();
		}

		@Bean
		DnsSrvStrategyFactory dnsSrvClusterStrategyFactory() {
			return new DnsSrvStrategyFactory();
		}

	}

	@Configuration(proxyBeanMethods = false)
	@ConditionalOnMissingClass(DNSJAVA)
	static class NoDnsjava {

		@Bean
		ClusterStrategyFactory dnsClusterStrategyFactory() {
			return ClusterStrategyFactory.unavailable("dns", "dnsjava:dnsjava");
		}

		@Bean
		ClusterStrategyFactory dnsSrvClusterStrategyFactory() {
			return ClusterStrategyFactory.unavailable("dns-srv", "dnsjava:dnsjava");
		}

	}

}
