package dev.clustering.autoconfigure;

import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;

import org.springframework.beans.factory.ListableBeanFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.ssl.SslAutoConfiguration;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.ssl.SslBundles;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.context.annotation.Bean;
import org.springframework.core.env.Environment;

import dev.clustering.discovery.DiscoveryStrategy;
import dev.clustering.leadership.ClusterLeadership;
import dev.clustering.node.ClusterNode;
import dev.clustering.node.ClusterNodeBuilder;

/**
 * Auto-configuration of the cluster node: built from {@code cluster.*}, started with the
 * application (singleton beans registered, start-up gated on {@code cluster.sync-nodes}), its
 * events published as application events, its leadership as a {@link ClusterLeadership} bean.
 */
@AutoConfiguration(after = SslAutoConfiguration.class)
@ConditionalOnBooleanProperty(name = "cluster.enabled", matchIfMissing = true)
@EnableConfigurationProperties(ClusterProperties.class)
public class ClusterAutoConfiguration {

	@Bean
	StaticStrategyFactory staticClusterStrategyFactory() {
		return new StaticStrategyFactory();
	}

	@Bean
	NoneStrategyFactory noneClusterStrategyFactory() {
		return new NoneStrategyFactory();
	}

	@Bean
	@ConditionalOnMissingBean
	ClusterNode clusterNode(ClusterProperties properties, Environment environment,
			ObjectProvider<ClusterStrategyFactory> factories, Map<String, DiscoveryStrategy> strategies,
			ObjectProvider<SslBundles> sslBundles, ObjectProvider<ClusterNodeCustomizer> customizers,
			ApplicationEventPublisher publisher) {
		ClusterNodeBuilder builder = new ClusterNodeFactory(properties,
				environment.getProperty("spring.application.name"), factories.orderedStream().toList(), strategies,
				sslBundles.getIfAvailable(), Binder.get(environment))
			.builder();
		// the node is the events' source, as before the engine had events of its own
		AtomicReference<ClusterNode> source = new AtomicReference<>();
		builder.listener((event) -> publisher.publishEvent(ClusterApplicationEvents.of(source.get(), event)));
		customizers.orderedStream().forEach((customizer) -> customizer.customize(builder));
		ClusterNode node = builder.build();
		source.set(node);
		return node;
	}

	@Bean
	@ConditionalOnMissingBean
	ClusterNodeLifecycle clusterNodeLifecycle(ClusterNode clusterNode, ListableBeanFactory beanFactory) {
		return new ClusterNodeLifecycle(clusterNode, beanFactory);
	}

	@Bean
	@ConditionalOnMissingBean
	ClusterSyncLifecycle clusterSyncLifecycle(ClusterNode clusterNode, ClusterProperties properties,
			ApplicationEventPublisher publisher) {
		return new ClusterSyncLifecycle(clusterNode, properties.getSyncNodes(), publisher);
	}

	@Bean
	@ConditionalOnMissingBean
	ClusterLeadership clusterLeadership(ClusterNode clusterNode) {
		return clusterNode.leadership();
	}

}
