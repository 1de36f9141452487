package dev.clustering.node;

import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.LongSupplier;
import java.util.function.LongUnaryOperator;

import io.netty.util.concurrent.DefaultThreadFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.clustering.singleton.ClusterSingleton;
import dev.clustering.singleton.SingletonContext;
import dev.clustering.singleton.SingletonState;
import dev.clustering.singleton.SingletonStatus;
import dev.clustering.singleton.StartType;
import dev.clustering.singleton.StopReason;

/**
 * Runs the singletons this node is given: calls their {@code start} and {@code stop} on one thread
 * per singleton, and holds each run's <em>permit</em>, a deadline on the monotonic clock before
 * which no other node can start that singleton. A run acts only while its permit holds
 * ({@link SingletonContext#isValid()}), and a watchdog thread, not the event loop, stops a run whose
 * permit ran out, so a stalled event loop never keeps a singleton running past the point where
 * another node may start it.
 * <p>
 * The event loop owns the map of runs and every state change; the watchdog only reads the runs and
 * claims the stop of one (each run is stopped exactly once, by whoever claims it first); the
 * singleton threads only call the beans and hand results back to the loop.
 */
final class SingletonRunner implements AutoCloseable {

	private static final Logger logger = LoggerFactory.getLogger(SingletonRunner.class);

	/** Hears every change of a local run, on the event loop. */
	interface Reporter {

		void changed(SingletonStatus status);

		void started(SingletonContext context);

		void stopped(String name, StopReason reason, long token);

	}

	private final String self;

	private final Map<String, ClusterSingleton> hosted;

	private final Executor loop;

	private final LongSupplier nanoTime;

	private final Clock clock;

	private final Reporter reporter;

	// until when this node may run a singleton with a given failover timeout; thread-safe, read live
	private final LongUnaryOperator permits;

	private final Map<String, ExecutorService> executors = new HashMap<>();

	// owned by the loop
	private final Map<String, SingletonRun> runs = new HashMap<>();

	private final Map<String, SingletonStatus> statuses = new HashMap<>();

	private final Map<String, CompletableFuture<Void>> stopping = new HashMap<>();

	// what the watchdog reads
	private volatile List<SingletonRun> published = List.of();

	private boolean leaving;

	SingletonRunner(String self, Map<String, ClusterSingleton> hosted, Executor loop, LongSupplier nanoTime,
			Clock clock, LongUnaryOperator permits, Reporter reporter) {
		this.permits = permits;
		this.self = self;
		this.hosted = Map.copyOf(hosted);
		this.loop = loop;
		this.nanoTime = nanoTime;
		this.clock = clock;
		this.reporter = reporter;
	}

	/**
	 * Whether this node can run a singleton.
	 * @param name the singleton
	 * @return whether a bean of that name was registered here
	 */
	boolean hosts(String name) {
		return this.hosted.containsKey(name);
	}

	/**
	 * What this node last said about each singleton it ran.
	 * @return statuses by singleton
	 */
	Map<String, SingletonStatus> statuses() {
		return Map.copyOf(this.statuses);
	}

	/**
	 * The local run of a singleton, if it is active.
	 * @param name the singleton
	 * @return the run's status, or {@code null}
	 */
	SingletonStatus active(String name) {
		SingletonStatus status = this.statuses.get(name);
		return (status != null && status.isActive()) ? status : null;
	}

	/**
	 * Starts a singleton here as ordered, if this node's permit holds when the order arrives; else
	 * refuses it (reports STOPPED). The leader confirms this node's permit just before it orders a
	 * start, on the same connection, so an order that finds no permit is stale: it waited in a
	 * network buffer while the leader may have started the singleton elsewhere.
	 * @param name the singleton
	 * @param token its fencing token
	 * @param type how it starts
	 * @param from where it comes from, or {@code null}
	 * @param failoverNanos its failover timeout (for its permit)
	 */
	void start(String name, long token, StartType type, String from, long failoverNanos) {
		ClusterSingleton bean = this.hosted.get(name);
		if (bean == null || this.leaving || active(name) != null) {
			if (active(name) == null) {
				report(new SingletonStatus(name, this.self, SingletonState.STOPPED, type, from, token,
						this.clock.instant()));
			}
			return;
		}
		SingletonRun run = new SingletonRun(name, token, type, from, failoverNanos, this.nanoTime.getAsLong(),
				this.nanoTime, this.permits);
		if (!run.isValid()) {
			logger.warn("Singleton {}: this node has no permit to run it; not starting it (token {})", name, token);
			report(new SingletonStatus(name, this.self, SingletonState.STOPPED, type, from, token,
					this.clock.instant()));
			return;
		}
		this.runs.put(name, run);
		publish();
		report(status(run, SingletonState.STARTING));
		launch(run, bean);
	}

	/**
	 * Stops a local run, if one is active.
	 * @param name the singleton
	 * @param reason why
	 */
	void stop(String name, StopReason reason) {
		SingletonRun run = this.runs.get(name);
		if (run == null) {
			return;
		}
		if (run.stopClaimed.compareAndSet(false, true)) {
			beginStop(run, reason);
		}
		else {
			// the watchdog claimed it: whoever waits for the stops (a leave) waits for that one too
			this.stopping.computeIfAbsent(name, (n) -> new CompletableFuture<>());
		}
	}

	/**
	 * Stops every local run.
	 * @param reason why
	 */
	void stopAll(StopReason reason) {
		new ArrayList<>(this.runs.keySet()).forEach((name) -> stop(name, reason));
	}

