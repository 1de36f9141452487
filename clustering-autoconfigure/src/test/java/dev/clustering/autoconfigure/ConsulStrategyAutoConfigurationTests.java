package dev.clustering.autoconfigure;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.autoconfigure.ssl.SslAutoConfiguration;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.assertj.AssertableApplicationContext;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.cloud.consul.ConsulAutoConfiguration;
import org.springframework.cloud.consul.ConsulClient;

import dev.clustering.discovery.FreezableProxy;
import dev.clustering.discovery.consul.ConsulAgent;
import dev.clustering.leadership.LeaderInfo;
import dev.clustering.node.ClusterNode;

import static dev.clustering.autoconfigure.RegistryApplications.awaitOneLeader;
import static dev.clustering.autoconfigure.StartupFailures.rootCause;
import static dev.clustering.autoconfigure.StartupFailures.unusedPort;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The {@code consul} strategy as a Spring application configures it, against a real Consul agent
 * ({@link ConsulAgent}): back-off without Spring Cloud Consul, start-up failures naming the
 * property, registration with a passing TTL check, a leader whose token is the lock key's
 * {@code ModifyIndex}, deregistration and release at once on a graceful stop, three applications
 * that agree on one leader, a crashed leader replaced long before its check could turn critical,
 * and a foreign service entry skipped.
 */
class ConsulStrategyAutoConfigurationTests {

	private static final Duration BOUND = Duration.ofSeconds(20);

	private static final JsonMapper JSON = JsonMapper.builder().build();

	private static final HttpClient HTTP = HttpClient.newHttpClient();

	private static ConsulAgent agent;

