package dev.clustering.discovery.consul;

import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What one {@code consul} strategy's handles share: the API, the settings, the scheduler thread,
 * and this process's registrations (by node name), whose check passes vouch for a leader's
 * session. Thread-safe.
 */
final class ConsulRuntime {

	private static final Logger logger = LoggerFactory.getLogger(ConsulRuntime.class);

	private final ConsulApi api;

	private final ConsulSettings settings;

	private final ScheduledExecutorService scheduler;

	private final Map<String, ConsulRegistration> registrations = new ConcurrentHashMap<>();

	private final Set<ConsulCampaign> campaigns = ConcurrentHashMap.newKeySet();

	ConsulRuntime(ConsulApi api, ConsulSettings settings) {
		this.api = api;
		this.settings = settings;
		this.scheduler = Executors.newSingleThreadScheduledExecutor((task) -> {
			Thread thread = new Thread(task, "cluster-topology-consul-" + settings.service());
			thread.setDaemon(true);
			return thread;
		});
	}

	ConsulApi api() {
		return this.api;
	}

	ConsulSettings settings() {
		return this.settings;
	}

	/**
	 * Runs a task now, on the scheduler thread; a failure is logged, never thrown.
	 * @param task the task
	 */
	void execute(Runnable task) {
		if (!this.scheduler.isShutdown()) {
			this.scheduler.execute(guarded(task));
		}
	}

	/**
	 * Runs a task on the scheduler thread, after whatever runs there now, and waits for it.
	 * @param task the task
	 * @param timeout how long to wait
	 * @return whether it ran within the timeout (if not, it still runs)
	 */
	boolean runAndWait(Runnable task, Duration timeout) {
		try {
			this.scheduler.submit(guarded(task)).get(timeout.toNanos(), TimeUnit.NANOSECONDS);
			return true;
		}
		catch (RejectedExecutionException | ExecutionException | TimeoutException ex) {
			return false;
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			return false;
		}
	}

	/**
	 * Runs a task now and then at a fixed delay, on the scheduler thread.
	 * @param task the task (a failure is logged and the next run goes ahead)
	 * @param delay between the end of one run and the start of the next
	 * @return cancels it
	 */
	ScheduledFuture<?> every(Runnable task, Duration delay) {
		return this.scheduler.scheduleWithFixedDelay(guarded(task), 0, delay.toNanos(), TimeUnit.NANOSECONDS);
	}

	private static Runnable guarded(Runnable task) {
		return () -> {
			try {
				task.run();
			}
			catch (RuntimeException ex) {
				logger.error("Consul task failed", ex);
			}
		};
	}

	void registered(String nodeName, ConsulRegistration registration) {
		this.registrations.put(nodeName, registration);
	}

	void deregistered(String nodeName, ConsulRegistration registration) {
		this.registrations.remove(nodeName, registration);
	}

	/**
	 * Until when this process's registration of a node is vouched for by its check.
	 * @param nodeName the node
	 * @return monotonic nanoseconds, or {@link Long#MIN_VALUE} without a passing registration
	 */
	long registrationValidUntilNanos(String nodeName) {
		ConsulRegistration registration = this.registrations.get(nodeName);
		return (registration != null) ? registration.validUntilNanos() : Long.MIN_VALUE;
	}

	/**
	 * How much earlier than Consul this node gives up what Consul vouches for: a tenth of the time,
	 * at least 100 ms, for the clocks' drift and the answer's way back.
	 * @param ttl what Consul vouches for after each renewal
	 * @return the margin in nanoseconds
	 */
	static long marginNanos(Duration ttl) {
		return Math.max(TimeUnit.MILLISECONDS.toNanos(100), ttl.toNanos() / 10);
	}

	static String describe(Throwable error) {
		return (error.getMessage() != null) ? error.getClass().getSimpleName() + ": " + error.getMessage()
				: error.getClass().getSimpleName();
	}

	void campaigning(ConsulCampaign campaign) {
		this.campaigns.add(campaign);
	}

	void withdrawn(ConsulCampaign campaign) {
		this.campaigns.remove(campaign);
	}

	/**
	 * Stops every handle still open without a word to Consul, as if the process had died, and the
	 * scheduler.
	 */
	void close() {
		this.campaigns.forEach(ConsulCampaign::stop);
		this.registrations.values().forEach(ConsulRegistration::stop);
		this.scheduler.shutdownNow();
	}

}
