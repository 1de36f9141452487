package dev.clustering.autoconfigure;

import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.function.BiConsumer;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.autoconfigure.ssl.SslAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

import dev.clustering.node.ClusterNode;

import static dev.clustering.autoconfigure.StartupFailures.rootCause;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Mutual TLS through a Spring Boot SSL bundle: nodes that trust each other's certificate form a
 * cluster; a node with a certificate nobody trusts (but the right cookie) does not, nor does one whose
 * certificate names another host than the one dialled (unless verify-hostname is off); a bundle
 * without a trust store is refused.
 */
class ClusterTlsTests {

	@TempDir
	Path dir;

	// a self-signed certificate for the hosts in san (keytool's -ext SAN syntax, such as ip:127.0.0.1)
	private Path keystore(String name, String san) throws Exception {
		Path file = this.dir.resolve(name + ".p12");
		Process keytool = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "keytool").toString(),
				"-genkeypair", "-alias", name, "-keyalg", "EC", "-groupname", "secp256r1", "-dname", "CN=" + name,
				"-ext", "SAN=" + san, "-validity", "2", "-storetype", "PKCS12", "-keystore", file.toString(),
				"-storepass", "changeit", "-keypass", "changeit")
			.redirectErrorStream(true)
			.start();
		assertThat(keytool.waitFor()).as(new String(keytool.getInputStream().readAllBytes())).isZero();
		return file;
	}

	@Test
	void nodesWithTrustedCertificatesFormAndAnUntrustedOneDoesNot() throws Exception {
		Path trusted = keystore("cluster", "ip:127.0.0.1");
		Path stranger = keystore("stranger", "ip:127.0.0.1");
		int[] ports = new int[3];
		try (ServerSocket a = new ServerSocket(0); ServerSocket b = new ServerSocket(0);
				ServerSocket c = new ServerSocket(0)) {
			ports[0] = a.getLocalPort();
			ports[1] = b.getLocalPort();
			ports[2] = c.getLocalPort();
		}
		ApplicationContextRunner runner = new ApplicationContextRunner()
			.withConfiguration(AutoConfigurations.of(SslAutoConfiguration.class, ClusterAutoConfiguration.class))
			.withPropertyValues("cluster.node.host=127.0.0.1", "cluster.cookie=s3cret",
					"cluster.transport.ssl.bundle=cluster", "cluster.topologies.local.strategy=static",
					"cluster.topologies.local.poll-interval=200ms",
					"cluster.topologies.local.static.hosts=127.0.0.1:" + ports[0] + ",127.0.0.1:" + ports[1]
							+ ",127.0.0.1:" + ports[2],
					"spring.ssl.bundle.jks.cluster.keystore.password=changeit",
					"spring.ssl.bundle.jks.cluster.keystore.type=PKCS12",
					"spring.ssl.bundle.jks.cluster.truststore.password=changeit",
					"spring.ssl.bundle.jks.cluster.truststore.type=PKCS12");
		ApplicationContextRunner good = runner.withPropertyValues(
				"spring.ssl.bundle.jks.cluster.keystore.location=file:" + trusted,
				"spring.ssl.bundle.jks.cluster.truststore.location=file:" + trusted);
		good.withPropertyValues("cluster.node.name=abc", "cluster.node.port=" + ports[0]).run((abc) -> {
			assertThat(abc).hasNotFailed();
			good.withPropertyValues("cluster.node.name=bcd", "cluster.node.port=" + ports[1]).run((bcd) -> {
				runner
					.withPropertyValues("cluster.node.name=evil", "cluster.node.port=" + ports[2],
							"spring.ssl.bundle.jks.cluster.keystore.location=file:" + stranger,
							"spring.ssl.bundle.jks.cluster.truststore.location=file:" + stranger)
					.run((evil) -> {
						ClusterNode a = abc.getBean(ClusterNode.class);
						ClusterNode b = bcd.getBean(ClusterNode.class);
						ClusterNode e = evil.getBean(ClusterNode.class);
						await().atMost(Duration.ofSeconds(10))
							.until(() -> a.members().size() == 1 && b.members().size() == 1);
						await().during(Duration.ofSeconds(1)).atMost(Duration.ofSeconds(3))
							.until(() -> a.members().size() == 1 && e.members().isEmpty());
					});
			});
		});
	}

	@Test
	void whenThePeersCertificateDoesNotNameTheDialledHostThenNodesDoNotForm() throws Exception {
		Path elsewhere = keystore("cluster", "ip:127.0.0.2,dns:elsewhere.invalid");
		twoNodes(elsewhere, (a, b) -> await().during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(4))
			.until(() -> a.members().isEmpty() && b.members().isEmpty()));
	}

	@Test
	void withVerifyHostnameOffAnyCertificateTheTrustStoreAcceptsIsEnough() throws Exception {
		Path elsewhere = keystore("cluster", "ip:127.0.0.2,dns:elsewhere.invalid");
		twoNodes(elsewhere, (a, b) -> await().atMost(Duration.ofSeconds(10))
			.until(() -> a.members().size() == 1 && b.members().size() == 1),
				"cluster.transport.ssl.verify-hostname=false");
	}

	@Test
	void whenTheBundleHasNoTrustStoreThenStartUpFailsNamingIt() throws Exception {
		Path keys = keystore("cluster", "ip:127.0.0.1");
		new ApplicationContextRunner()
			.withConfiguration(AutoConfigurations.of(SslAutoConfiguration.class, ClusterAutoConfiguration.class))
			.withPropertyValues("cluster.node.host=127.0.0.1", "cluster.transport.ssl.bundle=cluster",
					"spring.ssl.bundle.jks.cluster.keystore.location=file:" + keys,
					"spring.ssl.bundle.jks.cluster.keystore.password=changeit",
					"spring.ssl.bundle.jks.cluster.keystore.type=PKCS12")
			.run((context) -> {
				assertThat(context).hasFailed();
				ClusterConfigurationException ex = rootCause(context.getStartupFailure());
				assertThat(ex.getProperty()).isEqualTo("cluster.transport.ssl.bundle");
				assertThat(ex.getProblem()).contains("no trust store");
			});
	}

	private void twoNodes(Path keystore, BiConsumer<ClusterNode, ClusterNode> check, String... properties)
			throws Exception {
		int[] ports = new int[2];
		try (ServerSocket a = new ServerSocket(0); ServerSocket b = new ServerSocket(0)) {
			ports[0] = a.getLocalPort();
			ports[1] = b.getLocalPort();
		}
		ApplicationContextRunner runner = new ApplicationContextRunner()
			.withConfiguration(AutoConfigurations.of(SslAutoConfiguration.class, ClusterAutoConfiguration.class))
			.withPropertyValues("cluster.node.host=127.0.0.1", "cluster.cookie=s3cret",
					"cluster.transport.ssl.bundle=cluster", "cluster.topologies.local.strategy=static",
					"cluster.topologies.local.poll-interval=200ms",
					"cluster.topologies.local.static.hosts=127.0.0.1:" + ports[0] + ",127.0.0.1:" + ports[1],
					"spring.ssl.bundle.jks.cluster.keystore.location=file:" + keystore,
					"spring.ssl.bundle.jks.cluster.keystore.password=changeit",
					"spring.ssl.bundle.jks.cluster.keystore.type=PKCS12",
					"spring.ssl.bundle.jks.cluster.truststore.location=file:" + keystore,
					"spring.ssl.bundle.jks.cluster.truststore.password=changeit",
					"spring.ssl.bundle.jks.cluster.truststore.type=PKCS12")
			.withPropertyValues(properties);
		runner.withPropertyValues("cluster.node.name=abc", "cluster.node.port=" + ports[0]).run((abc) -> {
			assertThat(abc).hasNotFailed();
			runner.withPropertyValues("cluster.node.name=bcd", "cluster.node.port=" + ports[1]).run((bcd) -> {
				assertThat(bcd).hasNotFailed();
				check.accept(abc.getBean(ClusterNode.class), bcd.getBean(ClusterNode.class));
			});
		});
	}

}
