package dev.clustering.autoconfigure;

import io.micrometer.core.instrument.binder.MeterBinder;

import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;

import dev.clustering.actuate.ClusterMetrics;
import dev.clustering.node.ClusterNode;

/**
 * Micrometer metrics of the cluster node.
 */
@AutoConfiguration(after = ClusterAutoConfiguration.class)
@ConditionalOnClass(MeterBinder.class)
@ConditionalOnBean(ClusterNode.class)
public class ClusterMetricsAutoConfiguration {

	@Bean
	@ConditionalOnMissingBean
	ClusterMetrics clusterMetrics(ClusterNode clusterNode) {
		return new ClusterMetrics(clusterNode);
	}

}
