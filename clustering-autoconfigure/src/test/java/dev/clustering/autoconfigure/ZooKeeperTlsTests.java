package dev.clustering.autoconfigure;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyStore;
import java.time.Duration;
import java.util.Collections;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.retry.ExponentialBackoffRetry;
import org.apache.zookeeper.client.ZKClientConfig;
import org.apache.zookeeper.common.ClientX509Util;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.autoconfigure.ssl.SslAutoConfiguration;
import org.springframework.boot.ssl.DefaultSslBundleRegistry;
import org.springframework.boot.ssl.SslBundle;
import org.springframework.boot.ssl.SslBundleKey;
import org.springframework.boot.ssl.SslStoreBundle;
import org.springframework.boot.ssl.jks.JksSslStoreBundle;
import org.springframework.boot.ssl.jks.JksSslStoreDetails;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

import dev.clustering.discovery.NodeRecord;
import dev.clustering.discovery.TestCertificates;
import dev.clustering.discovery.zookeeper.ZooKeeperProcess;
import dev.clustering.node.ClusterNode;

import static dev.clustering.autoconfigure.StartupFailures.rootCause;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * TLS to ZooKeeper through {@code cluster.topologies.<name>.zookeeper.ssl.bundle}, against a real
 * ZooKeeper server process that serves TLS and asks clients for a certificate: a node with the
 * bundle registers and leads; without it, or without a client key, it cannot connect; a bundle that
 * would trust any public authority, or none at all, fails start-up naming the property. The stores
 * handed to ZooKeeper's client are encrypted, readable by this user only, and gone once the
 * application stops.
 */
class ZooKeeperTlsTests {

	private static final Duration BOUND = Duration.ofSeconds(20);

	private static final String BUNDLE = "cluster.topologies.prod.zookeeper.ssl.bundle";

	private static ZooKeeperProcess server;

	private static CuratorFramework admin;