	private final ApplicationContextRunner runner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(SslAutoConfiguration.class, ClusterAutoConfiguration.class,
				ConsulStrategyAutoConfiguration.class))
		.withPropertyValues("cluster.node.host=127.0.0.1");

	@BeforeAll
	static void startConsul() throws IOException {
		agent = ConsulAgent.start();
	}

	@AfterAll
	static void stopConsul() {
		agent.close();
	}

	private ApplicationContextRunner consulTopology(String... properties) {
		return this.runner
			.withPropertyValues("cluster.topologies.prod.strategy=consul", "cluster.topologies.prod.consul.url=" + agent.url())
			.withPropertyValues(properties);
	}

	private static JsonNode get(String path) throws Exception {
		HttpResponse<String> answer = HTTP.send(HttpRequest.newBuilder(URI.create(agent.url() + path)).build(),
				HttpResponse.BodyHandlers.ofString());
		return (answer.statusCode() == 404) ? null : JSON.readTree(answer.body());
	}

	private static void put(String path, String body) throws Exception {
		HttpResponse<String> answer = HTTP.send(HttpRequest.newBuilder(URI.create(agent.url() + path))
			.PUT(HttpRequest.BodyPublishers.ofString(body))
			.build(), HttpResponse.BodyHandlers.ofString());
		assertThat(answer.statusCode()).as(answer.body()).isEqualTo(200);
	}

	private static List<String> passing(String service) throws Exception {
		List<String> ids = new ArrayList<>();
		get("/v1/health/service/" + service + "?passing").forEach((entry) -> ids.add(entry.get("Service").get("ID").asText()));
		return ids;
	}

	@Test
	void whenSpringCloudConsulIsAbsentThenSelectingConsulFailsNamingTheDependency() {
		this.runner.withClassLoader(new FilteredClassLoader(ConsulClient.class))
			.withPropertyValues("cluster.topologies.prod.strategy=consul")
			.run((context) -> {
				assertThat(context).hasFailed();
				assertThat(context.getStartupFailure()).rootCause().hasMessageContaining("spring-cloud-starter-consul-discovery");
			});
	}

	@Test
	void whenTheSessionTtlIsBelowConsulsLeastThenStartUpFailsNamingIt() {
		consulTopology("cluster.topologies.prod.consul.session-ttl=5s").run((context) -> {
			ClusterConfigurationException ex = rootCause(context.getStartupFailure());
			assertThat(ex.getProperty()).isEqualTo("cluster.topologies.prod.consul.session-ttl");
		});
	}

	@Test
	void whenTheServiceIsNotADnsNameThenStartUpFailsNamingIt() {
		consulTopology("cluster.topologies.prod.consul.service=my_service").run((context) -> {
			ClusterConfigurationException ex = rootCause(context.getStartupFailure());
			assertThat(ex.getProperty()).isEqualTo("cluster.topologies.prod.consul.service");
		});
	}

	@Test
	void whenConsulIsDownAndFailFastIsSetThenStartUpFailsNamingTheUrl() {
		consulTopology("cluster.topologies.prod.consul.url=http://127.0.0.1:" + unusedPort(),
				"cluster.topologies.prod.consul.fail-fast=true")
			.run((context) -> {
				assertThat(context).hasFailed();
				ClusterConfigurationException ex = rootCause(context.getStartupFailure());
				assertThat(ex.getProperty()).isEqualTo("cluster.topologies.prod.consul.url");
				assertThat(ex.getAction()).contains("fail-fast=false");
			});
	}

	@Test
	void nodeRegistersWithAPassingCheckLeadsWithTheKeysModifyIndexAndLeavesWithTheContext() throws Exception {
		String[] id = new String[1];
		consulTopology("spring.application.name=shop", "cluster.topologies.prod.consul.fail-fast=true",
				"cluster.topologies.prod.consul.tags=blue")
			.run((context) -> {
				assertThat(context).hasNotFailed();
				ClusterNode node = context.getBean(ClusterNode.class);
				id[0] = node.self().name();
				await().atMost(BOUND).until(() -> passing("shop-dist").contains(id[0]));
				JsonNode instance = get("/v1/health/service/shop-dist").get(0).get("Service");
				assertThat(instance.get("Port").asInt()).isEqualTo(node.self().address().port());
				assertThat(instance.get("Address").asText()).isEqualTo("127.0.0.1");
				assertThat(instance.get("Meta").get("cluster-node").asText()).isEqualTo(id[0]);
				assertThat(instance.get("Tags").get(0).asText()).isEqualTo("blue");
				await().atMost(BOUND).until(() -> node.leadership().isLeader());
				JsonNode key = get("/v1/kv/cluster/shop-dist/leader").get(0);
				assertThat(key.get("Session").asText()).isNotEmpty();
				assertThat(node.leadership().fencingToken()).isEqualTo(key.get("ModifyIndex").asLong());
				assertThat(node.topologies().get(0).lastError()).isNull();
			});
		// the context closed: deregistered and released at once, not left to the check's TTL
		assertThat(passing("shop-dist")).doesNotContain(id[0]);
		assertThat(get("/v1/catalog/service/shop-dist")).isEmpty();
		JsonNode key = get("/v1/kv/cluster/shop-dist/leader").get(0);
		assertThat(key.get("Session")).isNull();
	}

	@Test
	void theApplicationsConsulClientIsUsed() {
		// Spring Cloud Consul's own client, pointed at the agent; the topology's url points nowhere
		this.runner.withConfiguration(AutoConfigurations.of(ConsulAutoConfiguration.class))
			.withPropertyValues("spring.application.name=reused", "spring.cloud.consul.host=127.0.0.1",
					"spring.cloud.consul.port=" + URI.create(agent.url()).getPort(),
					"cluster.topologies.prod.strategy=consul",
					"cluster.topologies.prod.consul.url=http://127.0.0.1:" + unusedPort())
			.run((context) -> {
				assertThat(context).hasNotFailed().hasSingleBean(ConsulClient.class);
				ClusterNode node = context.getBean(ClusterNode.class);
				await().atMost(BOUND).until(() -> passing("reused-dist").contains(node.self().name()));
				await().atMost(BOUND).until(() -> node.leadership().isLeader());
			});
	}

	@Test
	void threeApplicationsFindEachOtherAndAgreeOnOneLeaderThatAStopReplacesAtOnce() {
		RegistryApplications.threeAgreeOnOneLeaderThatAStopReplacesAtOnce(
				consulTopology("spring.application.name=trio", "cluster.node.port=0"), BOUND);
	}

	@Test
	void aCrashedLeaderIsReplacedLongBeforeItsCheckCouldTurnCritical() {
		// a 60 s check: only the survivors destroying the dead leader's session can explain a quick change
		ApplicationContextRunner app = consulTopology("spring.application.name=crash", "cluster.node.port=0",
				"cluster.topologies.prod.consul.check-ttl=60s", "cluster.topologies.prod.consul.session-ttl=60s");
		app.withPropertyValues("cluster.node.name=c1").run((first) -> app.withPropertyValues("cluster.node.name=c2")
			.run((second) -> app.withPropertyValues("cluster.node.name=c3").run((third) -> {
				List<AssertableApplicationContext> contexts = new ArrayList<>(List.of(first, second, third));
				List<ClusterNode> nodes = new ArrayList<>(contexts.stream().map((c) -> c.getBean(ClusterNode.class)).toList());
				await().atMost(BOUND).until(() -> nodes.stream().allMatch((n) -> n.members().size() == 2));
				LeaderInfo leader = awaitOneLeader(nodes, BOUND);
				int crashed = nodes.stream().map((n) -> n.self().name()).toList().indexOf(leader.name());
				long start = System.nanoTime();
				// as the process dies: its connections close and its Consul threads stop without a word
				nodes.remove(crashed).halt();
				contexts.get(crashed).getBean(ConsulStrategyFactory.class).close();
				LeaderInfo next = awaitOneLeader(nodes, BOUND);
				assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(30));
				assertThat(next.fencingToken()).isGreaterThan(leader.fencingToken());
			})));
	}

	@Test
	void aForeignServiceEntryIsSkippedAndShownAsTheTopologysLastError() throws Exception {
		put("/v1/agent/service/register", "{\"ID\":\"intruder\",\"Name\":\"mixed-dist\",\"Address\":\"127.0.0.9\","
				+ "\"Port\":9,\"Meta\":{\"cluster-node\":\"someone-else\"}}");
		try {
			consulTopology("spring.application.name=mixed").run((context) -> {
				ClusterNode node = context.getBean(ClusterNode.class);
				await().atMost(BOUND).until(() -> passing("mixed-dist").contains(node.self().name()));
				await().atMost(BOUND).until(() -> node.topologies().get(0).lastError() != null
						&& node.topologies().get(0).lastError().message().contains("intruder"));
				assertThat(node.isRunning()).isTrue();
				await().atMost(BOUND).until(() -> node.leadership().isLeader());
			});
		}
		finally {
			put("/v1/agent/service/deregister/intruder", "");
		}
	}

	@Test
	void aNodeWithOnlyTheDnsSrvStrategyFindsTheConsulNodesThroughConsulsDns() {
		// caravan's path: the nodes register in Consul, and Consul's DNS serves their SRV records
		ApplicationContextRunner app = consulTopology("spring.application.name=caravan", "cluster.node.port=0");
		ApplicationContextRunner dnsOnly = this.runner
			.withConfiguration(AutoConfigurations.of(DnsStrategyAutoConfiguration.class))
			.withPropertyValues("cluster.node.name=k4", "cluster.node.port=0", "cluster.topologies.prod.strategy=dns-srv",
					"cluster.topologies.prod.dns-srv.service=caravan-dist.service.consul",
					"cluster.topologies.prod.dns-srv.nameservers=127.0.0.1:" + agent.dnsPort(),
					"cluster.topologies.prod.poll-interval=500ms");
		app.withPropertyValues("cluster.node.name=k1").run((first) -> app.withPropertyValues("cluster.node.name=k2")
			.run((second) -> app.withPropertyValues("cluster.node.name=k3").run((third) -> dnsOnly.run((fourth) -> {
				List<ClusterNode> nodes = List.of(first, second, third, fourth)
					.stream()
					.map((c) -> c.getBean(ClusterNode.class))
					.toList();
				await().atMost(BOUND).until(() -> nodes.stream().allMatch((n) -> n.members().size() == 3));
				assertThat(fourth.getBean(ClusterNode.class).topologies().get(0).discovered()).hasSize(3);
			}))));
	}

	@Test
	void aFrozenNodeTurnsCriticalLeavesDiscoveryAndLeadershipKeepsItsConnectionsAndComesBackWhenThawed()
			throws Exception {
		try (FreezableProxy proxy = new FreezableProxy(
				new InetSocketAddress("127.0.0.1", URI.create(agent.url()).getPort()))) {
			// the first node talks to Consul through a proxy that can freeze it, as SIGSTOP would
			ApplicationContextRunner app = consulTopology("spring.application.name=frozen", "cluster.node.port=0",
					"cluster.topologies.prod.consul.check-ttl=2s");
			app.withPropertyValues("cluster.node.name=f1",
					"cluster.topologies.prod.consul.url=http://" + proxy.connectString()).run((first) -> {
						ClusterNode frozen = first.getBean(ClusterNode.class);
						await().atMost(BOUND).until(() -> frozen.leadership().isLeader());
						long token = frozen.leadership().fencingToken();
						app.withPropertyValues("cluster.node.name=f2").run((second) -> app
							.withPropertyValues("cluster.node.name=f3")
							.run((third) -> {
								List<ClusterNode> others = List.of(second, third)
									.stream()
									.map((c) -> c.getBean(ClusterNode.class))
									.toList();
								ClusterNode watcher = others.get(0);
								await().atMost(BOUND).until(() -> watcher.topologies().get(0).discovered().size() == 2);
								proxy.freeze();
								await().atMost(BOUND).until(() -> !passing("frozen-dist").contains("f1@127.0.0.1"));
								await().atMost(BOUND).until(() -> !frozen.leadership().isLeader());
								LeaderInfo next = awaitOneLeader(others, BOUND);
								assertThat(next.fencingToken()).isGreaterThan(token);
								await().atMost(BOUND)
									.until(() -> !watcher.topologies().get(0).discovered().contains(frozen.self().address()));
								// discovery dropped it; the live connection keeps it a member
								assertThat(watcher.members()).extracting((m) -> m.name()).contains("f1@127.0.0.1");
								proxy.thaw();
								await().atMost(BOUND).until(() -> passing("frozen-dist").contains("f1@127.0.0.1"));
								await().atMost(BOUND)
									.until(() -> watcher.topologies().get(0).discovered().contains(frozen.self().address()));
								assertThat(frozen.leadership().isLeader()).isFalse();
							}));
					});
		}
	}

}
