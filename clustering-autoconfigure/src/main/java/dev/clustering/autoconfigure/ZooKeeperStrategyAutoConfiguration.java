package dev.clustering.autoconfigure;

import org.apache.curator.framework.CuratorFramework;

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
 * The {@code zookeeper} strategy, when Apache Curator's recipes are on the classpath (they come with
 * {@code spring-integration-zookeeper}). Each topology that selects it gets a strategy built from
 * its {@code zookeeper.*} properties, on the application's {@link CuratorFramework} bean if there is
 * one, otherwise on a client of its own. Without Curator, selecting it fails start-up naming the
 * dependency to add.
 */
@AutoConfiguration(before = ClusterAutoConfiguration.class)
@ConditionalOnBooleanProperty(name = "cluster.enabled", matchIfMissing = true)
public class ZooKeeperStrategyAutoConfiguration {

	private static final String CURATOR = "org.apache.curator.framework.recipes.nodes.PersistentNode";

	@Configuration(proxyBeanMethods = false)
	@ConditionalOnClass(name = CURATOR)
	static class Curator {

		@Bean
		ZooKeeperStrategyFactory zooKeeperClusterStrategyFactory(ObjectProvider<CuratorFramework> client,
				ObjectProvider<SslBundles> sslBundles, Environment environment) {
			return new ZooKeeperStrategyFactory(client::getIfAvailable, sslBundles::getIfAvailable,
					environment.getProperty("spring.application.name"));
		}

	}

	@Configuration(proxyBeanMethods = false)
	@ConditionalOnMissingClass(CURATOR)
	static class NoCurator {

		@Bean
		ClusterStrategyFactory zooKeeperClusterStrategyFactory() {
			return ClusterStrategyFactory.unavailable("zookeeper",
					"org.apache.curator:curator-recipes (spring-integration-zookeeper brings it)");
		}

	}

}
