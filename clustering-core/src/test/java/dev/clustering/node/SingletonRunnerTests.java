package dev.clustering.node;

import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import dev.clustering.singleton.ClusterSingleton;
import dev.clustering.singleton.SingletonContext;
import dev.clustering.singleton.SingletonState;
import dev.clustering.singleton.SingletonStatus;
import dev.clustering.singleton.StartType;
import dev.clustering.singleton.StopReason;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The runner's permit rules on a fake clock: an order that finds no permit is stale and refused, and
 * a permit that ran out stays out even if a later renewal moves it on.
 */
class SingletonRunnerTests {

	private static final long SECOND = 1_000_000_000L;

	private final AtomicLong now = new AtomicLong(1_000 * SECOND);

	private final AtomicLong permitUntil = new AtomicLong(Deadlines.NONE);

	private final List<SingletonStatus> reports = new CopyOnWriteArrayList<>();

	private final List<String> calls = new CopyOnWriteArrayList<>();

	private final AtomicReference<SingletonContext> context = new AtomicReference<>();

	private final ExecutorService loop = Executors.newSingleThreadExecutor();

	private final SingletonRunner runner = new SingletonRunner("abc@h", Map.of("distro", new ClusterSingleton() {

		@Override
		public void start(SingletonContext context) {
			SingletonRunnerTests.this.context.set(context);
			SingletonRunnerTests.this.calls.add("start " + context.fencingToken());
		}

		@Override
		public void stop(StopReason reason) {
			SingletonRunnerTests.this.calls.add("stop " + reason);
		}

	}), this.loop, this.now::get, Clock.systemUTC(), (failover) -> this.permitUntil.get(),
			new SingletonRunner.Reporter() {

				@Override
				public void changed(SingletonStatus status) {
					SingletonRunnerTests.this.reports.add(status);
				}

				@Override
				public void started(SingletonContext context) {
				}

				@Override
				public void stopped(String name, StopReason reason, long token) {
				}

			});

	@AfterEach
	void close() throws Exception {
		onLoop(this.runner::close);
		this.loop.shutdownNow();
	}

	private void onLoop(Runnable task) throws Exception {
		this.loop.submit(task).get(10, TimeUnit.SECONDS);
	}

	@Test
	void aStartOrderThatFindsNoPermitIsRefusedAtOnce() throws Exception {
		// the order waited in a buffer while the leader may have started it elsewhere
		this.permitUntil.set(this.now.get() - 1);
		onLoop(() -> this.runner.start("distro", 7, StartType.NORMAL, null, 2 * SECOND));
		assertThat(this.reports).singleElement().satisfies((status) -> {
			assertThat(status.state()).isEqualTo(SingletonState.STOPPED);
			assertThat(status.fencingToken()).isEqualTo(7);
		});
		assertThat(this.runner.active("distro")).isNull();
		assertThat(this.calls).isEmpty();
	}

	@Test
	void aStartOrderWithAPermitStartsTheBean() throws Exception {
		this.permitUntil.set(this.now.get() + 2 * SECOND);
		onLoop(() -> this.runner.start("distro", 7, StartType.NORMAL, null, 2 * SECOND));
		await().atMost(Duration.ofSeconds(10))
			.until(() -> this.reports.stream().anyMatch((s) -> s.state() == SingletonState.RUNNING));
		assertThat(this.calls).containsExactly("start 7");
		assertThat(this.context.get().isValid()).isTrue();
	}

	@Test
	void aPermitThatRanOutStaysOutEvenIfARenewalMovesItOnAfterwards() throws Exception {
		this.permitUntil.set(this.now.get() + 2 * SECOND);
		onLoop(() -> this.runner.start("distro", 7, StartType.NORMAL, null, 2 * SECOND));
		await().atMost(Duration.ofSeconds(10)).until(() -> this.context.get() != null);
		SingletonContext run = this.context.get();
		assertThat(run.isValid()).isTrue();
		// the permit runs out before the watchdog looks; then, as before every renewal, the loop settles
		// the permits, and the renewal moves the permit on: the leader may have started it elsewhere
		this.now.addAndGet(3 * SECOND);
		onLoop(this.runner::refresh);
		this.permitUntil.set(this.now.get() + 2 * SECOND);
		assertThat(run.isValid()).isFalse();
		await().atMost(Duration.ofSeconds(10)).until(() -> this.calls.contains("stop " + StopReason.QUORUM_LOST));
		this.runner.watchdog();
		assertThat(run.isValid()).isFalse();
		assertThat(this.calls).containsExactly("start 7", "stop " + StopReason.QUORUM_LOST);
	}

	@Test
	void aPermitRenewedBeforeItRunsOutKeepsTheRunValid() throws Exception {
		this.permitUntil.set(this.now.get() + 2 * SECOND);
		onLoop(() -> this.runner.start("distro", 7, StartType.NORMAL, null, 2 * SECOND));
		await().atMost(Duration.ofSeconds(10)).until(() -> this.context.get() != null);
		SingletonContext run = this.context.get();
		for (int i = 0; i < 10; i++) {
			assertThat(run.isValid()).isTrue();
			this.now.addAndGet(SECOND);
			onLoop(this.runner::refresh);
			this.permitUntil.set(this.now.get() + 2 * SECOND);
		}
		assertThat(run.isValid()).isTrue();
		this.runner.watchdog();
		assertThat(this.calls).containsExactly("start 7");
	}

}
