package dev.clustering.autoconfigure;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.KeyValue;
import io.etcd.jetcd.options.GetOption;
import io.etcd.jetcd.options.LeaseOption;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.autoconfigure.ssl.SslAutoConfiguration;
import org.springframework.boot.diagnostics.FailureAnalysis;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

import dev.clustering.discovery.etcd.EtcdServer;
import dev.clustering.discovery.NodeRecord;
import dev.clustering.node.ClusterNode;

import static dev.clustering.autoconfigure.StartupFailures.rootCause;
import static dev.clustering.autoconfigure.StartupFailures.unusedPort;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The {@code etcd} strategy as a Spring application configures it: back-off without jetcd, start-up
 * failures naming the property, and registration in a real etcd under the application's name,
 * through a client of its own or the application's.
 */
class EtcdStrategyAutoConfigurationTests {

	private static final Duration BOUND = Duration.ofSeconds(15);

	private static EtcdServer etcd;

	private static Client admin;

	private final ApplicationContextRunner runner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(SslAutoConfiguration.class, ClusterAutoConfiguration.class,
				EtcdStrategyAutoConfiguration.class))
		.withPropertyValues("cluster.node.host=127.0.0.1");

	@BeforeAll
	static void startEtcd() throws Exception {
		etcd = EtcdServer.start();
		admin = etcd.client();
	}

	@AfterAll
	static void stopEtcd() {
		if (etcd != null) {
			etcd.close();
		}
	}

	private ApplicationContextRunner etcdTopology(String... properties) {
		return this.runner
			.withPropertyValues("cluster.topologies.prod.strategy=etcd", "cluster.topologies.prod.etcd.ttl=2s",
					"cluster.topologies.prod.etcd.endpoints=" + etcd.endpoint())
			.withPropertyValues(properties);
	}

	private static List<KeyValue> keys(String prefix) throws Exception {
		return admin.getKVClient().get(EtcdKeys.bytes(prefix), GetOption.builder().isPrefix(true).build()).get().getKvs();
	}

	@Test
	void whenJetcdIsPresentThenEtcdIsAStrategy() {
		this.runner.run((context) -> assertThat(context.getBeansOfType(ClusterStrategyFactory.class).values())
			.extracting(ClusterStrategyFactory::name)
			.contains("etcd"));
	}

	@Test
	void whenJetcdIsAbsentThenNoEtcdStrategy() {
		this.runner.withClassLoader(new FilteredClassLoader(Client.class)).run((context) -> {
			assertThat(context).doesNotHaveBean(EtcdStrategyFactory.class);
			assertThat(context.getBeansOfType(ClusterStrategyFactory.class).values())
				.filteredOn(ClusterStrategyFactory::available)
				.extracting(ClusterStrategyFactory::name)
				.doesNotContain("etcd");
		});
	}

	@Test
	void whenJetcdIsAbsentThenSelectingEtcdFailsNamingTheDependency() {
		this.runner.withClassLoader(new FilteredClassLoader(Client.class))
			.withPropertyValues("cluster.topologies.prod.strategy=etcd")
			.run((context) -> {
				assertThat(context).hasFailed();
				ClusterConfigurationException ex = rootCause(context.getStartupFailure());
				assertThat(ex.getProperty()).isEqualTo("cluster.topologies.prod.strategy");
				assertThat(ex).hasMessageContaining("io.etcd:jetcd-core");
			});
	}

	@Test
	void whenClusterIsDisabledThenNoEtcdStrategy() {
		this.runner.withPropertyValues("cluster.enabled=false")
			.run((context) -> assertThat(context).doesNotHaveBean(EtcdStrategyAutoConfiguration.class));
	}

	@Test
	void whenTheTtlIsBelowTwoSecondsThenStartUpFailsNamingIt() {
		etcdTopology("cluster.topologies.prod.etcd.ttl=1500ms").run((context) -> {
			assertThat(context).hasFailed();
			ClusterConfigurationException ex = rootCause(context.getStartupFailure());
			assertThat(ex.getProperty()).isEqualTo("cluster.topologies.prod.etcd.ttl");
			assertThat(ex.getProblem()).contains("at least 2s", "PT1.5S");
			FailureAnalysis analysis = new ClusterConfigurationFailureAnalyzer().analyze(context.getStartupFailure());
			assertThat(analysis.getDescription()).contains("cluster.topologies.prod.etcd.ttl");
		});
	}

	@Test
	void whenAnEndpointIsNotAnEtcdUrlThenStartUpFailsNamingIt() {
		etcdTopology("cluster.topologies.prod.etcd.endpoints=http://127.0.0.1:2379,127.0.0.1:2379")
			.run((context) -> assertThat(rootCause(context.getStartupFailure()).getProperty())
				.isEqualTo("cluster.topologies.prod.etcd.endpoints[1]"));
	}

	@Test
	void whenOnlyTheUsernameIsSetThenStartUpFailsNamingThePassword() {
		etcdTopology("cluster.topologies.prod.etcd.username=root").run((context) -> {
			ClusterConfigurationException ex = rootCause(context.getStartupFailure());
			assertThat(ex.getProperty()).isEqualTo("cluster.topologies.prod.etcd.password");
		});
	}

	@Test
	void whenThePasswordIsAnUnresolvedPlaceholderThenStartUpFailsNamingIt() {
		etcdTopology("cluster.topologies.prod.etcd.username=root",
				"cluster.topologies.prod.etcd.password=${CLUSTERING_TEST_UNSET_ETCD_PASSWORD}")
			.run((context) -> {
				ClusterConfigurationException ex = rootCause(context.getStartupFailure());
				assertThat(ex.getProperty()).isEqualTo("cluster.topologies.prod.etcd.password");
				assertThat(ex.getProblem()).contains("${CLUSTERING_TEST_UNSET_ETCD_PASSWORD}");
				assertThat(ex.getAction()).contains("export CLUSTERING_TEST_UNSET_ETCD_PASSWORD=",
						"--cluster.topologies.prod.etcd.password=");
			});
	}

	@Test
	void whenTheSslBundleDoesNotExistThenStartUpFailsNamingIt() {
		etcdTopology("cluster.topologies.prod.etcd.endpoints=https://127.0.0.1:2379",
				"cluster.topologies.prod.etcd.ssl.bundle=missing")
			.run((context) -> {
				ClusterConfigurationException ex = rootCause(context.getStartupFailure());
				assertThat(ex.getProperty()).isEqualTo("cluster.topologies.prod.etcd.ssl.bundle");
				assertThat(ex.getProblem()).contains("missing");
			});
	}

	@Test
	void whenTheSslBundleHasNoTrustStoreThenStartUpFailsNamingIt(@TempDir Path dir) throws Exception {
		Path keys = dir.resolve("client.p12");
		Process keytool = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "keytool").toString(),
				"-genkeypair", "-alias", "client", "-keyalg", "EC", "-groupname", "secp256r1", "-dname", "CN=client",
				"-validity", "2", "-storetype", "PKCS12", "-keystore", keys.toString(), "-storepass", "changeit",
				"-keypass", "changeit")
			.redirectErrorStream(true)
			.start();
		assertThat(keytool.waitFor()).as(new String(keytool.getInputStream().readAllBytes())).isZero();
		etcdTopology("cluster.topologies.prod.etcd.endpoints=https://127.0.0.1:2379",
				"cluster.topologies.prod.etcd.ssl.bundle=etcd", "spring.ssl.bundle.jks.etcd.keystore.location=file:" + keys,
				"spring.ssl.bundle.jks.etcd.keystore.password=changeit", "spring.ssl.bundle.jks.etcd.keystore.type=PKCS12")
			.run((context) -> {
				ClusterConfigurationException ex = rootCause(context.getStartupFailure());
				assertThat(ex.getProperty()).isEqualTo("cluster.topologies.prod.etcd.ssl.bundle");
				assertThat(ex.getProblem()).contains("no trust store");
			});
	}

	@Test
	void whenTheServiceHasASlashThenStartUpFailsNamingIt() {
		etcdTopology("cluster.topologies.prod.etcd.service=a/b")
			.run((context) -> assertThat(rootCause(context.getStartupFailure()).getProperty())
				.isEqualTo("cluster.topologies.prod.etcd.service"));
	}

	@Test
	void whenEtcdIsDownAndFailFastIsSetThenStartUpFailsNamingTheEndpoints() {
		etcdTopology("cluster.topologies.prod.etcd.endpoints=http://127.0.0.1:" + unusedPort(),
				"cluster.topologies.prod.etcd.fail-fast=true")
			.run((context) -> {
				assertThat(context).hasFailed();
				ClusterConfigurationException ex = rootCause(context.getStartupFailure());
				assertThat(ex.getProperty()).isEqualTo("cluster.topologies.prod.etcd.endpoints");
				assertThat(ex.getAction()).contains("fail-fast=false");
			});
	}

	@Test
	void whenEtcdIsDownThenTheApplicationStartsAndShowsWhy() {
		etcdTopology("cluster.topologies.prod.etcd.endpoints=http://127.0.0.1:" + unusedPort()).run((context) -> {
			assertThat(context).hasNotFailed();
			ClusterNode node = context.getBean(ClusterNode.class);
			await().atMost(BOUND).until(() -> node.topologies().get(0).lastError() != null);
			assertThat(node.isRunning()).isTrue();
		});
	}

	@Test
	void nodeRegistersUnderTheApplicationNameAndLeavesWithTheContext() throws Exception {
		String[] key = new String[1];
		etcdTopology("spring.application.name=shop", "cluster.topologies.prod.etcd.fail-fast=true").run((context) -> {
			ClusterNode node = context.getBean(ClusterNode.class);
			key[0] = "/cluster/shop/" + node.self().name();
			await().atMost(BOUND).until(() -> keys(key[0]).size() == 1);
			NodeRecord record = NodeRecord.parse(EtcdKeys.text(keys(key[0]).get(0).getValue()));
			assertThat(record).isEqualTo(NodeRecord.of(node.self()));
			await().atMost(BOUND).until(() -> node.leadership().isLeader());
			assertThat(node.leadership().fencingToken()).isPositive();
		});
		// the context closed: deregistered and resigned at once, not left to expire
		assertThat(keys(key[0])).isEmpty();
		assertThat(keys("/cluster/shop/election/")).isEmpty();
	}

	@Test
	void prefixAndServiceChooseTheKeys() {
		etcdTopology("cluster.topologies.prod.etcd.prefix=/apps/", "cluster.topologies.prod.etcd.service=billing")
			.run((context) -> {
				ClusterNode node = context.getBean(ClusterNode.class);
				await().atMost(BOUND).until(() -> keys("/apps/billing/" + node.self().name()).size() == 1);
				long lease = keys("/apps/billing/" + node.self().name()).get(0).getLease();
				assertThat(admin.getLeaseClient().timeToLive(lease, LeaseOption.DEFAULT).get().getGrantedTTL())
					.isEqualTo(2);
			});
	}

	@Test
	void withoutAnApplicationNameTheServiceIsNode() {
		etcdTopology().run((context) -> {
			ClusterNode node = context.getBean(ClusterNode.class);
			await().atMost(BOUND).until(() -> keys("/cluster/node/" + node.self().name()).size() == 1);
		});
	}

	@Test
	void theApplicationsJetcdClientIsUsed() {
		Client client = etcd.client();
		etcdTopology("cluster.topologies.prod.etcd.endpoints=http://127.0.0.1:" + unusedPort(),
				"cluster.topologies.prod.etcd.service=reused")
			.withBean(Client.class, () -> client)
			.run((context) -> {
				ClusterNode node = context.getBean(ClusterNode.class);
				await().atMost(BOUND).until(() -> keys("/cluster/reused/" + node.self().name()).size() == 1);
			});
	}

	@Test
	void overTlsWithAnSslBundleTheNodeRegistersAndLeads() throws Exception {
		try (EtcdServer secure = EtcdServer.startTls()) {
			ApplicationContextRunner tls = this.runner.withPropertyValues("cluster.topologies.prod.strategy=etcd",
					"cluster.topologies.prod.etcd.ttl=2s", "cluster.topologies.prod.etcd.endpoints=" + secure.endpoint());
			tls.withPropertyValues("cluster.topologies.prod.etcd.ssl.bundle=etcd",
					"spring.ssl.bundle.pem.etcd.truststore.certificate=file:" + secure.certificate(),
					"cluster.topologies.prod.etcd.fail-fast=true")
				.run((context) -> {
					assertThat(context).hasNotFailed();
					ClusterNode node = context.getBean(ClusterNode.class);
					await().atMost(BOUND).until(() -> node.leadership().isLeader());
					assertThat(node.topologies().get(0).lastError()).isNull();
				});
			// without the bundle, the JVM's trust store does not know etcd's certificate
			tls.withPropertyValues("cluster.topologies.prod.etcd.fail-fast=true").run((context) -> {
				assertThat(context).hasFailed();
				assertThat(rootCause(context.getStartupFailure()).getProperty())
					.isEqualTo("cluster.topologies.prod.etcd.endpoints");
			});
		}
	}

	@Test
	void whenTlsIsSetButTheEndpointsUseHttpThenStartUpFailsNamingThem() {
		etcdTopology("cluster.topologies.prod.etcd.ssl.bundle=etcd",
				"spring.ssl.bundle.pem.etcd.truststore.certificate=classpath:nothing.pem")
			.run((context) -> assertThat(rootCause(context.getStartupFailure()).getProperty())
				.isEqualTo("cluster.topologies.prod.etcd.endpoints"));
	}

	/** Key text to bytes and back. */
	private static final class EtcdKeys {

		static ByteSequence bytes(String text) {
			return ByteSequence.from(text, StandardCharsets.UTF_8);
		}

		static String text(ByteSequence bytes) {
			return bytes.toString(StandardCharsets.UTF_8);
		}

	}

}