	/**
	 * Acts on the permits: a run whose permit ran out is stopped. Called on every tick, and before
	 * anything that may move the permit on (a renewal, a new lease): a permit that ran out stays out for
	 * its run, since the leader may have started the singleton elsewhere meanwhile.
	 */
	void refresh() {
		for (SingletonRun run : new ArrayList<>(this.runs.values())) {
			if (run.stopClaimed.get()) {
				continue;
			}
			if (run.launched && !run.isValid() && run.stopClaimed.compareAndSet(false, true)) {
				logger.warn("Singleton {}: this node's permit to run it ran out; stopping it", run.name);
				beginStop(run, StopReason.QUORUM_LOST);
			}
		}
	}

	/**
	 * The watchdog's check, on its own thread: stops every run whose permit ran out that nobody
	 * stopped yet, even if the event loop is stalled.
	 */
	void watchdog() {
		for (SingletonRun run : this.published) {
			if (run.launched && !run.isValid() && run.stopClaimed.compareAndSet(false, true)) {
				logger.warn("Singleton {}: this node's permit ran out while its event loop did not act; the watchdog "
						+ "stops it", run.name);
				ClusterSingleton bean = this.hosted.get(run.name);
				submit(run.name, () -> {
					callStop(bean, run, StopReason.QUORUM_LOST);
					onLoop(() -> stopped(run, StopReason.QUORUM_LOST));
				});
			}
		}
	}

	/**
	 * Stops every local run for shutdown; no more starts.
	 * @return completes when they have all stopped
	 */
	CompletableFuture<Void> leave() {
		this.leaving = true;
		stopAll(StopReason.SHUTDOWN);
		return CompletableFuture.allOf(this.stopping.values().toArray(CompletableFuture[]::new));
	}

	@Override
	public void close() {
		synchronized (this.executors) {
			this.executors.values().forEach(ExecutorService::shutdown);
		}
	}

	private void launch(SingletonRun run, ClusterSingleton bean) {
		run.launched = true;
		publish();
		SingletonContext context = new SingletonContext(run.name, this.self, run.type, run.from, run.token,
				run::isValid);
		submit(run.name, () -> {
			if (run.stopClaimed.get()) {
				onLoop(() -> startedOrFailed(run, context, false));
				return;
			}
			boolean ok = false;
			try {
				run.startCalled = true;
				bean.start(context);
				ok = true;
			}
			catch (RuntimeException | Error ex) {
				logger.error("Singleton {} failed to start on {}", run.name, this.self, ex);
			}
			boolean started = ok;
			onLoop(() -> startedOrFailed(run, context, started));
		});
	}

	private void startedOrFailed(SingletonRun run, SingletonContext context, boolean ok) {
		if (this.runs.get(run.name) != run || run.stopClaimed.get()) {
			return; // a stop was claimed meanwhile; it runs next on the singleton's thread
		}
		if (ok) {
			run.state = SingletonState.RUNNING;
			report(status(run, SingletonState.RUNNING));
			this.reporter.started(context);
		}
		else {
			this.runs.remove(run.name);
			publish();
			report(status(run, SingletonState.STOPPED));
		}
	}

	private void beginStop(SingletonRun run, StopReason reason) {
		run.state = SingletonState.STOPPING;
		report(status(run, SingletonState.STOPPING));
		CompletableFuture<Void> done = new CompletableFuture<>();
		this.stopping.put(run.name, done);
		if (!run.launched) {
			stopped(run, reason);
			return;
		}
		ClusterSingleton bean = this.hosted.get(run.name);
		submit(run.name, () -> {
			callStop(bean, run, reason);
			onLoop(() -> stopped(run, reason));
		});
	}

	private void callStop(ClusterSingleton bean, SingletonRun run, StopReason reason) {
		if (!run.startCalled) {
			return; // stopped before its start ran: nothing to stop
		}
		try {
			bean.stop(reason);
		}
		catch (RuntimeException | Error ex) {
			logger.error("Singleton {} failed to stop cleanly on {}", run.name, this.self, ex);
		}
	}

	private void stopped(SingletonRun run, StopReason reason) {
		if (this.runs.get(run.name) == run) {
			this.runs.remove(run.name);
			publish();
		}
		report(status(run, SingletonState.STOPPED));
		if (run.launched) {
			this.reporter.stopped(run.name, reason, run.token);
		}
		CompletableFuture<Void> done = this.stopping.remove(run.name);
		if (done != null) {
			done.complete(null);
		}
	}

	private void report(SingletonStatus status) {
		SingletonStatus previous = this.statuses.get(status.name());
		if (previous != null && previous.state() == SingletonState.STOPPED && status.state() == SingletonState.STOPPED
				&& previous.fencingToken() > status.fencingToken()) {
			return; // a refusal of an old order does not hide a newer stop
		}
		this.statuses.put(status.name(), status);
		this.reporter.changed(status);
	}

	private SingletonStatus status(SingletonRun run, SingletonState state) {
		return new SingletonStatus(run.name, this.self, state, run.type, run.from, run.token, this.clock.instant());
	}

	private void publish() {
		this.published = List.copyOf(this.runs.values());
	}

	private void submit(String name, Runnable task) {
		ExecutorService executor;
		synchronized (this.executors) {
			executor = this.executors.computeIfAbsent(name,
					(n) -> Executors.newSingleThreadExecutor(new DefaultThreadFactory("cluster-singleton-" + n, true)));
		}
		try {
			executor.execute(task);
		}
		catch (RejectedExecutionException ex) {
			logger.debug("Node is shutting down; singleton {} not called", name);
		}
	}

	private void onLoop(Runnable task) {
		try {
			this.loop.execute(task);
		}
		catch (RejectedExecutionException ex) {
			logger.debug("Node is shut down; dropped a singleton update");
		}
	}

}
