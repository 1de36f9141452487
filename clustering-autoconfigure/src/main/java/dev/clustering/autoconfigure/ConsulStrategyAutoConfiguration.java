package dev.clustering.autoconfigure;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingClass;
import org.springframework.boot.ssl.SslBundles;
import org.springframework.cloud.consul.ConsulAutoConfiguration;
import org.springframework.cloud.consul.ConsulClient;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.Environment;

/**
 * The {@code consul} strategy, when Spring Cloud Consul's client is on the classpath (it comes with
 * {@code spring-cloud-starter-consul-discovery}, from {@code spring-cloud-consul-core}). Each topology that selects it gets a strategy built from
 * its {@code consul.*} properties, on the application's {@link ConsulClient} bean if there is one,
 * otherwise on a client of its own. Without Spring Cloud Consul, selecting it fails start-up naming
 * the dependency to add.
 */
@AutoConfiguration(before = ClusterAutoConfiguration.class,
		afterName = "org.springframework.cloud.consul.ConsulAutoConfiguration")
@ConditionalOnBooleanProperty(name = "cluster.enabled", matchIfMissing = true)
public class ConsulStrategyAutoConfiguration {

	private static final String CONSUL = "org.springframework.cloud.consul.ConsulClient";

	@Configuration(proxyBeanMethods = false)
	@ConditionalOnClass(name = CONSUL)
	static class SpringCloudConsul {

		@Bean
		ConsulStrategyFactory consulClusterStrategyFactory(ObjectProvider<ConsulClient> client,
				ObjectProvider<ConsulAutoConfiguration.ConsulClientSettings> settings,
				ObjectProvider<SslBundles> sslBundles, Environment environment) {
			return new ConsulStrategyFactory(client::getIfAvailable, settings::getIfAvailable,
					sslBundles::getIfAvailable, environment.getProperty("spring.application.name"));
		}

	}

	@Configuration(proxyBeanMethods = false)
	@ConditionalOnMissingClass(CONSUL)
	static class NoSpringCloudConsul {

		@Bean
		ClusterStrategyFactory consulClusterStrategyFactory() {
			return ClusterStrategyFactory.unavailable("consul",
					"org.springframework.cloud:spring-cloud-starter-consul-discovery (it brings Spring Cloud Consul's "
							+ "ConsulClient, from spring-cloud-consul-core)");
		}

	}

}
