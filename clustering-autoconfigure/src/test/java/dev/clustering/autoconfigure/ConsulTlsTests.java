package dev.clustering.autoconfigure;

import java.io.IOException;
import java.time.Duration;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.autoconfigure.ssl.SslAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

import dev.clustering.discovery.consul.ConsulAgent;
import dev.clustering.node.ClusterNode;

import static dev.clustering.autoconfigure.StartupFailures.rootCause;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The {@code consul} strategy over TLS, {@code cluster.topologies.<name>.consul.ssl.bundle}, against
 * a real Consul agent that serves its HTTP API over TLS with a self-signed certificate: with a
 * bundle that trusts it the node registers and leads; without, the JVM's trust store refuses it;
 * a bundle that would trust any public authority, a missing bundle, or TLS over an http URL fail
 * start-up naming the property.
 */
class ConsulTlsTests {

	private static final Duration BOUND = Duration.ofSeconds(20);

	private static final String BUNDLE = "cluster.topologies.prod.consul.ssl.bundle";

	private static ConsulAgent agent;

	private final ApplicationContextRunner runner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(SslAutoConfiguration.class, ClusterAutoConfiguration.class,
				ConsulStrategyAutoConfiguration.class))
		.withPropertyValues("cluster.node.host=127.0.0.1", "spring.application.name=secure",
				"cluster.topologies.prod.strategy=consul", "cluster.topologies.prod.consul.fail-fast=true");

	@BeforeAll
	static void startConsul() throws IOException {
		agent = ConsulAgent.startTls();
	}

	@AfterAll
	static void stopConsul() {
		agent.close();
	}

	@Test
	void overTlsWithAnSslBundleTheNodeRegistersAndLeads() {
		this.runner
			.withPropertyValues("cluster.topologies.prod.consul.url=" + agent.httpsUrl(), BUNDLE + "=consul",
					"spring.ssl.bundle.pem.consul.truststore.certificate=file:" + agent.certificate())
			.run((context) -> {
				assertThat(context).hasNotFailed();
				ClusterNode node = context.getBean(ClusterNode.class);
				await().atMost(BOUND).until(() -> node.leadership().isLeader());
				assertThat(node.topologies().get(0).lastError()).isNull();
			});
	}

	@Test
	void withoutTheBundleTheJvmsTrustStoreRefusesTheAgentsCertificate() {
		this.runner.withPropertyValues("cluster.topologies.prod.consul.url=" + agent.httpsUrl()).run((context) -> {
			assertThat(context).hasFailed();
			assertThat(rootCause(context.getStartupFailure()).getProperty())
				.isEqualTo("cluster.topologies.prod.consul.url");
		});
	}

	@Test
	void whenTheSslBundleHasNoTrustStoreThenStartUpFailsNamingIt() {
		this.runner
			.withPropertyValues("cluster.topologies.prod.consul.url=" + agent.httpsUrl(), BUNDLE + "=keys",
					"spring.ssl.bundle.pem.keys.keystore.certificate=file:" + agent.certificate(),
					"spring.ssl.bundle.pem.keys.keystore.private-key=file:"
							+ agent.certificate().resolveSibling("consul-key.pem"))
			.run((context) -> {
				ClusterConfigurationException ex = rootCause(context.getStartupFailure());
				assertThat(ex.getProperty()).isEqualTo(BUNDLE);
				assertThat(ex.getMessage()).contains("no trust store");
			});
	}

	@Test
	void whenTheSslBundleDoesNotExistThenStartUpFailsNamingIt() {
		this.runner.withPropertyValues("cluster.topologies.prod.consul.url=" + agent.httpsUrl(), BUNDLE + "=missing")
			.run((context) -> assertThat(rootCause(context.getStartupFailure()).getProperty()).isEqualTo(BUNDLE));
	}

	@Test
	void whenTlsIsSetButTheUrlUsesHttpThenStartUpFailsNamingIt() {
		this.runner
			.withPropertyValues("cluster.topologies.prod.consul.url=" + agent.url(), BUNDLE + "=consul",
					"spring.ssl.bundle.pem.consul.truststore.certificate=file:" + agent.certificate())
			.run((context) -> assertThat(rootCause(context.getStartupFailure()).getProperty())
				.isEqualTo("cluster.topologies.prod.consul.url"));
	}

}
