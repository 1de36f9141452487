package dev.clustering.autoconfigure;

import java.io.IOException;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.xbill.DNS.SimpleResolver;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.diagnostics.FailureAnalysis;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

import dev.clustering.discovery.TopologyStatus;
import dev.clustering.discovery.dns.Dnsmasq;
import dev.clustering.membership.NodeAddress;
import dev.clustering.node.ClusterNode;

import static dev.clustering.autoconfigure.StartupFailures.rootCause;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The {@code dns} and {@code dns-srv} strategies as a Spring application configures them, against
 * a real dnsmasq.
 */
class DnsStrategyAutoConfigurationTests {

	private static Dnsmasq dnsmasq;

	private final int port = freePort();

	private final ApplicationContextRunner runner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(ClusterAutoConfiguration.class, DnsStrategyAutoConfiguration.class))
		.withPropertyValues("cluster.node.host=127.0.0.1");

	@BeforeAll
	static void startDnsmasq() throws Exception {
		dnsmasq = Dnsmasq.start(
				List.of("127.0.0.2 app.cluster.test", "127.0.0.3 app.cluster.test", "::1 app.cluster.test",
						"127.0.0.2 likes-1.node.consul"),
				List.of("srv-host=likes.service.consul,likes-1.node.consul,9401,0,10",
						"srv-host=likes.service.consul,likes-1.node.consul,9402,0,10"));
	}

	@AfterAll
	static void stopDnsmasq() {
		if (dnsmasq != null) {
			dnsmasq.close();
		}
	}

	private static int freePort() {
		try (ServerSocket socket = new ServerSocket(0)) {
			return socket.getLocalPort();
		}
		catch (IOException ex) {
			throw new IllegalStateException(ex);
		}
	}

	private ApplicationContextRunner topology(String strategy, String... properties) {
		return this.runner
			.withPropertyValues("cluster.topologies.k8s.strategy=" + strategy,
					"cluster.topologies.k8s.poll-interval=200ms")
			.withPropertyValues(properties);
	}

	private ApplicationContextRunner dns(String... properties) {
		return topology("dns", "cluster.node.port=" + this.port,
				"cluster.topologies.k8s.dns.nameservers=" + dnsmasq.nameserver())
			.withPropertyValues(properties);
	}

	private static TopologyStatus firstPoll(ClusterNode node) {
		await().atMost(Duration.ofSeconds(10)).until(node::hasRun);
		return node.topologies().get(0);
	}

	@Test
	void whenDnsjavaIsPresentThenDnsAndDnsSrvAreStrategies() {
		this.runner.run((context) -> assertThat(context.getBeansOfType(ClusterStrategyFactory.class).values())
			.extracting(ClusterStrategyFactory::name)
			.contains("dns", "dns-srv"));
	}

	@Test
	void whenDnsjavaIsAbsentThenNoDnsStrategies() {
		this.runner.withClassLoader(new FilteredClassLoader(SimpleResolver.class)).run((context) -> {
			assertThat(context).doesNotHaveBean(DnsStrategyFactory.class).doesNotHaveBean(DnsSrvStrategyFactory.class);
			assertThat(context.getBeansOfType(ClusterStrategyFactory.class).values())
				.filteredOn(ClusterStrategyFactory::available)
				.extracting(ClusterStrategyFactory::name)
				.doesNotContain("dns", "dns-srv");
		});
	}

	@Test
	void whenDnsjavaIsAbsentThenSelectingDnsFailsNamingTheDependency() {
		this.runner.withClassLoader(new FilteredClassLoader(SimpleResolver.class))
			.withPropertyValues("cluster.node.host=127.0.0.1", "cluster.topologies.k8s.strategy=dns")
			.run((context) -> {
				assertThat(context).hasFailed();
				Throwable cause = context.getStartupFailure();
				while (!(cause instanceof ClusterConfigurationException) && cause.getCause() != null) {
					cause = cause.getCause();
				}
				assertThat(cause).isInstanceOf(ClusterConfigurationException.class)
					.hasMessageContaining("cluster.topologies.k8s.strategy")
					.hasMessageContaining("dnsjava:dnsjava");
			});
	}

	@Test
	void whenClusterIsDisabledThenNoDnsStrategies() {
		this.runner.withPropertyValues("cluster.enabled=false")
			.run((context) -> assertThat(context).doesNotHaveBean(DnsStrategyAutoConfiguration.class));
	}

	@Test
	void dnsTopologyContactsEveryAddressOnTheNodePort() {
		dns("cluster.topologies.k8s.dns.query=app.cluster.test").run((context) -> {
			TopologyStatus status = firstPoll(context.getBean(ClusterNode.class));
			assertThat(status.lastError()).isNull();
			assertThat(status.strategy()).isEqualTo("dns");
			assertThat(status.discovered()).containsExactly(new NodeAddress("127.0.0.2", this.port),
					new NodeAddress("127.0.0.3", this.port), new NodeAddress("::1", this.port));
		});
	}

	@Test
	void dnsPortAndRecordTypesNarrowTheAnswer() {
		dns("cluster.topologies.k8s.dns.query=app.cluster.test", "cluster.topologies.k8s.dns.port=9401",
				"cluster.topologies.k8s.dns.record-types=AAAA")
			.run((context) -> assertThat(firstPoll(context.getBean(ClusterNode.class)).discovered())
				.containsExactly(NodeAddress.parse("[::1]:9401")));
	}

	@Test
	void dnsSrvTopologyContactsEveryTargetAndPort() {
		topology("dns-srv", "cluster.topologies.k8s.dns-srv.service=likes.service.consul",
					"cluster.topologies.k8s.dns-srv.basename=likes",
					"cluster.topologies.k8s.dns-srv.nameservers=" + dnsmasq.nameserver(),
					"cluster.topologies.k8s.dns-srv.timeout=1s", "cluster.topologies.k8s.dns-srv.prune-after=3")
			.run((context) -> assertThat(firstPoll(context.getBean(ClusterNode.class)).discovered())
				.containsExactly(NodeAddress.parse("127.0.0.2:9401"), NodeAddress.parse("127.0.0.2:9402")));
	}

	@Test
	void whenDnsQueryIsNotSetThenTheTopologyDiscoversNothing() {
		topology("dns").run((context) -> {
			TopologyStatus status = firstPoll(context.getBean(ClusterNode.class));
			assertThat(status.discovered()).isEmpty();
			assertThat(status.lastError()).isNull();
		});
	}

	@Test
	void whenTheNameserverRefusesThenTheErrorIsVisible() {
		dns("cluster.topologies.k8s.dns.query=app.example.org").run((context) -> {
			ClusterNode node = context.getBean(ClusterNode.class);
			await().atMost(Duration.ofSeconds(10)).until(() -> node.topologies().get(0).lastError() != null);
			TopologyStatus status = node.topologies().get(0);
			assertThat(status.lastError().message()).contains("app.example.org/A", "REFUSED");
			assertThat(status.errors()).isPositive();
			assertThat(status.hasRun()).isTrue();
		});
	}

	@Test
	void whenNoPortIsKnownThenStartUpFailsNamingDnsPort() {
		topology("dns", "cluster.topologies.k8s.dns.query=app.cluster.test").run((context) -> {
				assertThat(context).hasFailed();
				ClusterConfigurationException ex = rootCause(context.getStartupFailure());
				assertThat(ex.getProperty()).isEqualTo("cluster.topologies.k8s.dns.port");
				assertThat(ex.getAction()).contains("cluster.node.port");
				FailureAnalysis analysis = new ClusterConfigurationFailureAnalyzer()
					.analyze(context.getStartupFailure());
				assertThat(analysis.getDescription()).contains("cluster.topologies.k8s.dns.port");
			});
	}

	@Test
	void whenDnsSrvServiceIsMissingThenStartUpFailsNamingIt() {
		topology("dns-srv").run((context) -> assertThat(rootCause(context.getStartupFailure()).getProperty())
				.isEqualTo("cluster.topologies.k8s.dns-srv.service"));
	}

	@Test
	void whenANameserverIsNotAnIpAddressThenStartUpFailsNamingTheEntry() {
		dns("cluster.topologies.k8s.dns.query=app.cluster.test",
				"cluster.topologies.k8s.dns.nameservers=127.0.0.1:53,dns.example")
			.run((context) -> assertThat(rootCause(context.getStartupFailure()).getProperty())
				.isEqualTo("cluster.topologies.k8s.dns.nameservers[1]"));
	}

	@Test
	void whenTheQueryIsNotADnsNameThenStartUpFailsNamingIt() {
		dns("cluster.topologies.k8s.dns.query=app..cluster.test")
			.run((context) -> assertThat(rootCause(context.getStartupFailure()).getProperty())
				.isEqualTo("cluster.topologies.k8s.dns.query"));
	}

	@Test
	void whenPruneAfterIsZeroThenStartUpFailsNamingIt() {
		dns("cluster.topologies.k8s.dns.query=app.cluster.test", "cluster.topologies.k8s.dns.prune-after=0")
			.run((context) -> assertThat(rootCause(context.getStartupFailure()).getProperty())
				.isEqualTo("cluster.topologies.k8s.dns.prune-after"));
	}

	@Test
	void whenTheBasenameIsAFullNodeNameThenStartUpFailsNamingIt() {
		dns("cluster.topologies.k8s.dns.query=app.cluster.test", "cluster.topologies.k8s.dns.basename=app@10.0.0.1")
			.run((context) -> assertThat(rootCause(context.getStartupFailure()).getProperty())
				.isEqualTo("cluster.topologies.k8s.dns.basename"));
	}

	@Test
	void whenTheTimeoutIsNotPositiveThenStartUpFailsNamingIt() {
		dns("cluster.topologies.k8s.dns.query=app.cluster.test", "cluster.topologies.k8s.dns.timeout=0s")
			.run((context) -> assertThat(rootCause(context.getStartupFailure()).getProperty())
				.isEqualTo("cluster.topologies.k8s.dns.timeout"));
	}

}
