package dev.clustering.autoconfigure;

import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.health.autoconfigure.contributor.ConditionalOnEnabledHealthIndicator;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.context.annotation.Bean;

import dev.clustering.actuate.ClusterHealthIndicator;
import dev.clustering.node.ClusterNode;

/**
 * The {@code cluster} health indicator.
 */
@AutoConfiguration(after = ClusterAutoConfiguration.class)
@ConditionalOnClass(HealthIndicator.class)
@ConditionalOnBean(ClusterNode.class)
@ConditionalOnEnabledHealthIndicator("cluster")
public class ClusterHealthAutoConfiguration {

	@Bean
	@ConditionalOnMissingBean(name = "clusterHealthIndicator")
	ClusterHealthIndicator clusterHealthIndicator(ClusterNode clusterNode) {
		return new ClusterHealthIndicator(clusterNode);
	}

}
