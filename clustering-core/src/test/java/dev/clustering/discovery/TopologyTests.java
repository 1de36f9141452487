package dev.clustering.discovery;

import java.io.IOException;
import java.net.ConnectException;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import dev.clustering.membership.LocalNode;
import dev.clustering.membership.NodeAddress;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Topologies with fake strategies: no network.
 */
class TopologyTests {

	private static final NodeAddress SELF = new NodeAddress("127.0.0.1", 9401);

	private static final NodeAddress B = new NodeAddress("127.0.0.1", 9402);

	private static final NodeAddress C = new NodeAddress("127.0.0.1", 9403);

	private final LocalNode self = new LocalNode("abc@127.0.0.1", SELF, 1, Map.of());

	private final List<Topology> started = new CopyOnWriteArrayList<>();

	private final List<TopologyStatus> reported = new CopyOnWriteArrayList<>();

	@AfterEach
	void stop() {
		this.started.forEach(Topology::stop);
	}

	private Topology start(String name, DiscoveryStrategy strategy) {
		Topology topology = new Topology(name, "fake", strategy, Duration.ofMillis(50), Clock.systemUTC(),
				(t, status) -> this.reported.add(status));
		topology.start(new DiscoveryContext(name, this.self, Duration.ofMillis(50)));
		this.started.add(topology);
		return topology;
	}

	@Test
	void pollingSkipsThisNodeAndReportsTheRest() {
		Topology topology = start("local", (PollingStrategy) (context) -> Set.of(SELF, C, B));
		await().atMost(Duration.ofSeconds(5)).until(() -> topology.status().hasRun());
		assertThat(topology.status().discovered()).containsExactly(B, C);
		assertThat(topology.status().lastError()).isNull();
	}

	@Test
	void aFailedPollKeepsTheLastGoodAnswerAndRecordsTheError() {
		AtomicInteger calls = new AtomicInteger();
		Topology topology = start("flaky", (PollingStrategy) (context) -> {
			if (calls.incrementAndGet() > 1) {
				throw new IOException("registry down");
			}
			return Set.of(B);
		});
		await().atMost(Duration.ofSeconds(5)).until(() -> topology.status().errors() >= 2);
		TopologyStatus status = topology.status();
		assertThat(status.discovered()).containsExactly(B);
		assertThat(status.lastError().message()).isEqualTo("IOException: registry down");
		assertThat(status.rounds()).isGreaterThan(status.errors());
	}

	@Test
	void anEmptyAnswerIsAnAnswer() {
		AtomicInteger calls = new AtomicInteger();
		Topology topology = start("shrinking",
				(PollingStrategy) (context) -> (calls.incrementAndGet() == 1) ? Set.of(B) : Set.of());
		await().atMost(Duration.ofSeconds(5)).until(() -> topology.status().rounds() >= 2);
		assertThat(topology.status().discovered()).isEmpty();
		assertThat(topology.status().lastError()).isNull();
	}

	@Test
	void oneFailingTopologyDoesNotTouchAnother() {
		Topology broken = start("broken", (PollingStrategy) (context) -> {
			throw new IllegalStateException("boom");
		});
		Topology hanging = start("hanging", (PollingStrategy) (context) -> {
			Thread.sleep(60_000);
			return Set.of();
		});
		Topology healthy = start("healthy", (PollingStrategy) (context) -> Set.of(B));
		await().atMost(Duration.ofSeconds(5)).until(() -> healthy.status().rounds() >= 5 && broken.status().errors() >= 1);
		assertThat(healthy.status().discovered()).containsExactly(B);
		assertThat(healthy.status().errors()).isZero();
		assertThat(hanging.status().hasRun()).isFalse();
	}

	@Test
	void watchStrategiesPushAnswersAndErrorsAndAreClosedOnStop() {
		AtomicReference<DiscoveryListener> listener = new AtomicReference<>();
		AtomicInteger closed = new AtomicInteger();
		AtomicInteger refreshed = new AtomicInteger();
		WatchStrategy watch = new WatchStrategy() {
			@Override
			public AutoCloseable watch(DiscoveryContext context, DiscoveryListener l) {
				listener.set(l);
				return closed::incrementAndGet;
			}

			@Override
			public void refresh() {
				refreshed.incrementAndGet();
			}
		};
		Topology topology = start("watched", watch);
		await().atMost(Duration.ofSeconds(5)).until(() -> listener.get() != null);
		listener.get().discovered(Set.of(B, C));
		assertThat(topology.status().discovered()).containsExactly(B, C);
		listener.get().failed(new IllegalStateException("watch broken"));
		assertThat(topology.status().discovered()).containsExactly(B, C);
		assertThat(topology.status().lastError().message()).contains("watch broken");
		topology.discoverNow();
		await().atMost(Duration.ofSeconds(5)).until(() -> refreshed.get() == 1);
		topology.stop();
		assertThat(closed.get()).isEqualTo(1);
	}

	@Test
	void registryStrategiesRegisterAndDeregisterAndReportALostRegistry() {
		AtomicReference<RegistryListener> registry = new AtomicReference<>();
		AtomicInteger deregistered = new AtomicInteger();
		RegistryStrategy strategy = new RegistryStrategy() {
			@Override
			public AutoCloseable register(DiscoveryContext context, RegistryListener l) {
				assertThat(context.self().address()).isEqualTo(SELF);
				registry.set(l);
				return deregistered::incrementAndGet;
			}

			@Override
			public AutoCloseable watch(DiscoveryContext context, DiscoveryListener l) {
				l.discovered(Set.of(B));
				return () -> {
				};
			}
		};
		Topology topology = start("registry", strategy);
		await().atMost(Duration.ofSeconds(5)).until(() -> topology.status().hasRun());
		registry.get().registryLost(new IOException("lease expired"));
		assertThat(topology.status().lastError().message()).contains("lease expired");
		assertThat(topology.status().discovered()).containsExactly(B);
		topology.stop();
		assertThat(deregistered.get()).isEqualTo(1);
	}

	@Test
	void aStrategyThatCannotStartIsRetried() {
		AtomicInteger attempts = new AtomicInteger();
		WatchStrategy watch = (context, l) -> {
			if (attempts.incrementAndGet() < 3) {
				throw new ConnectException("not yet");
			}
			l.discovered(Set.of(C));
			return () -> {
			};
		};
		Topology topology = start("late", watch);
		await().atMost(Duration.ofSeconds(5)).until(() -> topology.status().discovered().contains(C));
		assertThat(topology.status().errors()).isEqualTo(2);
	}

	@Test
	void aRegistrationStillBlockingWhenTheTopologyStopsIsClosedWhenItArrives() throws Exception {
		CountDownLatch registering = new CountDownLatch(1);
		AtomicBoolean closed = new AtomicBoolean();
		RegistryStrategy slow = new RegistryStrategy() {
			@Override
			public AutoCloseable register(DiscoveryContext context, RegistryListener listener) throws Exception {
				registering.countDown();
				// a registry that answers late, ignoring interruption as some clients do
				long until = System.nanoTime() + Duration.ofMillis(700).toNanos();
				while (System.nanoTime() < until) {
					Thread.onSpinWait();
				}
				return () -> closed.set(true);
			}

			@Override
			public AutoCloseable watch(DiscoveryContext context, DiscoveryListener listener) {
				return () -> {
				};
			}
		};
		Topology topology = start("registry", slow);
		assertThat(registering.await(5, TimeUnit.SECONDS)).isTrue();
		topology.stop();
		assertThat(closed).isTrue();
	}

}
