package dev.clustering.discovery.etcd;

import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import io.etcd.jetcd.KeyValue;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.clustering.discovery.DiscoveryContext;
import dev.clustering.discovery.DiscoveryListener;
import dev.clustering.discovery.NodeRecord;
import dev.clustering.membership.NodeAddress;

/**
 * A discovery watch: every registration under {@code <prefix>/<service>/}, reported to the listener
 * as a full answer (the addresses of all registered nodes) after each read and each change.
 */
final class EtcdDiscovery implements AutoCloseable, PrefixView.Listener {

	private static final Logger logger = LoggerFactory.getLogger(EtcdDiscovery.class);

	private final DiscoveryContext context;

	private final EtcdSettings settings;

	private final DiscoveryListener listener;

	private final PrefixView view;

	// keys whose value could not be read, with the revision of that value: each is logged and counted once
	private final Map<String, Long> unreadable = new ConcurrentHashMap<>();

	// confined to the strategy's thread
	private Set<NodeAddress> reported;

	private boolean failedSinceReport;

	EtcdDiscovery(EtcdRuntime runtime, DiscoveryContext context, DiscoveryListener listener) {
		this.context = context;
		this.settings = runtime.settings();
		this.listener = listener;
		// a failed read is retried at least once per poll interval
		this.view = new PrefixView(runtime, context.topology(), this.settings.servicePrefix(), context.pollInterval(),
				this);
	}

	void start() {
		this.view.start();
	}

	void refresh() {
		this.view.refresh();
	}

	// Anything may be written under the prefix: a record that cannot be read is skipped, and nothing
	// thrown here (an Error included) may end the watch or the answers about the other nodes.
	@Override
	public void changed(Map<String, KeyValue> entries, boolean reread) {
		try {
			Set<NodeAddress> addresses = new HashSet<>();
			entries.forEach((key, kv) -> {
				NodeRecord record = read(key, kv);
				if (record != null) {
					addresses.add(record.address());
				}
			});
			this.unreadable.keySet().retainAll(entries.keySet());
			if (reread || this.failedSinceReport || !addresses.equals(this.reported)) {
				this.reported = Set.copyOf(addresses);
				this.failedSinceReport = false;
				logger.debug("[{}] etcd lists {}", this.context.topology(), this.reported);
				try {
					this.listener.discovered(this.reported);
				}
				catch (Throwable ex) {
					logger.warn("[{}] discovery listener failed", this.context.topology(), ex);
					this.reported = null;
					count(ex);
				}
			}
		}
		catch (Throwable ex) {
			logger.error("[{}] reading etcd's registrations failed; the next change is read anew",
					this.context.topology(), ex);
			this.reported = null;
			count(ex);
		}
	}

	@Override
	public void failed(Throwable error) {
		this.failedSinceReport = true;
		count(EtcdRuntime.unwrap(error));
	}

	// the topology's error count, and its lastError until the next answer
	private void count(Throwable error) {
		try {
			this.listener.failed(error);
		}
		catch (Throwable ex) {
			logger.warn("[{}] discovery listener failed", this.context.topology(), ex);
		}
	}

	private NodeRecord read(String key, KeyValue kv) {
		try {
			String name = this.settings.nodeName(key);
			if (name == null) {
				return null; // the election's keys, one level deeper
			}
			NodeRecord record = NodeRecord.parse(EtcdRuntime.text(kv.getValue()));
			if (!record.name().equals(name)) {
				throw new IllegalArgumentException("it names " + record.name());
			}
			this.unreadable.remove(key);
			return record;
		}
		catch (Throwable ex) {
			Long revision = revision(kv);
			if (!revision.equals(this.unreadable.put(key, revision))) {
				String reason = (ex instanceof IllegalArgumentException) ? ex.getMessage() : ex.toString();
				if (ex instanceof IllegalArgumentException) {
					logger.warn("[{}] ignoring {}: not a registration of this node name ({})",
							this.context.topology(), key, reason);
				}
				else {
					logger.error("[{}] ignoring {}: reading it failed", this.context.topology(), key, ex);
				}
				count(new IllegalArgumentException("ignoring " + key + ": " + reason, ex));
			}
			return null;
		}
	}

	private static Long revision(KeyValue kv) {
		try {
			return kv.getModRevision();
		}
		catch (Throwable ex) {
			return -1L;
		}
	}

	@Override
	public void close() {
		this.view.close();
	}

}
