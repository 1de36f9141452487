package dev.clustering.autoconfigure;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import org.junit.jupiter.api.Test;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.availability.ApplicationAvailability;
import org.springframework.boot.availability.ApplicationAvailabilityBean;
import org.springframework.boot.availability.AvailabilityChangeEvent;
import org.springframework.boot.availability.ReadinessState;
import org.springframework.boot.diagnostics.FailureAnalysis;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.ApplicationListener;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.event.EventListener;

import dev.clustering.leadership.ClusterLeadership;
import dev.clustering.leadership.LeaderElectedEvent;
import dev.clustering.leadership.SplitBrainStrategy;
import dev.clustering.node.ClusterNode;
import dev.clustering.singleton.ClusterSingleton;
import dev.clustering.singleton.SingletonContext;
import dev.clustering.singleton.SingletonStartedEvent;
import dev.clustering.singleton.StartType;
import dev.clustering.singleton.StopReason;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

class ClusterSingletonAutoConfigurationTests {

	private final ApplicationContextRunner runner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(ClusterAutoConfiguration.class))
		.withPropertyValues("cluster.node.host=127.0.0.1", "cluster.node.name=solo",
				"cluster.topologies.dev.strategy=none");

	@Test
	void singletonBeanRunsOnAOneNodeClusterWhichLeadsWithAFencingToken() {
		this.runner.withUserConfiguration(SingletonConfiguration.class).run((context) -> {
			SingletonConfiguration config = context.getBean(SingletonConfiguration.class);
			ClusterLeadership leadership = context.getBean(ClusterLeadership.class);
			await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
				assertThat(config.starts).singleElement().satisfies((start) -> {
					assertThat(start.name()).isEqualTo("reports");
					assertThat(start.startType()).isEqualTo(StartType.NORMAL);
					assertThat(start.node()).isEqualTo("solo@127.0.0.1");
				});
				assertThat(leadership.isLeader()).isTrue();
			});
			assertThat(leadership.fencingToken()).isPositive();
			assertThat(config.events).contains("leader solo@127.0.0.1", "started reports");
			assertThat(context.getBean(ClusterNode.class).singletons().get("reports").node())
				.isEqualTo("solo@127.0.0.1");
		});
	}

	@Test
	void aStoppedContextStartsAgainAndTheNodeRunsItsSingletonWithANewerToken() {
		this.runner.withUserConfiguration(SingletonConfiguration.class).run((context) -> {
			SingletonConfiguration config = context.getBean(SingletonConfiguration.class);
			ClusterNode node = context.getBean(ClusterNode.class);
			await().atMost(Duration.ofSeconds(10)).until(() -> config.starts.size() == 1);
			long firstToken = config.starts.get(0).fencingToken();
			long firstIncarnation = node.self().incarnation();
			context.stop();
			assertThat(node.isRunning()).isFalse();
			context.start();
			assertThat(node.isRunning()).isTrue();
			assertThat(node.self().incarnation()).isNotEqualTo(firstIncarnation);
			await().atMost(Duration.ofSeconds(10)).until(() -> config.starts.size() == 2);
			assertThat(config.starts.get(1).fencingToken()).isGreaterThan(firstToken);
			assertThat(context.getBean(ClusterLeadership.class).isLeader()).isTrue();
			assertThat(node.singletons().get("reports").node()).isEqualTo("solo@127.0.0.1");
		});
	}

	@Test
	void singletonNameCanDifferFromTheBeanNameAndStopsAtShutdown() {
		List<StopReason> stops = new CopyOnWriteArrayList<>();
		this.runner.withBean("someBean", ClusterSingleton.class, () -> new ClusterSingleton() {
			@Override
			public void start(SingletonContext context) {
			}

			@Override
			public void stop(StopReason reason) {
				stops.add(reason);
			}

			@Override
			public String singletonName() {
				return "billing";
			}
		}).run((context) -> await().atMost(Duration.ofSeconds(10))
			.until(() -> "solo@127.0.0.1".equals(context.getBean(ClusterNode.class).singletons().get("billing").node())));
		assertThat(stops).containsExactly(StopReason.SHUTDOWN);
	}

	@Test
	void singletonPropertiesBindThePriorityListInEveryForm() {
		this.runner
			.withPropertyValues("cluster.singletons.distro.nodes[0]=abc", "cluster.singletons.distro.nodes[1]=bcd,def",
					"cluster.singletons.distro.failover-timeout=1s", "cluster.singletons.distro.takeover=false",
					"cluster.split-brain.strategy=off")
			.run((context) -> {
				ClusterProperties properties = context.getBean(ClusterProperties.class);
				assertThat(properties.getSingletons().get("distro").getNodes())
					.containsExactly(List.of("abc"), List.of("bcd", "def"));
				assertThat(properties.getSplitBrain().getStrategy()).isEqualTo(SplitBrainStrategy.OFF);
				assertThat(context.getBean(ClusterNode.class).singletons().get("distro").nodes())
					.containsExactly(List.of("abc"), List.of("bcd", "def"));
			});
	}

	@Test
	void whenQuorumSizeIsZeroThenStartUpFailsNamingTheProperty() {
		this.runner.withPropertyValues("cluster.split-brain.strategy=static-quorum", "cluster.split-brain.quorum-size=0")
			.run((context) -> {
				assertThat(context).hasFailed();
				assertThat(context.getStartupFailure()).hasRootCauseInstanceOf(ClusterConfigurationException.class)
					.rootCause()
					.hasMessageContaining("cluster.split-brain.quorum-size");
			});
	}

	@Test
	void whenAMandatoryNodeIsMissingThenStartUpFailsNamingIt() {
		this.runner
			.withPropertyValues("cluster.sync-nodes.mandatory=abc,bcd", "cluster.sync-nodes.timeout=300ms")
			.run((context) -> {
				assertThat(context).hasFailed();
				Throwable failure = context.getStartupFailure();
				Throwable cause = failure;
				while (!(cause instanceof ClusterSyncException) && cause.getCause() != null) {
					cause = cause.getCause();
				}
				assertThat(cause).isInstanceOf(ClusterSyncException.class);
				assertThat(((ClusterSyncException) cause).getMissing()).containsExactlyInAnyOrder("abc", "bcd");
				FailureAnalysis analysis = new ClusterSyncFailureAnalyzer().analyze(failure);
				assertThat(analysis.getDescription()).contains("abc").contains("bcd");
				assertThat(analysis.getAction()).contains("cluster.sync-nodes.mandatory");
			});
	}

	@Test
	void whenAnOptionalNodeIsMissingThenStartUpWaitsAndCarriesOnRefusingTrafficMeanwhile() {
		List<Object> readiness = new CopyOnWriteArrayList<>();
		long started = System.nanoTime();
		this.runner.withBean(ApplicationAvailabilityBean.class)
			.withBean("recorder", ApplicationListener.class,
					() -> (ApplicationListener<AvailabilityChangeEvent<?>>) (
							event) -> readiness.add(event.getState()))
			.withPropertyValues("cluster.sync-nodes.optional=abc", "cluster.sync-nodes.timeout=500ms")
			.run((context) -> {
				assertThat(context).hasNotFailed();
				assertThat(Duration.ofNanos(System.nanoTime() - started)).isGreaterThanOrEqualTo(Duration.ofMillis(500));
				assertThat(readiness).contains(ReadinessState.REFUSING_TRAFFIC);
				assertThat(context.getBean(ApplicationAvailability.class)).isNotNull();
			});
	}

	@Configuration(proxyBeanMethods = false)
	static class SingletonConfiguration {

		final List<SingletonContext> starts = new CopyOnWriteArrayList<>();

		final List<String> events = new CopyOnWriteArrayList<>();

		@Bean
		ClusterSingleton reports() {
			return new ClusterSingleton() {
				@Override
				public void start(SingletonContext context) {
					SingletonConfiguration.this.starts.add(context);
				}

				@Override
				public void stop(StopReason reason) {
				}
			};
		}

		@EventListener
		void leader(LeaderElectedEvent event) {
			this.events.add("leader " + event.getLeader());
		}

		@EventListener
		void started(SingletonStartedEvent event) {
			this.events.add("started " + event.getName());
		}

	}

}
