package dev.clustering.autoconfigure;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.framework.recipes.nodes.PersistentNode;
import org.apache.curator.retry.ExponentialBackoffRetry;
import org.apache.curator.test.InstanceSpec;
import org.apache.curator.test.TestingServer;
import org.apache.zookeeper.data.Stat;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.autoconfigure.ssl.SslAutoConfiguration;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

import dev.clustering.discovery.NodeRecord;
import dev.clustering.node.ClusterNode;

import static dev.clustering.autoconfigure.StartupFailures.rootCause;
import static dev.clustering.autoconfigure.StartupFailures.unusedPort;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The {@code zookeeper} strategy as a Spring application configures it, against a real ZooKeeper
 * server (Curator's {@link TestingServer}): back-off without Curator, start-up failures naming the
 * property, registration under the application's name through a client of its own or the
 * application's, and three applications that find each other and agree on one leader.
 */
class ZooKeeperStrategyAutoConfigurationTests {

	private static final Duration BOUND = Duration.ofSeconds(20);

	private static TestingServer server;

	private static CuratorFramework admin;

	private final ApplicationContextRunner runner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(SslAutoConfiguration.class, ClusterAutoConfiguration.class,
				ZooKeeperStrategyAutoConfiguration.class))
		.withPropertyValues("cluster.node.host=127.0.0.1");

	@BeforeAll
	static void startZooKeeper() throws Exception {
		server = new TestingServer(new InstanceSpec(null, -1, -1, -1, true, -1, 200, -1), true);
		admin = CuratorFrameworkFactory.newClient(server.getConnectString(), new ExponentialBackoffRetry(50, 10));
		admin.start();
	}

	@AfterAll
	static void stopZooKeeper() throws IOException {
		admin.close();
		server.close();
	}

	private ApplicationContextRunner zooKeeperTopology(String... properties) {
		return this.runner
			.withPropertyValues("cluster.topologies.prod.strategy=zookeeper",
					"cluster.topologies.prod.zookeeper.session-timeout=2s",
					"cluster.topologies.prod.zookeeper.connect-string=" + server.getConnectString())
			.withPropertyValues(properties);
	}

	private static Stat stat(String path) throws Exception {
		return admin.checkExists().forPath(path);
	}

	@Test
	void whenCuratorIsPresentThenZooKeeperIsAStrategy() {
		this.runner.run((context) -> assertThat(context.getBeansOfType(ClusterStrategyFactory.class).values())
			.filteredOn(ClusterStrategyFactory::available)
			.extracting(ClusterStrategyFactory::name)
			.contains("zookeeper"));
	}

	@Test
	void whenCuratorIsAbsentThenNoZooKeeperStrategy() {
		this.runner.withClassLoader(new FilteredClassLoader(PersistentNode.class)).run((context) -> {
			assertThat(context).doesNotHaveBean(ZooKeeperStrategyFactory.class);
			assertThat(context.getBeansOfType(ClusterStrategyFactory.class).values())
				.filteredOn(ClusterStrategyFactory::available)
				.extracting(ClusterStrategyFactory::name)
				.doesNotContain("zookeeper");
		});
	}

	@Test
	void whenCuratorIsAbsentThenSelectingZooKeeperFailsNamingTheDependency() {
		this.runner.withClassLoader(new FilteredClassLoader(PersistentNode.class))
			.withPropertyValues("cluster.topologies.prod.strategy=zookeeper")
			.run((context) -> {
				assertThat(context).hasFailed();
				ClusterConfigurationException ex = rootCause(context.getStartupFailure());
				assertThat(ex.getProperty()).isEqualTo("cluster.topologies.prod.strategy");
				assertThat(ex).hasMessageContaining("org.apache.curator:curator-recipes");
			});
	}

	@Test
	void whenClusterIsDisabledThenNoZooKeeperStrategy() {
		this.runner.withPropertyValues("cluster.enabled=false")
			.run((context) -> assertThat(context).doesNotHaveBean(ZooKeeperStrategyAutoConfiguration.class));
	}

	@Test
	void whenTheServiceHasASlashThenStartUpFailsNamingIt() {
		zooKeeperTopology("cluster.topologies.prod.zookeeper.service=a/b")
			.run((context) -> assertThat(rootCause(context.getStartupFailure()).getProperty())
				.isEqualTo("cluster.topologies.prod.zookeeper.service"));
	}

	@Test
	void whenTheRootIsNotAPathThenStartUpFailsNamingIt() {
		zooKeeperTopology("cluster.topologies.prod.zookeeper.root=cluster")
			.run((context) -> assertThat(rootCause(context.getStartupFailure()).getProperty())
				.isEqualTo("cluster.topologies.prod.zookeeper.root"));
	}

	@Test
	void whenTheAuthorizationIsNotUserAndPasswordThenStartUpFailsNamingItWithoutShowingIt() {
		zooKeeperTopology("cluster.topologies.prod.zookeeper.authorization=s3cretwithoutcolon").run((context) -> {
			ClusterConfigurationException ex = rootCause(context.getStartupFailure());
			assertThat(ex.getProperty()).isEqualTo("cluster.topologies.prod.zookeeper.authorization");
			assertThat(ex.getMessage() + ex.getAction()).doesNotContain("s3cret");
		});
	}

	@Test
	void whenTheAuthorizationIsAnUnresolvedPlaceholderThenStartUpFailsNamingIt() {
		zooKeeperTopology("cluster.topologies.prod.zookeeper.authorization=${ZK_DIGEST}")
			.run((context) -> assertThat(rootCause(context.getStartupFailure()).getProperty())
				.isEqualTo("cluster.topologies.prod.zookeeper.authorization"));
	}

	@Test
	void whenZooKeeperIsDownAndFailFastIsSetThenStartUpFailsNamingTheConnectString() {
		zooKeeperTopology("cluster.topologies.prod.zookeeper.connect-string=127.0.0.1:" + unusedPort(),
				"cluster.topologies.prod.zookeeper.fail-fast=true")
			.run((context) -> {
				assertThat(context).hasFailed();
				ClusterConfigurationException ex = rootCause(context.getStartupFailure());
				assertThat(ex.getProperty()).isEqualTo("cluster.topologies.prod.zookeeper.connect-string");
				assertThat(ex.getAction()).contains("fail-fast=false");
			});
	}

	@Test
	void whenZooKeeperIsDownThenTheApplicationStartsAndNobodyLeads() {
		zooKeeperTopology("cluster.topologies.prod.zookeeper.connect-string=127.0.0.1:" + unusedPort())
			.run((context) -> {
				assertThat(context).hasNotFailed();
				ClusterNode node = context.getBean(ClusterNode.class);
				assertThat(node.isRunning()).isTrue();
				await().during(Duration.ofSeconds(1)).atMost(BOUND).until(() -> !node.leadership().isLeader());
			});
	}

	@Test
	void nodeRegistersUnderTheApplicationNameLeadsAndLeavesWithTheContext() throws Exception {
		String[] path = new String[1];
		zooKeeperTopology("spring.application.name=shop", "cluster.topologies.prod.zookeeper.fail-fast=true")
			.run((context) -> {
				ClusterNode node = context.getBean(ClusterNode.class);
				path[0] = "/cluster/shop/members/" + node.self().name();
				await().atMost(BOUND).until(() -> stat(path[0]) != null);
				NodeRecord record = NodeRecord.parse(new String(admin.getData().forPath(path[0]), StandardCharsets.UTF_8));
				assertThat(record).isEqualTo(NodeRecord.of(node.self()));
				assertThat(stat(path[0]).getEphemeralOwner()).isNotZero();
				await().atMost(BOUND).until(() -> node.leadership().isLeader());
				long czxid = admin.getChildren()
					.forPath("/cluster/shop/election")
					.stream()
					.mapToLong((child) -> {
						try {
							return stat("/cluster/shop/election/" + child).getCzxid();
						}
						catch (Exception ex) {
							throw new IllegalStateException(ex);
						}
					})
					.min()
					.orElseThrow();
				assertThat(node.leadership().fencingToken()).isEqualTo(czxid);
			});
		// the context closed: deregistered and resigned at once, not left to expire
		assertThat(stat(path[0])).isNull();
		assertThat(admin.getChildren().forPath("/cluster/shop/election")).isEmpty();
	}

	@Test
	void rootAndServiceChooseThePaths() {
		zooKeeperTopology("cluster.topologies.prod.zookeeper.root=/apps/",
				"cluster.topologies.prod.zookeeper.service=billing")
			.run((context) -> {
				ClusterNode node = context.getBean(ClusterNode.class);
				await().atMost(BOUND).until(() -> stat("/apps/billing/members/" + node.self().name()) != null);
			});
	}

	@Test
	void theApplicationsCuratorFrameworkIsUsed() {
		CuratorFramework client = CuratorFrameworkFactory.newClient(server.getConnectString(),
				new ExponentialBackoffRetry(50, 10));
		client.start();
		try {
			zooKeeperTopology("cluster.topologies.prod.zookeeper.connect-string=127.0.0.1:" + unusedPort(),
					"cluster.topologies.prod.zookeeper.service=reused")
				.withBean(CuratorFramework.class, () -> client)
				.run((context) -> {
					ClusterNode node = context.getBean(ClusterNode.class);
					await().atMost(BOUND).until(() -> stat("/cluster/reused/members/" + node.self().name()) != null);
				});
		}
		finally {
			client.close();
		}
	}

	@Test
	void whenTheApplicationsCuratorFrameworkIsNotStartedThenStartUpFailsSayingSo() {
		CuratorFramework client = CuratorFrameworkFactory.newClient(server.getConnectString(),
				new ExponentialBackoffRetry(50, 10));
		zooKeeperTopology().withBean(CuratorFramework.class, () -> client).run((context) -> {
			ClusterConfigurationException ex = rootCause(context.getStartupFailure());
			assertThat(ex.getProperty()).isEqualTo("cluster.topologies.prod.zookeeper");
			assertThat(ex.getMessage()).contains("not started");
		});
	}

	@Test
	void threeApplicationsFindEachOtherAndAgreeOnOneLeaderThatAStopReplacesAtOnce() {
		RegistryApplications.threeAgreeOnOneLeaderThatAStopReplacesAtOnce(
				zooKeeperTopology("spring.application.name=trio", "cluster.node.port=0"), BOUND);
	}

}
