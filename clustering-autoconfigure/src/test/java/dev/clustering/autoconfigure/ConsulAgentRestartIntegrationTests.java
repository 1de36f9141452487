package dev.clustering.autoconfigure;

import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.assertj.AssertableApplicationContext;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.ApplicationEvent;
import org.springframework.context.ApplicationListener;

import dev.clustering.discovery.RegistryDisconnectedEvent;
import dev.clustering.discovery.RegistryReconnectedEvent;
import dev.clustering.discovery.consul.ConsulAgent;
import dev.clustering.leadership.LeaderInfo;
import dev.clustering.node.ClusterNode;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The Consul agent killed with SIGKILL under three applications and started again on the same
 * data: while it is down nobody leads, no node stops or loses its members, and each hears its
 * registry lost; once it is back each hears it found again and one leads: the same node under the
 * same token if its session outlived the outage (it never lost the lock), otherwise a node with a
 * larger token. Never two leaders at once, sampled all along.
 */
class ConsulAgentRestartIntegrationTests {

	private static final Duration BOUND = Duration.ofSeconds(30);

	private ConsulAgent agent;

	@BeforeEach
	void startConsul() throws IOException {
		this.agent = ConsulAgent.start();
	}

	@AfterEach
	void stopConsul() {
		this.agent.close();
	}

	@Test
	void whileTheKilledAgentIsDownNobodyLeadsAndNoNodeStopsThenOneLeadsWithALargerToken() throws Exception {
		ApplicationContextRunner app = new ApplicationContextRunner()
			.withConfiguration(AutoConfigurations.of(ClusterAutoConfiguration.class, ConsulStrategyAutoConfiguration.class))
			.withPropertyValues("cluster.node.host=127.0.0.1", "cluster.node.port=0", "spring.application.name=restart",
					"cluster.topologies.prod.strategy=consul", "cluster.topologies.prod.consul.url=" + this.agent.url(),
					"cluster.topologies.prod.consul.check-ttl=3s")
			.withBean(RegistryEvents.class);
		app.withPropertyValues("cluster.node.name=r1").run((first) -> app.withPropertyValues("cluster.node.name=r2")
			.run((second) -> app.withPropertyValues("cluster.node.name=r3").run((third) -> {
				List<AssertableApplicationContext> contexts = List.of(first, second, third);
				List<ClusterNode> nodes = contexts.stream().map((c) -> c.getBean(ClusterNode.class)).toList();
				await().atMost(BOUND).until(() -> nodes.stream().allMatch((n) -> n.members().size() == 2));
				await().atMost(BOUND).until(() -> nodes.stream().filter((n) -> n.leadership().isLeader()).count() == 1);
				LeaderInfo before = nodes.stream()
					.filter((n) -> n.leadership().isLeader())
					.findFirst()
					.orElseThrow()
					.leadership()
					.leader()
					.orElseThrow();
				AtomicInteger overlaps = new AtomicInteger();
				Thread sampler = new Thread(() -> {
					while (!Thread.currentThread().isInterrupted()) {
						if (nodes.stream().filter((n) -> n.leadership().isLeader()).count() > 1) {
							overlaps.incrementAndGet();
						}
						Thread.onSpinWait();
					}
				});
				sampler.setDaemon(true);
				sampler.start();
				try {
					this.agent.kill();
					await().atMost(BOUND).until(() -> nodes.stream().noneMatch((n) -> n.leadership().isLeader()));
					await().atMost(BOUND).until(() -> contexts.stream()
						.allMatch((c) -> c.getBean(RegistryEvents.class).has(RegistryDisconnectedEvent.class)));
					assertThat(nodes).allSatisfy((n) -> {
						assertThat(n.isRunning()).isTrue();
						assertThat(n.members()).hasSize(2);
					});
					this.agent.startAgain();
					await().atMost(BOUND).until(() -> contexts.stream()
						.allMatch((c) -> c.getBean(RegistryEvents.class).has(RegistryReconnectedEvent.class)));
					await().atMost(BOUND).until(() -> nodes.stream().filter((n) -> n.leadership().isLeader()).count() == 1);
					LeaderInfo after = nodes.stream()
						.filter((n) -> n.leadership().isLeader())
						.findFirst()
						.orElseThrow()
						.leadership()
						.leader()
						.orElseThrow();
					// the lock is Consul's state: a leader whose session outlived the outage still holds it and
					// leads again under the same token; anyone else acquired it anew, with a larger one
					boolean sameHold = after.name().equals(before.name()) && after.fencingToken() == before.fencingToken();
					assertThat(sameHold || after.fencingToken() > before.fencingToken())
						.as("leader after %s, before %s", after, before)
						.isTrue();
					assertThat(nodes).allSatisfy((n) -> assertThat(n.members()).hasSize(2));
				}
				finally {
					sampler.interrupt();
					sampler.join();
				}
				assertThat(overlaps).hasValue(0);
			})));
	}

	/** The registry events one application heard. */
	static class RegistryEvents implements ApplicationListener<ApplicationEvent> {

		private final List<ApplicationEvent> events = new CopyOnWriteArrayList<>();

		@Override
		public void onApplicationEvent(ApplicationEvent event) {
			if (event instanceof RegistryDisconnectedEvent || event instanceof RegistryReconnectedEvent) {
				this.events.add(event);
			}
		}

		boolean has(Class<? extends ApplicationEvent> type) {
			return this.events.stream().anyMatch(type::isInstance);
		}

	}

}
