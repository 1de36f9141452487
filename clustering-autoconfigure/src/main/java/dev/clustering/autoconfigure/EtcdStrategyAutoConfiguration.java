package dev.clustering.autoconfigure;

import io.etcd.jetcd.Client;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingClass;
import org.springframework.boot.ssl.SslBundles;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.Environment;

/**
 * The {@code etcd} strategy, when jetcd is on the classpath. Each topology that selects it gets a
 * strategy built from its {@code etcd.*} properties, on the application's jetcd {@link Client} bean
 * if there is one, otherwise on a client of its own. Without jetcd, selecting it fails start-up
 * naming the dependency to add.
 */
@AutoConfiguration(before = ClusterAutoConfiguration.class)
@ConditionalOnBooleanProperty(name = "cluster.enabled", matchIfMissing = true)
public class EtcdStrategyAutoConfiguration {

	private static final String JETCD = "io.etcd.jetcd.Client";

	@Configuration(proxyBeanMethods = false)
	@ConditionalOnClass(name = JETCD)
	static class Jetcd {

		@Bean
		EtcdStrategyFactory etcdClusterStrategyFactory(ObjectProvider<Client> client,
				ObjectProvider<SslBundles> sslBundles, Environment environment) {
			return new EtcdStrategyFactory(client::getIfAvailable, sslBundles::getIfAvailable,
					environment.getProperty("spring.application.name"));
		}

	}

	@Configuration(proxyBeanMethods = false)
	@ConditionalOnMissingClass(JETCD)
	static class NoJetcd {

		@Bean
		ClusterStrategyFactory etcdClusterStrategyFactory() {
			return ClusterStrategyFactory.unavailable("etcd", "io.etcd:jetcd-core");
		}

	}

}
