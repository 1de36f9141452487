package dev.clustering.discovery.consul;

import java.io.IOException;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ScheduledFuture;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.clustering.discovery.DiscoveryContext;
import dev.clustering.discovery.LeaseBound;
import dev.clustering.discovery.RegistryListener;

/**
 * This node's registration: a service instance (id = node name, the cluster address and port, the
 * node's metadata as service meta, and {@value #NODE_META} = node name) with a TTL check, passed
 * every third of its TTL from the scheduler thread. A failed pass reports the registration lost at
 * once; an agent that no longer knows the check (restarted without its data, or someone
 * deregistered the node) gets the registration again, and the next pass reports it restored.
 * Closing deregisters at once. Thread-safe: the scheduler thread works; any thread reads.
 */
final class ConsulRegistration implements AutoCloseable, LeaseBound {

	/** The service meta key that names the node an instance registers. */
	static final String NODE_META = "cluster-node";

	private static final Logger logger = LoggerFactory.getLogger(ConsulRegistration.class);

	private static final Duration DEREGISTER_TIMEOUT = Duration.ofSeconds(5);

	private final ConsulRuntime runtime;

	private final DiscoveryContext context;

	private final RegistryListener listener;

	private final ConsulApi.Registration registration;

	private final long ttlNanos;

	private volatile ScheduledFuture<?> task;

	private volatile boolean registered;

	private volatile boolean everPassed;

	private volatile boolean lost;

	private volatile boolean closed;

	// the last reason the first registration failed, logged once (scheduler thread only)
	private String lastRefusal;

	// send time of the last pass the agent answered
	private volatile long passedAtNanos;

	ConsulRegistration(ConsulRuntime runtime, DiscoveryContext context, RegistryListener listener) {
		this.runtime = runtime;
		this.context = context;
		this.listener = listener;
		ConsulSettings settings = runtime.settings();
		Map<String, String> meta = consulMeta(context.self().metadata());
		meta.put(NODE_META, context.self().name());
		this.registration = new ConsulApi.Registration(context.self().name(), settings.service(),
				context.self().address().host(), context.self().address().port(), settings.tags(), meta,
				settings.checkTtl(), settings.deregisterCriticalAfter());
		this.ttlNanos = settings.checkTtl().toNanos();
	}

	/**
	 * The node's metadata as Consul takes service meta: keys of letters, digits, {@code _} and
	 * {@code -} (other characters become {@code _}), at most 128 characters, values at most 512, at
	 * most 63 pairs (the 64th is {@value #NODE_META}); what does not fit is left out.
	 * @param metadata the node's metadata
	 * @return service meta
	 */
	static Map<String, String> consulMeta(Map<String, String> metadata) {
		Map<String, String> meta = new HashMap<>();
		new TreeMap<>(metadata).forEach((key, value) -> {
			String safe = key.replaceAll("[^A-Za-z0-9_-]", "_");
			if (!safe.isEmpty() && safe.length() <= 128 && !safe.startsWith("consul-") && !safe.equals(NODE_META)
					&& value != null && value.length() <= 512 && meta.size() < 63) {
				meta.putIfAbsent(safe, value);
			}
		});
		return meta;
	}

	void start() {
		this.runtime.registered(this.registration.id(), this);
		this.task = this.runtime.every(this::tick, this.runtime.settings().checkTtl().dividedBy(3));
	}

	private void tick() {
		if (this.closed) {
			return;
		}
		try {
			if (!this.registered) {
				this.runtime.api().register(this.registration);
				this.registered = true;
				logger.debug("[{}] registered {} as {} in Consul", this.context.topology(), this.registration.id(),
						this.registration.name());
			}
			long sent = System.nanoTime();
			if (this.runtime.api().passCheck(this.registration.checkId())) {
				this.passedAtNanos = sent;
				this.everPassed = true;
				if (this.lost) {
					this.lost = false;
					logger.info("[{}] registered again in Consul ({})", this.context.topology(), this.registration.id());
					notifyListener(true, null);
				}
			}
			else {
				// the agent forgot the check: register again at the next tick
				this.registered = false;
				lose(new IOException("the Consul agent no longer knows check " + this.registration.checkId()));
			}
		}
		catch (IOException | RuntimeException ex) {
			lose(ex);
		}
	}

	private void lose(Exception error) {
		if (this.closed || this.lost || !this.everPassed) {
			String message = ConsulRuntime.describe(error);
			if (!this.everPassed && !this.closed && !message.equals(this.lastRefusal)) {
				this.lastRefusal = message;
				logger.warn("[{}] not registered in Consul yet: {}", this.context.topology(), message);
			}
			return;
		}
		this.lost = true;
		logger.warn("[{}] Consul registration of {} cannot be vouched for: {}", this.context.topology(),
				this.registration.id(), ConsulRuntime.describe(error));
		notifyListener(false, error);
	}

	private void notifyListener(boolean restored, Exception error) {
		try {
			if (restored) {
				this.listener.registryRestored();
			}
			else {
				this.listener.registryLost(error);
			}
		}
		catch (RuntimeException ex) {
			logger.warn("[{}] registry listener failed", this.context.topology(), ex);
		}
	}

	/**
	 * Until when the check is passing as far as this node knows: the send time of the last answered
	 * pass plus the check's TTL, less a margin.
	 */
	@Override
	public long validUntilNanos() {
		if (!this.registered || this.lost || !this.everPassed || this.closed) {
			return Long.MIN_VALUE;
		}
		return this.passedAtNanos + this.ttlNanos - ConsulRuntime.marginNanos(this.runtime.settings().checkTtl());
	}

	private void deregister() {
		try {
			this.runtime.api().deregister(this.registration.id());
			logger.debug("[{}] deregistered {} from Consul", this.context.topology(), this.registration.id());
		}
		catch (IOException | RuntimeException ex) {
			logger.warn("[{}] could not deregister {} from Consul ({}); it goes when its check has been critical "
					+ "for {}", this.context.topology(), this.registration.id(), ConsulRuntime.describe(ex),
					this.registration.deregisterCriticalAfter());
		}
	}

	/**
	 * Stops passing the check without deregistering (the strategy closing, or a test's crash): the
	 * instance turns critical after the check's TTL.
	 */
	void stop() {
		this.closed = true;
		ScheduledFuture<?> task = this.task;
		if (task != null) {
			task.cancel(false);
		}
		this.runtime.deregistered(this.registration.id(), this);
	}

	/**
	 * Deregisters at once.
	 */
	@Override
	public void close() {
		stop();
		// on the scheduler thread, after any pass or registration under way there
		boolean done = this.runtime.runAndWait(this::deregister, DEREGISTER_TIMEOUT);
		if (!done) {
			logger.warn("[{}] could not deregister {} from Consul within {}; it goes when its check has been "
					+ "critical for {}", this.context.topology(), this.registration.id(), DEREGISTER_TIMEOUT,
					this.registration.deregisterCriticalAfter());
		}
	}

}
