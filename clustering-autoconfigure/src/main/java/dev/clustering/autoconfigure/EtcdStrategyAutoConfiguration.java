package dev.clustering.autoconfigure;

import io.etcd.jetcd.Client;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.ssl.SslBundles;
import org.springframework.context.annotation.Bean;
import org.springframework.core.env.Environment;

/**
 * The {@code etcd} strategy, when jetcd is on the classpath. Each topology that selects it gets a
 * strategy built from its {@code etcd.*} properties, on the application's jetcd {@link Client} bean
 * if there is one, otherwise on a client of its own.
 */
@AutoConfiguration(before = ClusterAutoConfiguration.class)
@ConditionalOnClass(Client.class)
@ConditionalOnBooleanProperty(name = "cluster.enabled", matchIfMissing = true)
public class EtcdStrategyAutoConfiguration {

	@Bean
	EtcdStrategyFactory etcdClusterStrategyFactory(ObjectProvider<Client> client, ObjectProvider<SslBundles> sslBundles,
			Environment environment) {
		return new EtcdStrategyFactory(client::getIfAvailable, sslBundles::getIfAvailable,
				environment.getProperty("spring.application.name"));
	}

}
