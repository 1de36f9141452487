package dev.clustering.autoconfigure;

import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import org.springframework.boot.actuate.autoconfigure.context.properties.ConfigurationPropertiesReportEndpointAutoConfiguration;
import org.springframework.boot.actuate.autoconfigure.endpoint.EndpointAutoConfiguration;
import org.springframework.boot.actuate.autoconfigure.env.EnvironmentEndpointAutoConfiguration;
import org.springframework.boot.actuate.context.properties.ConfigurationPropertiesReportEndpoint;
import org.springframework.boot.actuate.endpoint.SanitizableData;
import org.springframework.boot.actuate.endpoint.SanitizingFunction;
import org.springframework.boot.actuate.env.EnvironmentEndpoint;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Secrets under {@code cluster.*} stay masked in {@code /actuator/env} and
 * {@code /actuator/configprops}, even when those endpoints are told to show values.
 */
class ClusterSanitizingTests {

	private static final String COOKIE = "cookie-0123456789abcdef";

	private static final String PASSWORD = "etcd-password-value";

	private final ApplicationContextRunner runner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(EndpointAutoConfiguration.class,
				EnvironmentEndpointAutoConfiguration.class, ConfigurationPropertiesReportEndpointAutoConfiguration.class,
				ClusterAutoConfiguration.class, ClusterSanitizingAutoConfiguration.class))
		.withPropertyValues("management.endpoints.jmx.exposure.include=env,configprops",
				"management.endpoints.web.exposure.include=env,configprops", "management.endpoint.env.show-values=always",
				"management.endpoint.configprops.show-values=always", "cluster.node.host=127.0.0.1",
				"cluster.cookie=" + COOKIE, "cluster.topologies.prod.strategy=none",
				"cluster.topologies.prod.etcd.username=root", "cluster.topologies.prod.etcd.password=" + PASSWORD);

	@Test
	void envEndpointMasksTheCookieAndEtcdPasswordsButShowsTheRest() {
		this.runner.run((context) -> {
			EnvironmentEndpoint env = context.getBean(EnvironmentEndpoint.class);
			assertThat(env.environmentEntry("cluster.cookie").getProperty().getValue()).isEqualTo("******");
			assertThat(env.environmentEntry("cluster.topologies.prod.etcd.password").getProperty().getValue())
				.isEqualTo("******");
			assertThat(env.environmentEntry("cluster.topologies.prod.etcd.username").getProperty().getValue())
				.isEqualTo("root");
			String all = env.environment(null).getPropertySources().toString();
			assertThat(all).doesNotContain(COOKIE).doesNotContain(PASSWORD);
		});
	}

	@Test
	@SuppressWarnings("unchecked")
	void configpropsEndpointMasksTheCookieAndShowsNoEtcdPassword() {
		this.runner.run((context) -> {
			ConfigurationPropertiesReportEndpoint endpoint = context.getBean(ConfigurationPropertiesReportEndpoint.class);
			Map<String, Object> cluster = endpoint.configurationPropertiesWithPrefix("cluster")
				.getContexts()
				.values()
				.iterator()
				.next()
				.getBeans()
				.values()
				.iterator()
				.next()
				.getProperties();
			assertThat(cluster).containsEntry("cookie", "******");
			// a strategy's own settings are bound by its factory, not as part of ClusterProperties: the
			// topology shows its strategy, and /actuator/env (masked, above) shows the rest
			Map<String, Object> prod = (Map<String, Object>) ((Map<String, Object>) cluster.get("topologies"))
				.get("prod");
			assertThat(prod).containsEntry("strategy", "none").doesNotContainKey("etcd");
			assertThat(endpoint.configurationProperties().toString()).doesNotContain(COOKIE).doesNotContain(PASSWORD);
		});
	}

	@Test
	void whenActuatorIsAbsentThenNoSanitizingFunction() {
		this.runner.withClassLoader(new FilteredClassLoader(SanitizingFunction.class))
			.withConfiguration(AutoConfigurations.of(ClusterAutoConfiguration.class,
					ClusterSanitizingAutoConfiguration.class))
			.run((context) -> assertThat(context).doesNotHaveBean(ClusterSanitizingFunction.class));
	}

	@ParameterizedTest
	@CsvSource({ "cluster.cookie, true", "CLUSTER_COOKIE, true", "cluster.topologies.prod.etcd.password, true",
			"CLUSTER_TOPOLOGIES_PROD_ETCD_PASSWORD, true", "cluster.topologies.c.consul.acl-token, true",
			"cluster.topologies.c.consul.aclToken, true", "cluster.topologies.h.http.authorization, true",
			"cluster.topologies.k.token, true", "cluster.something.bearer-token, true",
			"cluster.topologies.p.etcd.username, false", "cluster.node.name, false",
			"cluster.leadership.fencing-token, false", "cluster.leadership.fencingToken, false",
			"CLUSTER_LEADERSHIP_FENCING_TOKEN, false", "spring.datasource.password, false", "other.cookie, false",
			"clusters.cookie, false" })
	void whichKeysAreMasked(String key, boolean masked) {
		SanitizableData data = new ClusterSanitizingFunction().apply(new SanitizableData(null, key, "value"));
		assertThat(data.getValue()).isEqualTo(masked ? SanitizableData.SANITIZED_VALUE : "value");
	}

}
