package dev.clustering.autoconfigure;

import org.springframework.boot.actuate.autoconfigure.endpoint.condition.ConditionalOnAvailableEndpoint;
import org.springframework.boot.actuate.endpoint.annotation.Endpoint;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;

import dev.clustering.actuate.ClusterEndpoint;
import dev.clustering.node.ClusterNode;

/**
 * The {@code cluster} actuator endpoint, when actuator is present and the endpoint is exposed.
 */
@AutoConfiguration(after = ClusterAutoConfiguration.class)
@ConditionalOnClass(Endpoint.class)
@ConditionalOnBean(ClusterNode.class)
@ConditionalOnAvailableEndpoint(ClusterEndpoint.class)
public class ClusterEndpointAutoConfiguration {

	@Bean
	@ConditionalOnMissingBean
	ClusterEndpoint clusterEndpoint(ClusterNode clusterNode) {
		return new ClusterEndpoint(clusterNode);
	}

}
