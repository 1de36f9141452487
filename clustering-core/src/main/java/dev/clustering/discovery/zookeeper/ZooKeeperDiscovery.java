package dev.clustering.discovery.zookeeper;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.recipes.cache.ChildData;
import org.apache.curator.framework.state.ConnectionState;
import org.apache.curator.framework.state.ConnectionStateListener;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.clustering.discovery.DiscoveryContext;
import dev.clustering.discovery.DiscoveryListener;
import dev.clustering.discovery.NodeRecord;
import dev.clustering.membership.NodeAddress;

/**
 * Discovery by watch: a Curator cache of {@code <root>/<service>/members} (read, then watched; read
 * anew after each reconnection, see {@link FreshCache}), and after each complete read, after every change, the full set of registered addresses goes to the
 * listener. A znode that does not hold a valid {@link NodeRecord}, or one that names another node
 * than its znode does, is skipped, logged and reported as a failure (once per version of it), and
 * discovery goes on. While the connection is
 * suspended or lost the listener hears a failure, never an empty set: a node that cannot see
 * ZooKeeper keeps its members. Thread-safe: the cache's thread and Curator's connection thread call
 * in, and reports are serialized.
 */
final class ZooKeeperDiscovery implements AutoCloseable, ConnectionStateListener {

	private static final Logger logger = LoggerFactory.getLogger(ZooKeeperDiscovery.class);

	private final ZooKeeperRuntime runtime;

	private final DiscoveryContext context;

	private final DiscoveryListener listener;

	private final FreshCache cache;

	// znodes that hold no registration of their node, with the version last warned about (bounded by the cache)
	private final Map<String, Long> unreadable = new HashMap<>();

	private volatile boolean connected = true;

	ZooKeeperDiscovery(ZooKeeperRuntime runtime, DiscoveryContext context, DiscoveryListener listener) {
		this.runtime = runtime;
		this.context = context;
		this.listener = listener;
		this.cache = new FreshCache(runtime.client(), runtime.settings().membersPath(), this::report);
	}

	void start() {
		this.runtime.client().getConnectionStateListenable().addListener(this);
		this.cache.start();
	}

	/** Reports what the cache holds now. */
	synchronized void report() {
		if (!this.cache.initialized() || !this.connected) {
			return;
		}
		Set<NodeAddress> addresses = new HashSet<>();
		Set<String> seen = new HashSet<>();
		this.cache.stream().forEach((child) -> {
			seen.add(child.getPath());
			NodeAddress address = address(child);
			if (address != null) {
				addresses.add(address);
			}
		});
		this.unreadable.keySet().retainAll(seen);
		try {
			this.listener.discovered(addresses);
		}
		catch (RuntimeException ex) {
			logger.warn("[{}] discovery listener failed", this.context.topology(), ex);
		}
	}

	// the address a member's znode holds; null for the parent, and (with a warning and a failure
	// reported, once per version of the znode) for anything that is not a registration of its node
	private NodeAddress address(ChildData child) {
		String path = child.getPath();
		if (path.equals(this.runtime.settings().membersPath())) {
			return null;
		}
		try {
			String name = this.runtime.settings().nodeName(path);
			if (name == null) {
				throw new IllegalArgumentException("only " + this.runtime.settings().membersPath()
						+ "/<node name> are registrations");
			}
			byte[] data = child.getData();
			NodeRecord record = NodeRecord.parse((data != null) ? new String(data, StandardCharsets.UTF_8) : null);
			if (!record.name().equals(name)) {
				throw new IllegalArgumentException("it names " + record.name());
			}
			this.unreadable.remove(path);
			return record.address();
		}
		catch (Throwable ex) {
			Long version = (child.getStat() != null) ? child.getStat().getMzxid() : -1L;
			if (!version.equals(this.unreadable.put(path, version))) {
				String reason = (ex instanceof IllegalArgumentException) ? ex.getMessage() : ex.toString();
				logger.warn("[{}] ignoring {}: not a registration of this node name ({})", this.context.topology(), path,
						reason);
				try {
					this.listener.failed(new IllegalArgumentException("ignoring " + path + ": " + reason, ex));
				}
				catch (RuntimeException failure) {
					logger.warn("[{}] discovery listener failed", this.context.topology(), failure);
				}
			}
			return null;
		}
	}

	@Override
	public void stateChanged(CuratorFramework client, ConnectionState state) {
		if (state == ConnectionState.SUSPENDED || state == ConnectionState.LOST) {
			this.connected = false;
			logger.warn("[{}] ZooKeeper connection {}: keeping the members known so far", this.context.topology(),
					state.name().toLowerCase());
			try {
				this.listener.failed(new IOException("the connection to ZooKeeper is " + state.name().toLowerCase()));
			}
			catch (RuntimeException ex) {
				logger.warn("[{}] discovery listener failed", this.context.topology(), ex);
			}
		}
		else if (state.isConnected()) {
			// the fresh cache reports once it holds everything
			this.connected = true;
		}
	}

	@Override
	public void close() {
		this.runtime.client().getConnectionStateListenable().removeListener(this);
		this.cache.close();
	}

}
