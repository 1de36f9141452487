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

	private final Set<String> unreadable = ConcurrentHashMap.newKeySet();

	// confined to the strategy's thread
	private Set<NodeAddress> reported;

	private boolean failedSinceReport;

	EtcdDiscovery(EtcdRuntime runtime, DiscoveryContext context, DiscoveryListener listener) {
		this.context = context;
		this.settings = runtime.settings();
		this.listener = listener;
		// a failed read is retried at least once per poll interval
		this.view = new PrefixView(runtime, this.settings.servicePrefix(), context.pollInterval(), this);
	}

	void start() {
		this.view.start();
	}

	void refresh() {
		this.view.refresh();
	}

	@Override
	public void changed(Map<String, KeyValue> entries, boolean reread) {
		Set<NodeAddress> addresses = new HashSet<>();
		entries.forEach((key, kv) -> {
			NodeRecord record = read(key, kv);
			if (record != null) {
				addresses.add(record.address());
			}
		});
		if (reread || this.failedSinceReport || !addresses.equals(this.reported)) {
			this.reported = Set.copyOf(addresses);
			this.failedSinceReport = false;
			logger.debug("[{}] etcd lists {}", this.context.topology(), this.reported);
			try {
				this.listener.discovered(this.reported);
			}
			catch (RuntimeException ex) {
				logger.warn("[{}] discovery listener failed", this.context.topology(), ex);
			}
		}
	}

	@Override
	public void failed(Throwable error) {
		this.failedSinceReport = true;
		try {
			this.listener.failed(EtcdRuntime.unwrap(error));
		}
		catch (RuntimeException ex) {
			logger.warn("[{}] discovery listener failed", this.context.topology(), ex);
		}
	}

	private NodeRecord read(String key, KeyValue kv) {
		String name = this.settings.nodeName(key);
		if (name == null) {
			return null; // the election's keys, one level deeper
		}
		try {
			NodeRecord record = NodeRecord.parse(EtcdRuntime.text(kv.getValue()));
			if (!record.name().equals(name)) {
				throw new IllegalArgumentException("it names " + record.name());
			}
			this.unreadable.remove(key);
			return record;
		}
		catch (IllegalArgumentException ex) {
			if (this.unreadable.add(key)) {
				logger.warn("[{}] ignoring {}: not a registration of this node name ({})", this.context.topology(),
						key, ex.getMessage());
			}
			return null;
		}
	}

	@Override
	public void close() {
		this.view.close();
	}

}
