package dev.clustering.discovery.zookeeper;

import java.io.IOException;
import java.time.Duration;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.imps.CuratorFrameworkState;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.clustering.discovery.DiscoveryContext;
import dev.clustering.discovery.DiscoveryListener;
import dev.clustering.discovery.ElectionCapable;
import dev.clustering.discovery.RegistryListener;
import dev.clustering.discovery.RegistryStrategy;

/**
 * Nodes register in ZooKeeper and learn of each other by watch (reception's {@code DialZk},
 * {@code ListServices}, {@code NewWatcher}), and leadership is decided by ZooKeeper with fencing
 * tokens ({@code Elector}).
 * <ul>
 * <li>Registration: an ephemeral znode {@code <root>/<service>/members/<node name>} holding the
 * node's {@link dev.clustering.discovery.NodeRecord} as JSON; a graceful stop deletes it at
 * once, a crashed node's goes with its session (or at once, see {@link #nodeCrashed}).</li>
 * <li>Discovery: a Curator cache of the members' znodes: every change is reported as the full set
 * of registered addresses, with no polling delay.</li>
 * <li>Election: see {@link #campaign}.</li>
 * </ul>
 * ZooKeeper being down never throws out of this strategy: every handle is returned at once, and
 * Curator keeps trying; each handle tells its listener what it cannot vouch for (registry lost,
 * leadership unknown, discovery failed) and when it is back. The client is shared, not owned:
 * whoever built it closes it, after closing this strategy.
 */
public final class ZooKeeperStrategy implements RegistryStrategy, ElectionCapable, AutoCloseable {

	/** The name to select this strategy with. */
	public static final String NAME = "zookeeper";

	private static final Logger logger = LoggerFactory.getLogger(ZooKeeperStrategy.class);

	private final ZooKeeperRuntime runtime;

	private final Set<ZooKeeperDiscovery> watches = ConcurrentHashMap.newKeySet();

	/**
	 * Creates the strategy.
	 * @param client a started Curator client (not closed by this strategy)
	 * @param settings where nodes register
	 * @param pingInterval how often the session is checked (see {@link #campaign}); a fifth of the
	 * session timeout or less
	 */
	public ZooKeeperStrategy(CuratorFramework client, ZooKeeperSettings settings, Duration pingInterval) {
		Objects.requireNonNull(client, "client");
		if (client.getState() != CuratorFrameworkState.STARTED) {
			throw new IllegalArgumentException("The CuratorFramework must be started (it is " + client.getState() + ")");
		}
		if (pingInterval.isNegative() || pingInterval.isZero()) {
			throw new IllegalArgumentException("pingInterval must be positive, was " + pingInterval);
		}
		this.runtime = new ZooKeeperRuntime(client, Objects.requireNonNull(settings, "settings"), pingInterval);
		this.runtime.sessionClock().start();
	}

	/**
	 * The settings.
	 * @return where nodes register
	 */
	public ZooKeeperSettings settings() {
		return this.runtime.settings();
	}

	/**
	 * Checks that ZooKeeper answers (for {@code fail-fast}).
	 * @param timeout how long to wait for a connection
	 * @throws IOException if no connection was made in time
	 */
	public void checkReachable(Duration timeout) throws IOException {
		try {
			if (!this.runtime.client().blockUntilConnected((int) timeout.toMillis(), TimeUnit.MILLISECONDS)) {
				throw new IOException("ZooKeeper did not answer within " + timeout.toMillis() + " ms");
			}
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new IOException("interrupted while reaching ZooKeeper", ex);
		}
	}

	/**
	 * Registers this node under {@code <root>/<service>/members/<node name>}. Returns at once; a lost
	 * session is reported to the listener, and the registration in a new session as restored.
	 * @param context the topology, with this node's name and address
	 * @param listener hears when the registration is lost or restored
	 * @return deletes the registration
	 */
	@Override
	public AutoCloseable register(DiscoveryContext context, RegistryListener listener) {
		ZooKeeperRegistration registration = new ZooKeeperRegistration(this.runtime, context, listener);
		registration.start();
		return registration;
	}

	/**
	 * Reports every registered node's address, now and after each change. Returns at once.
	 * @param context the topology
	 * @param listener where to report
	 * @return stops watching
	 */
	@Override
	public AutoCloseable watch(DiscoveryContext context, DiscoveryListener listener) {
		ZooKeeperDiscovery discovery = new ZooKeeperDiscovery(this.runtime, context, listener);
		this.watches.add(discovery);
		discovery.start();
		return () -> {
			this.watches.remove(discovery);
			discovery.close();
		};
	}

	/**
	 * Reports the registered addresses again.
	 */
	@Override
	public void refresh() {
		this.watches.forEach(ZooKeeperDiscovery::report);
	}

	/**
	 * Joins the election under {@code <root>/<service>/election} with an ephemeral sequential znode:
	 * the candidate whose znode is oldest leads, with that znode's creation zxid as fencing token (see
	 * {@link ZooKeeperCampaign}). This node leads only while its session is vouched for: until the send
	 * time of its latest answered ping plus the session timeout, less a margin, and never while the
	 * connection is suspended. Returns at once.
	 * @param context the topology, with this node's name
	 * @param listener hears who leads
	 * @return closing deletes the candidacy: a leader resigns, a waiting candidate withdraws
	 */
	@Override
	public AutoCloseable campaign(DiscoveryContext context, ElectionListener listener) {
		ZooKeeperCampaign campaign = new ZooKeeperCampaign(this.runtime, context, listener);
		campaign.start();
		return campaign;
	}

	/**
	 * Deletes the znodes of a node whose process died (its registration, and its candidacies), so the
	 * next candidate leads at once instead of after the session timeout. Only znodes of another
	 * session are touched, never this node's own. A node that was in fact alive creates them again
	 * when it notices (at the end of the election's queue), and is fenced off by its stale token
	 * meanwhile. Returns at once; the deletion is logged.
	 * @param context the topology
	 * @param nodeName the node that died
	 */
	@Override
	public void nodeCrashed(DiscoveryContext context, String nodeName) {
		if (nodeName == null || nodeName.isEmpty() || nodeName.indexOf('/') >= 0
				|| nodeName.equals(context.self().name())) {
			return;
		}
		long started = System.nanoTime();
		this.runtime.execute(() -> {
			try {
				int deleted = this.runtime.deleteForeign(this.runtime.settings().electionPath(), nodeName)
						+ this.runtime.deleteForeign(this.runtime.settings().memberPath(nodeName), null);
				if (deleted > 0) {
					logger.info("[{}] deleted {} znode(s) of crashed node {} in {} ms", context.topology(), deleted,
							nodeName, TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started));
				}
			}
			catch (Exception ex) {
				logger.warn("[{}] could not delete the znodes of crashed node {} ({}); they go when its session ends",
						context.topology(), nodeName, ZooKeeperRuntime.describe(ex));
			}
		});
	}

	/**
	 * Stops this strategy's thread. Close the handles first (the engine does when its topology stops).
	 */
	@Override
	public void close() {
		this.runtime.close();
	}

	@Override
	public String toString() {
		return "ZooKeeperStrategy[" + settings().servicePath() + "]";
	}

}
