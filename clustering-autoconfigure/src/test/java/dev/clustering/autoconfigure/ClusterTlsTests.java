package dev.clustering.autoconfigure;

import java.nio.file.Path;
import java.time.Duration;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.autoconfigure.ssl.SslAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

import dev.clustering.node.ClusterNode;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Mutual TLS through a Spring Boot SSL bundle: nodes that trust each other's certificate form a
 * cluster; a node with a certificate nobody trusts (but the right cookie) does not.
 */
class ClusterTlsTests {

	@TempDir
	Path dir;

	private Path keystore(String name) throws Exception {
		Path file = this.dir.resolve(name + ".p12");
		Process keytool = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "keytool").toString(),
				"-genkeypair", "-alias", name, "-keyalg", "EC", "-groupname", "secp256r1", "-dname", "CN=" + name,
				"-validity", "2", "-storetype", "PKCS12", "-keystore", file.toString(), "-storepass", "changeit",
				"-keypass", "changeit")
			.redirectErrorStream(true)
			.start();
		assertThat(keytool.waitFor()).as(new String(keytool.getInputStream().readAllBytes())).isZero();
		return file;
	}

	@Test
	void nodesWithTrustedCertificatesFormAndAnUntrustedOneDoesNot() throws Exception {
		Path trusted = keystore("cluster");
		Path stranger = keystore("stranger");
		int[] ports = new int[3];
		try (java.net.ServerSocket a = new java.net.ServerSocket(0); java.net.ServerSocket b = new java.net.ServerSocket(0);
				java.net.ServerSocket c = new java.net.ServerSocket(0)) {
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

}
