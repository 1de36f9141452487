package dev.clustering.discovery.consul;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.clustering.discovery.DiscoveryContext;
import dev.clustering.discovery.DiscoveryListener;
import dev.clustering.membership.NodeAddress;

/**
 * Watches the service's passing instances with blocking queries on a thread of its own
 * ({@code cluster-topology-consul-watch-<topology>}): each change is reported as the full set of
 * addresses, with no polling delay; a failed query is reported as a failure (the previous answer
 * stands, never an empty one) and retried with a growing pause. An instance that is not a node's
 * registration (no {@value ConsulRegistration#NODE_META} meta naming its own id, no valid address
 * or port) is logged with the topology name, reported as a failure once per version, and skipped.
 * A critical check drops a node from what is reported; live connections are the engine's business.
 */
final class ConsulDiscovery implements AutoCloseable {

	private static final Logger logger = LoggerFactory.getLogger(ConsulDiscovery.class);

	// instances skipped, remembered so each is reported once per version; bounded
	private static final int MAX_REMEMBERED = 1024;

	private final ConsulRuntime runtime;

	private final DiscoveryContext context;

	private final DiscoveryListener listener;

	private final Thread thread;

	private final Map<String, ConsulApi.Instance> skipped = new LinkedHashMap<>();

	private volatile boolean closed;

	private volatile Set<NodeAddress> last;

	ConsulDiscovery(ConsulRuntime runtime, DiscoveryContext context, DiscoveryListener listener) {
		this.runtime = runtime;
		this.context = context;
		this.listener = listener;
		this.thread = new Thread(this::run, "cluster-topology-consul-watch-" + context.topology());
		this.thread.setDaemon(true);
	}

	void start() {
		this.thread.start();
	}

	private void run() {
		long index = 0;
		Backoff backoff = new Backoff();
		boolean failing = false;
		while (!this.closed) {
			try {
				ConsulApi.Indexed<List<ConsulApi.Instance>> answer = this.runtime.api()
					.passingInstances(this.runtime.settings().service(), index, this.runtime.settings().blockingWait());
				// an index that goes back (a restarted agent) starts over, as Consul advises
				index = (answer.index() > 0 && answer.index() >= index) ? answer.index() : 0;
				if (failing) {
					failing = false;
					logger.info("[{}] Consul answers again", this.context.topology());
				}
				backoff.reset();
				report(answer.value());
			}
			catch (Exception ex) {
				if (this.closed) {
					return;
				}
				index = 0;
				// reported once per outage: the topology shows it until the next answer
				if (!failing) {
					failing = true;
					logger.warn("[{}] Consul discovery failed, keeping the members known so far: {}",
							this.context.topology(), ConsulRuntime.describe(ex));
					failed(ex);
				}
				if (!backoff.pause()) {
					return;
				}
			}
		}
	}

	private void report(List<ConsulApi.Instance> instances) {
		Set<NodeAddress> addresses = new HashSet<>();
		Set<String> ids = new HashSet<>();
		List<Exception> refused = new ArrayList<>();
		for (ConsulApi.Instance instance : instances) {
			String id = String.valueOf(instance.id());
			ids.add(id);
			try {
				addresses.add(address(instance));
				this.skipped.remove(id);
			}
			catch (IllegalArgumentException ex) {
				if (!instance.equals(this.skipped.get(id))) {
					if (this.skipped.size() >= MAX_REMEMBERED) {
						this.skipped.clear();
					}
					this.skipped.put(id, instance);
					logger.warn("[{}] ignoring Consul instance '{}' of {}: {}", this.context.topology(), shorten(id),
							this.runtime.settings().service(), ex.getMessage());
					refused.add(new IllegalArgumentException("ignoring Consul instance '" + shorten(id) + "': "
							+ ex.getMessage()));
				}
			}
		}
		this.skipped.keySet().retainAll(ids);
		boolean changed = !addresses.equals(this.last);
		if (changed) {
			this.last = Set.copyOf(addresses);
			discovered(this.last);
		}
		// after the answer, so that the topology shows what it skips until its next answer
		if (!refused.isEmpty() || (changed && !this.skipped.isEmpty())) {
			List<String> names = this.skipped.keySet().stream().limit(10).map(ConsulDiscovery::shorten).toList();
			failed(new IllegalArgumentException("ignoring " + this.skipped.size() + " Consul instance(s) of "
					+ this.runtime.settings().service() + " that are not node registrations: " + names
					+ ((refused.size() == 1) ? " (" + refused.get(0).getMessage() + ")" : "")));
		}
	}

	// the address a node registered; anything else is refused
	static NodeAddress address(ConsulApi.Instance instance) {
		String id = instance.id();
		Map<String, String> meta = (instance.meta() != null) ? instance.meta() : Map.of();
		String node = meta.get(ConsulRegistration.NODE_META);
		if (id == null || node == null || !node.equals(id)) {
			throw new IllegalArgumentException("not a node's registration (its " + ConsulRegistration.NODE_META
					+ " meta does not name its id)");
		}
		Integer port = instance.port();
		if (port == null || port < 1 || port > 65535) {
			throw new IllegalArgumentException("port " + port + " is not a cluster port");
		}
		if (instance.address() == null || instance.address().isBlank()) {
			throw new IllegalArgumentException("it has no address");
		}
		return new NodeAddress(instance.address(), port);
	}

	private static String shorten(String text) {
		return (text.length() > 100) ? text.substring(0, 100) + "..." : text;
	}

	/** Reports the last answer again. */
	void report() {
		Set<NodeAddress> known = this.last;
		if (known != null) {
			discovered(known);
		}
	}

	private void discovered(Set<NodeAddress> addresses) {
		try {
			this.listener.discovered(addresses);
		}
		catch (RuntimeException ex) {
			logger.warn("[{}] discovery listener failed", this.context.topology(), ex);
		}
	}

	private void failed(Exception error) {
		try {
			this.listener.failed(error);
		}
		catch (RuntimeException ex) {
			logger.warn("[{}] discovery listener failed", this.context.topology(), ex);
		}
	}

	@Override
	public void close() {
		this.closed = true;
		this.thread.interrupt();
	}

	/** A pause that doubles from 100 ms to 2 s while calls keep failing. */
	static final class Backoff {

		private long millis = 100;

		void reset() {
			this.millis = 100;
		}

		/**
		 * Sleeps, then doubles the next pause.
		 * @return {@code false} if interrupted (the handle is closing)
		 */
		boolean pause() {
			try {
				Thread.sleep(this.millis);
				this.millis = Math.min(2000, this.millis * 2);
				return true;
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
				return false;
			}
		}

	}

}
