package dev.clustering.actuate;

import java.time.Duration;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import dev.clustering.discovery.PollingStrategy;
import dev.clustering.membership.NodeAddress;
import dev.clustering.node.ClusterNode;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

class ClusterMetricsTests {

	private ClusterNode node;

	@AfterEach
	void close() {
		if (this.node != null) {
			this.node.close();
		}
	}

	@Test
	void discoveryRoundsAndErrorsAreCountedPerTopologyAndMembersAndLeadershipAreGauged() {
		AtomicInteger calls = new AtomicInteger();
		this.node = ClusterNode.builder()
			.name("metrics")
			.host("127.0.0.1")
			.topology("good", "fixed", (PollingStrategy) (c) -> Set.of(new NodeAddress("127.0.0.1", 1)),
					Duration.ofMillis(50))
			.topology("bad", "broken", (PollingStrategy) (c) -> {
				calls.incrementAndGet();
				throw new IllegalStateException("down");
			}, Duration.ofMillis(50))
			.build();
		SimpleMeterRegistry registry = new SimpleMeterRegistry();
		new ClusterMetrics(this.node).bindTo(registry);
		this.node.start();
		await().atMost(Duration.ofSeconds(5)).until(() -> calls.get() >= 3);
		assertThat(registry.get("cluster.discovery.errors").tag("topology", "bad").functionCounter().count())
			.isGreaterThanOrEqualTo(3);
		assertThat(registry.get("cluster.discovery.errors").tag("topology", "good").functionCounter().count()).isZero();
		assertThat(registry.get("cluster.discovery.rounds").tag("topology", "good").functionCounter().count())
			.isGreaterThanOrEqualTo(1);
		assertThat(registry.get("cluster.members").gauge().value()).isZero();
		// "good" lists a node that never answers: 1 of 2 known nodes is no majority, so no leader
		await().during(Duration.ofMillis(500)).atMost(Duration.ofSeconds(3))
			.until(() -> registry.get("cluster.leader").gauge().value() == 0.0);
	}

}
