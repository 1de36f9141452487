package dev.clustering.discovery.consul;

import java.io.IOException;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.clustering.discovery.DiscoveryContext;
import dev.clustering.discovery.DiscoveryListener;
import dev.clustering.discovery.ElectionCapable;
import dev.clustering.discovery.RegistryListener;
import dev.clustering.discovery.RegistryStrategy;

/**
 * Nodes register in Consul and learn of each other by blocking queries (reception's
 * {@code DialConsul}, {@code Register}, {@code ListServices}, {@code NewWatcher}), and leadership is
 * decided by a Consul session lock with fencing tokens ({@code Elector}).
 * <ul>
 * <li>Registration: a service instance (id = node name, the cluster address and port, the node's
 * metadata as service meta) with a TTL check the node passes every third of its TTL; a graceful
 * stop deregisters at once (see {@link ConsulRegistration}). Consul's DNS then serves the service's
 * SRV records, which the {@code dns-srv} strategy can read.</li>
 * <li>Discovery: blocking queries on the service's passing instances (see
 * {@link ConsulDiscovery}).</li>
 * <li>Election: see {@link #campaign}.</li>
 * </ul>
 * Consul being down never throws out of this strategy: every handle is returned at once and keeps
 * trying; each tells its listener what it cannot vouch for (registry lost, leadership unknown,
 * discovery failed) and when it is back. The API is not owned: whoever built it closes what it
 * holds, after closing this strategy.
 */
public final class ConsulStrategy implements RegistryStrategy, ElectionCapable, AutoCloseable {

	/** The name to select this strategy with. */
	public static final String NAME = "consul";

	private static final Logger logger = LoggerFactory.getLogger(ConsulStrategy.class);

	private final ConsulRuntime runtime;

	private final Set<ConsulDiscovery> watches = ConcurrentHashMap.newKeySet();

	/**
	 * Creates the strategy.
	 * @param api the Consul calls
	 * @param settings the service, prefix and timings
	 */
	public ConsulStrategy(ConsulApi api, ConsulSettings settings) {
		this.runtime = new ConsulRuntime(Objects.requireNonNull(api, "api"), Objects.requireNonNull(settings, "settings"));
	}

	/**
	 * The settings.
	 * @return the service, prefix and timings
	 */
	public ConsulSettings settings() {
		return this.runtime.settings();
	}

	/**
	 * Checks that Consul answers (for {@code fail-fast}).
	 * @throws IOException if it does not
	 */
	public void checkReachable() throws IOException {
		this.runtime.api().readKey(this.runtime.settings().leaderKey(), 0, this.runtime.settings().blockingWait());
	}

	/**
	 * Registers this node as an instance of the service with a TTL check. Returns at once.
	 * @param context the topology, with this node's name and address
	 * @param listener hears when the registration is lost or restored
	 * @return deregisters
	 */
	@Override
	public AutoCloseable register(DiscoveryContext context, RegistryListener listener) {
		ConsulRegistration registration = new ConsulRegistration(this.runtime, context, listener);
		registration.start();
		return registration;
	}

	/**
	 * Reports the addresses of the service's passing instances, now and after each change. Returns
	 * at once.
	 * @param context the topology
	 * @param listener where to report
	 * @return stops watching
	 */
	@Override
	public AutoCloseable watch(DiscoveryContext context, DiscoveryListener listener) {
		ConsulDiscovery discovery = new ConsulDiscovery(this.runtime, context, listener);
		this.watches.add(discovery);
		discovery.start();
		return () -> {
			this.watches.remove(discovery);
			discovery.close();
		};
	}

	/**
	 * Reports the last answer again.
	 */
	@Override
	public void refresh() {
		this.watches.forEach(ConsulDiscovery::report);
	}

	/**
	 * Joins the election: a session bound to this node's check, and a KV acquire of
	 * {@code <prefix>/<service>/leader}; whoever holds the lock leads, with the key's
	 * {@code ModifyIndex} as fencing token (see {@link ConsulCampaign}). Returns at once.
	 * @param context the topology, with this node's name
	 * @param listener hears who leads
	 * @return closing destroys the session, releasing the lock
	 */
	@Override
	public AutoCloseable campaign(DiscoveryContext context, ElectionListener listener) {
		ConsulCampaign campaign = new ConsulCampaign(this.runtime, context, listener);
		campaign.start();
		return campaign;
	}

	/**
	 * Ends the candidacy and registration of a node whose process died: destroys its session if it
	 * holds the lock (releasing it at once, so the next candidate leads in milliseconds instead of
	 * after the check's TTL) and deregisters its instance through this node's agent (which holds it
	 * when the nodes share an agent; otherwise it leaves discovery when its check turns critical). A
	 * node that was in fact alive registers and campaigns again when it notices, and is fenced off by
	 * its stale token meanwhile. Returns at once; what was done is logged.
	 * @param context the topology
	 * @param nodeName the node that died
	 */
	@Override
	public void nodeCrashed(DiscoveryContext context, String nodeName) {
		if (nodeName == null || nodeName.isEmpty() || nodeName.equals(context.self().name())) {
			return;
		}
		long started = System.nanoTime();
		this.runtime.execute(() -> {
			String key = this.runtime.settings().leaderKey();
			try {
				Optional<ConsulApi.KeyValue> value = this.runtime.api().readKey(key, 0, this.runtime.settings().blockingWait())
					.value();
				if (value.isPresent() && nodeName.equals(value.get().value()) && value.get().session() != null
						&& !value.get().session().isEmpty()) {
					this.runtime.api().destroySession(value.get().session());
					logger.info("[{}] destroyed the Consul session of crashed leader {} in {} ms", context.topology(),
							nodeName, TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started));
				}
			}
			catch (IOException | RuntimeException ex) {
				logger.warn("[{}] could not end the Consul session of crashed node {} ({}); it ends when its check "
						+ "turns critical", context.topology(), nodeName, ConsulRuntime.describe(ex));
			}
			try {
				this.runtime.api().deregister(nodeName);
				logger.info("[{}] deregistered crashed node {} from Consul", context.topology(), nodeName);
			}
			catch (IOException | RuntimeException ex) {
				logger.debug("[{}] could not deregister crashed node {} through this agent ({})", context.topology(),
						nodeName, ConsulRuntime.describe(ex));
			}
		});
	}

	/**
	 * Stops this strategy's threads. Close the handles first (the engine does when its topology
	 * stops): handles still open are stopped without a word to Consul, as if the process had died.
	 */
	@Override
	public void close() {
		this.watches.forEach(ConsulDiscovery::close);
		this.runtime.close();
	}

	@Override
	public String toString() {
		return "ConsulStrategy[" + settings().service() + "]";
	}

}
