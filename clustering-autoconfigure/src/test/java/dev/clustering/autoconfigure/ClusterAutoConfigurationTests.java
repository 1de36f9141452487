package dev.clustering.autoconfigure;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;

import org.junit.jupiter.api.Test;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.context.properties.bind.BindException;
import org.springframework.boot.diagnostics.FailureAnalysis;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.ApplicationListener;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.event.EventListener;

import dev.clustering.discovery.DiscoveryStrategy;
import dev.clustering.discovery.PollingStrategy;
import dev.clustering.membership.NodeAddress;
import dev.clustering.membership.NodeJoinedEvent;
import dev.clustering.membership.NodeLeftEvent;
import dev.clustering.node.ClusterNode;

import static dev.clustering.autoconfigure.StartupFailures.rootCause;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

class ClusterAutoConfigurationTests {

	private final ApplicationContextRunner runner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(ClusterAutoConfiguration.class))
		.withPropertyValues("cluster.node.host=127.0.0.1");

	private static int[] freePorts() {
		try (ServerSocket a = new ServerSocket(0); ServerSocket b = new ServerSocket(0)) {
			return new int[] { a.getLocalPort(), b.getLocalPort() };
		}
		catch (IOException ex) {
			throw new IllegalStateException(ex);
		}
	}

	@Test
	void whenClusterDisabledThenNoNode() {
		this.runner.withPropertyValues("cluster.enabled=false")
			.run((context) -> assertThat(context).doesNotHaveBean(ClusterNode.class));
	}

	@Test
	void whenNoTopologyThenOneNodeClusterNamedAfterTheApplication() {
		this.runner.withPropertyValues("spring.application.name=orders").run((context) -> {
			ClusterNode node = context.getBean(ClusterNode.class);
			assertThat(node.isRunning()).isTrue();
			assertThat(node.self().name()).isEqualTo("orders@127.0.0.1");
			assertThat(node.self().address().port()).isPositive();
			assertThat(node.members()).isEmpty();
		});
	}

	@Test
	void whenNoApplicationNameThenNodeIsCalledNode() {
		this.runner.run((context) -> assertThat(context.getBean(ClusterNode.class).self().name())
			.isEqualTo("node@127.0.0.1"));
	}

	@Test
	void noneStrategyDiscoversNothingButHasRun() {
		this.runner.withPropertyValues("cluster.node.name=solo", "cluster.topologies.dev.strategy=none")
			.run((context) -> {
				ClusterNode node = context.getBean(ClusterNode.class);
				await().atMost(Duration.ofSeconds(5)).until(node::hasRun);
				assertThat(node.topologies()).singleElement().satisfies((t) -> {
					assertThat(t.strategy()).isEqualTo("none");
					assertThat(t.discovered()).isEmpty();
				});
			});
	}

	@Test
	void whenStrategyIsUnknownThenStartUpFailsNamingThePropertyAndTheValidValues() {
		this.runner.withPropertyValues("cluster.topologies.local.strategy=epmd").run((context) -> {
			assertThat(context).hasFailed();
			ClusterConfigurationException ex = rootCause(context.getStartupFailure());
			assertThat(ex.getProperty()).isEqualTo("cluster.topologies.local.strategy");
			assertThat(ex.getMessage()).contains("unknown strategy 'epmd'").contains("none, static");
		});
	}

	@Test
	void whenStrategyIsMissingThenStartUpFails() {
		this.runner.withPropertyValues("cluster.topologies.local.poll-interval=1s").run((context) -> {
			assertThat(context).hasFailed();
			assertThat(rootCause(context.getStartupFailure()).getMessage())
				.contains("cluster.topologies.local.strategy: no strategy is set");
		});
	}

	@Test
	void whenStaticHostsAreMissingThenStartUpFailsNamingTheProperty() {
		this.runner.withPropertyValues("cluster.topologies.local.strategy=static").run((context) -> {
			assertThat(context).hasFailed();
			assertThat(rootCause(context.getStartupFailure()).getProperty())
				.isEqualTo("cluster.topologies.local.static.hosts");
		});
	}

	@Test
	void whenAStaticHostIsMalformedThenStartUpFailsNamingTheEntry() {
		this.runner
			.withPropertyValues("cluster.topologies.local.strategy=static",
					"cluster.topologies.local.static.hosts=127.0.0.1:9401,127.0.0.1")
			.run((context) -> {
				assertThat(context).hasFailed();
				assertThat(rootCause(context.getStartupFailure()).getProperty())
					.isEqualTo("cluster.topologies.local.static.hosts[1]");
			});
	}

	@Test
	void whenNodeNameHasAnAtSignThenStartUpFails() {
		this.runner.withPropertyValues("cluster.node.name=abc@host").run((context) -> {
			assertThat(context).hasFailed();
			assertThat(rootCause(context.getStartupFailure()).getProperty()).isEqualTo("cluster.node.name");
		});
	}

	@Test
	void whenDurationIsNotPositiveThenStartUpFails() {
		this.runner.withPropertyValues("cluster.failure-detector.heartbeat-interval=0s").run((context) -> {
			assertThat(context).hasFailed();
			assertThat(rootCause(context.getStartupFailure()).getProperty())
				.isEqualTo("cluster.failure-detector.heartbeat-interval");
		});
	}

	@Test
	void whenSslBundleIsUnknownThenStartUpFailsNamingTheProperty() {
		this.runner.withPropertyValues("cluster.transport.ssl.bundle=missing").run((context) -> {
			assertThat(context).hasFailed();
			assertThat(rootCause(context.getStartupFailure()).getProperty()).isEqualTo("cluster.transport.ssl.bundle");
		});
	}

	@Test
	void whenThePortIsTakenThenStartUpFailsAndTheAnalysisNamesTheProperty() throws Exception {
		try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
			this.runner.withPropertyValues("cluster.node.port=" + taken.getLocalPort()).run((context) -> {
				assertThat(context).hasFailed();
				FailureAnalysis analysis = new ClusterBindFailureAnalyzer().analyze(context.getStartupFailure());
				assertThat(analysis.getDescription()).contains("127.0.0.1:" + taken.getLocalPort());
				assertThat(analysis.getAction()).contains("cluster.node.port");
			});
		}
	}

	@Test
	void failureAnalysisNamesThePropertyAndTheFix() {
		this.runner.withPropertyValues("cluster.topologies.local.strategy=epmd").run((context) -> {
			FailureAnalysis analysis = new ClusterConfigurationFailureAnalyzer().analyze(context.getStartupFailure());
			assertThat(analysis.getDescription()).contains("cluster.topologies.local.strategy");
			assertThat(analysis.getAction()).contains("none, static");
		});
	}

	@Test
	void userStrategyBeanIsSelectedByItsBeanName() {
		this.runner.withUserConfiguration(CustomStrategyConfiguration.class)
			.withPropertyValues("cluster.topologies.mine.strategy=fixedPeers")
			.run((context) -> {
				ClusterNode node = context.getBean(ClusterNode.class);
				await().atMost(Duration.ofSeconds(5)).until(node::hasRun);
				assertThat(node.topologies().get(0).discovered()).containsExactly(new NodeAddress("127.0.0.9", 9999));
			});
	}

	@Test
	void aStrategyFactoryBindsItsOwnGroupOfPropertiesToItsOwnClass() {
		this.runner.withUserConfiguration(CustomFactoryConfiguration.class)
			.withPropertyValues("cluster.topologies.mine.strategy=fixed", "cluster.topologies.mine.fixed.host=127.0.0.8",
					"cluster.topologies.mine.fixed.port=9998", "cluster.topologies.mine.fixed.settle-time=2s")
			.run((context) -> {
				ClusterNode node = context.getBean(ClusterNode.class);
				await().atMost(Duration.ofSeconds(5)).until(node::hasRun);
				assertThat(node.topologies().get(0).discovered()).containsExactly(new NodeAddress("127.0.0.8", 9998));
				FixedProperties bound = context.getBean(CustomFactoryConfiguration.class).bound.get(0);
				assertThat(bound.getSettleTime()).isEqualTo(Duration.ofSeconds(2));
			});
	}

	@Test
	void aStrategyPropertyThatCannotBeConvertedFailsStartUpNamingIt() {
		this.runner.withUserConfiguration(CustomFactoryConfiguration.class)
			.withPropertyValues("cluster.topologies.mine.strategy=fixed", "cluster.topologies.mine.fixed.port=many")
			.run((context) -> {
				assertThat(context).hasFailed();
				// Spring Boot's own bind failure, which its failure analysis reports with the property
				Throwable cause = context.getStartupFailure();
				while (cause != null && !(cause instanceof BindException)) {
					cause = cause.getCause();
				}
				assertThat(cause).isInstanceOfSatisfying(BindException.class,
						(ex) -> assertThat(ex.getName()).hasToString("cluster.topologies.mine.fixed.port"));
			});
	}

	@Test
	void userStrategyBeanIsListedAmongTheValidValues() {
		this.runner.withUserConfiguration(CustomStrategyConfiguration.class)
			.withPropertyValues("cluster.topologies.mine.strategy=wrong")
			.run((context) -> assertThat(rootCause(context.getStartupFailure()).getMessage())
				.contains("fixedPeers, none, static"));
	}

	@Test
	void userNodeBeanBacksOff() {
		this.runner.withUserConfiguration(CustomNodeConfiguration.class)
			.run((context) -> assertThat(context).getBean(ClusterNode.class)
				.isSameAs(context.getBean(CustomNodeConfiguration.class).node));
	}

	@Test
	void eventListenerMethodsAndApplicationListenerBeansBothHearMembershipEvents() {
		int[] ports = freePorts();
		int portA = ports[0];
		int portB = ports[1];
		String hosts = "cluster.topologies.local.static.hosts=127.0.0.1:" + portA + ",127.0.0.1:" + portB;
		ApplicationContextRunner nodes = this.runner.withUserConfiguration(ListenerConfiguration.class)
			.withPropertyValues("cluster.cookie=s3cret", "cluster.topologies.local.strategy=static",
					"cluster.topologies.local.poll-interval=200ms", hosts);
		nodes.withPropertyValues("cluster.node.name=abc", "cluster.node.port=" + portA).run((abc) -> {
			ListenerConfiguration heard = abc.getBean(ListenerConfiguration.class);
			nodes.withPropertyValues("cluster.node.name=bcd", "cluster.node.port=" + portB).run((bcd) -> {
				await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
					assertThat(heard.annotated).containsExactly("joined bcd@127.0.0.1");
					assertThat(heard.applicationListener).containsExactly("bcd@127.0.0.1");
				});
			});
			// bcd's context closed: it left gracefully
			await().atMost(Duration.ofSeconds(5))
				.untilAsserted(() -> assertThat(heard.annotated).contains("left bcd@127.0.0.1 LEFT"));
		});
	}

	@Configuration(proxyBeanMethods = false)
	static class CustomStrategyConfiguration {

		@Bean
		DiscoveryStrategy fixedPeers() {
			return (PollingStrategy) (context) -> Set.of(new NodeAddress("127.0.0.9", 9999));
		}

	}

	@Configuration(proxyBeanMethods = false)
	static class CustomFactoryConfiguration {

		final List<FixedProperties> bound = new CopyOnWriteArrayList<>();

		@Bean
		ClusterStrategyFactory fixedFactory() {
			return new ClusterStrategyFactory() {
				@Override
				public String name() {
					return "fixed";
				}

				@Override
				public DiscoveryStrategy create(StrategyContext context) {
					FixedProperties properties = context.properties(FixedProperties.class);
					CustomFactoryConfiguration.this.bound.add(properties);
					NodeAddress address = new NodeAddress(properties.getHost(), properties.getPort());
					return (PollingStrategy) (discovery) -> Set.of(address);
				}
			};
		}

	}

	/** A custom strategy's own settings. */
	public static class FixedProperties {

		private String host = "127.0.0.1";

		private int port = 9401;

		private Duration settleTime = Duration.ZERO;

		public String getHost() {
			return this.host;
		}

		public void setHost(String host) {
			this.host = host;
		}

		public int getPort() {
			return this.port;
		}

		public void setPort(int port) {
			this.port = port;
		}

		public Duration getSettleTime() {
			return this.settleTime;
		}

		public void setSettleTime(Duration settleTime) {
			this.settleTime = settleTime;
		}

	}

	@Configuration(proxyBeanMethods = false)
	static class CustomNodeConfiguration {

		final ClusterNode node = ClusterNode.builder().name("custom").host("127.0.0.1").build();

		@Bean
		ClusterNode myNode() {
			return this.node;
		}

	}

	@Configuration(proxyBeanMethods = false)
	static class ListenerConfiguration {

		final List<String> annotated = new CopyOnWriteArrayList<>();

		final List<String> applicationListener = new CopyOnWriteArrayList<>();

		@EventListener
		void joined(NodeJoinedEvent event) {
			this.annotated.add("joined " + event.getNodeName());
		}

		@EventListener
		void left(NodeLeftEvent event) {
			this.annotated.add("left " + event.getNodeName() + " " + event.getReason());
		}

		@Bean
		ApplicationListener<NodeJoinedEvent> joinedListener() {
			return (event) -> this.applicationListener.add(event.getNodeName());
		}

	}

}