	private final ApplicationContextRunner runner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(SslAutoConfiguration.class, ClusterAutoConfiguration.class,
				ZooKeeperStrategyAutoConfiguration.class))
		.withPropertyValues("cluster.node.host=127.0.0.1", "spring.application.name=secure",
				"cluster.topologies.prod.strategy=zookeeper", "cluster.topologies.prod.zookeeper.session-timeout=4s");

	@BeforeAll
	static void startZooKeeper() throws IOException {
		server = ZooKeeperProcess.startTls(200);
		// the tests' own look at the znodes, over the plain port
		admin = CuratorFrameworkFactory.newClient(server.connectString(), new ExponentialBackoffRetry(50, 10));
		admin.start();
	}

	@AfterAll
	static void stopZooKeeper() {
		admin.close();
		server.close();
	}

	private ApplicationContextRunner secure(String... properties) {
		return this.runner
			.withPropertyValues("cluster.topologies.prod.zookeeper.connect-string=" + server.secureConnectString(),
					"spring.ssl.bundle.jks.zk.truststore.location=file:" + server.clientTrustStore(),
					"spring.ssl.bundle.jks.zk.truststore.password=" + TestCertificates.PASSWORD,
					"spring.ssl.bundle.jks.zk.truststore.type=PKCS12")
			.withPropertyValues(properties);
	}

	private static String[] clientKey() {
		return new String[] { "spring.ssl.bundle.jks.zk.keystore.location=file:" + server.clientKeyStore(),
				"spring.ssl.bundle.jks.zk.keystore.password=" + TestCertificates.PASSWORD,
				"spring.ssl.bundle.jks.zk.keystore.type=PKCS12" };
	}

	@Test
	void overTlsWithAnSslBundleTheNodeRegistersAndLeads() throws Exception {
		Set<Path> before = tlsDirectories();
		secure(clientKey()).withPropertyValues(BUNDLE + "=zk", "cluster.topologies.prod.zookeeper.fail-fast=true")
			.run((context) -> {
				assertThat(context).hasNotFailed();
				ClusterNode node = context.getBean(ClusterNode.class);
				String path = "/cluster/secure/members/" + node.self().name();
				await().atMost(BOUND).until(() -> admin.checkExists().forPath(path) != null);
				assertThat(NodeRecord.parse(new String(admin.getData().forPath(path), StandardCharsets.UTF_8)))
					.isEqualTo(NodeRecord.of(node.self()));
				await().atMost(BOUND).until(() -> node.leadership().isLeader());
				assertThat(node.topologies().get(0).lastError()).isNull();
			});
		// the stores written for the client are gone with the application
		assertThat(tlsDirectories()).isSubsetOf(before);
	}

	@Test
	void withoutTheBundleTheSecurePortCannotBeReached() {
		// plain ZooKeeper protocol against a TLS port: the fail-fast check reports it unreachable
		secure("cluster.topologies.prod.zookeeper.fail-fast=true").run((context) -> {
			assertThat(context).hasFailed();
			assertThat(rootCause(context.getStartupFailure()).getProperty())
				.isEqualTo("cluster.topologies.prod.zookeeper.connect-string");
		});
	}

	@Test
	void withoutAClientKeyTheServerRefusesTheNode() {
		// the server asks for a client certificate (ssl.clientAuth=need)
		secure(BUNDLE + "=zk", "cluster.topologies.prod.zookeeper.fail-fast=true").run((context) -> {
			assertThat(context).hasFailed();
			assertThat(rootCause(context.getStartupFailure()).getProperty())
				.isEqualTo("cluster.topologies.prod.zookeeper.connect-string");
		});
	}

	@Test
	void whenTheSslBundleHasNoTrustStoreThenStartUpFailsNamingIt() {
		this.runner.withPropertyValues(BUNDLE + "=zk").withPropertyValues(clientKey()).run((context) -> {
			assertThat(context).hasFailed();
			ClusterConfigurationException ex = rootCause(context.getStartupFailure());
			assertThat(ex.getProperty()).isEqualTo(BUNDLE);
			assertThat(ex.getMessage()).contains("no trust store");
		});
	}

	@Test
	void whenTheSslBundleDoesNotExistThenStartUpFailsNamingIt() {
		this.runner.withPropertyValues(BUNDLE + "=missing").run((context) -> {
			assertThat(context).hasFailed();
			ClusterConfigurationException ex = rootCause(context.getStartupFailure());
			assertThat(ex.getProperty()).isEqualTo(BUNDLE);
			assertThat(ex.getMessage()).contains("'missing'");
		});
	}

	@Test
	void theClientsStoresAreEncryptedPrivateAndDeletedOnClose() throws Exception {
		SslStoreBundle stores = new JksSslStoreBundle(
				new JksSslStoreDetails("PKCS12", null, "file:" + server.clientKeyStore(), TestCertificates.PASSWORD),
				new JksSslStoreDetails("PKCS12", null, "file:" + server.clientTrustStore(), TestCertificates.PASSWORD));
		DefaultSslBundleRegistry bundles = new DefaultSslBundleRegistry("zk",
				SslBundle.of(stores, SslBundleKey.of(TestCertificates.PASSWORD, "node")));
		Path keys;
		try (ZooKeeperTls tls = ZooKeeperTls.create(BUNDLE, "zk", bundles); ClientX509Util names = new ClientX509Util()) {
			ZKClientConfig config = tls.config();
			assertThat(config.getBoolean(ZKClientConfig.SECURE_CLIENT)).isTrue();
			keys = Path.of(config.getProperty(names.getSslKeystoreLocationProperty()));
			String password = config.getProperty(names.getSslKeystorePasswdProperty());
			assertThat(password).isNotEqualTo(TestCertificates.PASSWORD).hasSizeGreaterThanOrEqualTo(32);
			assertThat(load(keys, password).isKeyEntry("node")).isTrue();
			assertThat(Collections.list(load(Path.of(config.getProperty(names.getSslTruststoreLocationProperty())),
					password).aliases())).containsExactly("zookeeper");
			assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(keys.getParent())))
				.isEqualTo("rwx------");
		}
		assertThat(keys).doesNotExist();
		assertThat(keys.getParent()).doesNotExist();
	}

	private static KeyStore load(Path file, String password) throws Exception {
		KeyStore store = KeyStore.getInstance("PKCS12");
		try (InputStream in = Files.newInputStream(file)) {
			store.load(in, password.toCharArray());
		}
		return store;
	}

	private static Set<Path> tlsDirectories() throws IOException {
		try (Stream<Path> entries = Files.list(Path.of(System.getProperty("java.io.tmpdir")))) {
			return entries.filter((path) -> path.getFileName().toString().startsWith("cluster-zookeeper-tls"))
				.collect(Collectors.toSet());
		}
	}

}
