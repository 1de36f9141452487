package dev.clustering.discovery.zookeeper;

import java.io.IOException;
import java.nio.charset.StandardCharsets;

import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.recipes.nodes.PersistentNode;
import org.apache.curator.framework.state.ConnectionState;
import org.apache.curator.framework.state.ConnectionStateListener;
import org.apache.zookeeper.CreateMode;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.clustering.discovery.DiscoveryContext;
import dev.clustering.discovery.LeaseBound;
import dev.clustering.discovery.RegistryListener;
import dev.clustering.discovery.NodeRecord;

/**
 * This node's registration: an ephemeral znode {@code <root>/<service>/members/<node name>} holding
 * its {@link NodeRecord}, kept by Curator's {@link PersistentNode} (created again in each new
 * session, and whenever someone deletes it). A lost session is reported as a lost registration, and
 * the znode's return in a new session as restored. Closing deletes it at once. A znode of the same
 * name left by an earlier process (restarted within its session timeout) is deleted, so this one
 * registers without waiting for that session to expire. Thread-safe: Curator's threads call in.
 */
final class ZooKeeperRegistration implements AutoCloseable, LeaseBound, ConnectionStateListener {

	private static final Logger logger = LoggerFactory.getLogger(ZooKeeperRegistration.class);

	private final ZooKeeperRuntime runtime;

	private final DiscoveryContext context;

	private final RegistryListener listener;

	private final String path;

	private final PersistentNode node;

	private volatile boolean registered;

	private volatile boolean lost;

	ZooKeeperRegistration(ZooKeeperRuntime runtime, DiscoveryContext context, RegistryListener listener) {
		this.runtime = runtime;
		this.context = context;
		this.listener = listener;
		this.path = runtime.settings().memberPath(context.self().name());
		byte[] record = NodeRecord.of(context.self()).toJson().getBytes(StandardCharsets.UTF_8);
		this.node = new PersistentNode(runtime.client(), CreateMode.EPHEMERAL, false, this.path, record);
		this.node.getListenable().addListener((created) -> created());
	}

	void start() {
		this.runtime.client().getConnectionStateListenable().addListener(this);
		this.node.start();
		this.runtime.deleteStale(this.context, this.path, null);
	}

	private void created() {
		this.registered = true;
		logger.debug("[{}] registered {}", this.context.topology(), this.path);
		if (this.lost) {
			this.lost = false;
			logger.info("[{}] registered again in ZooKeeper ({})", this.context.topology(), this.path);
			try {
				this.listener.registryRestored();
			}
			catch (RuntimeException ex) {
				logger.warn("[{}] registry listener failed", this.context.topology(), ex);
			}
		}
	}

	@Override
	public void stateChanged(CuratorFramework client, ConnectionState state) {
		if (state == ConnectionState.LOST && !this.lost) {
			this.registered = false;
			this.lost = true;
			logger.warn("[{}] ZooKeeper session lost: {} is gone until a new session registers it again",
					this.context.topology(), this.path);
			try {
				this.listener.registryLost(new IOException("the ZooKeeper session was lost"));
			}
			catch (RuntimeException ex) {
				logger.warn("[{}] registry listener failed", this.context.topology(), ex);
			}
		}
	}

	@Override
	public long validUntilNanos() {
		return this.registered ? this.runtime.sessionClock().validUntilNanos() : Long.MIN_VALUE;
	}

	/**
	 * Deregisters: the znode is deleted at once.
	 */
	@Override
	public void close() {
		this.runtime.client().getConnectionStateListenable().removeListener(this);
		this.registered = false;
		try {
			this.node.close();
			logger.debug("[{}] deregistered {}", this.context.topology(), this.path);
		}
		catch (IOException | RuntimeException ex) {
			logger.warn("[{}] could not delete {} ({}); it goes when the session ends", this.context.topology(),
					this.path, ZooKeeperRuntime.describe(ex));
		}
	}

}
