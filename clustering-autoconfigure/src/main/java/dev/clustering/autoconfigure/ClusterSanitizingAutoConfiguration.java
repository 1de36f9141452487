package dev.clustering.autoconfigure;

import org.springframework.boot.actuate.endpoint.SanitizingFunction;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;

/**
 * Keeps the cluster's secrets ({@code cluster.cookie}, etcd passwords, tokens) masked in the
 * actuator's {@code env} and {@code configprops} endpoints, when actuator is present. Not
 * conditional on {@code cluster.enabled}: a disabled cluster's cookie is still a secret.
 */
@AutoConfiguration
@ConditionalOnClass(SanitizingFunction.class)
public class ClusterSanitizingAutoConfiguration {

	@Bean
	@ConditionalOnMissingBean
	ClusterSanitizingFunction clusterSanitizingFunction() {
		return new ClusterSanitizingFunction();
	}

}
