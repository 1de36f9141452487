package dev.clustering.discovery.zookeeper;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import org.apache.curator.framework.CuratorFramework;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.data.Stat;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.clustering.discovery.DiscoveryContext;

/**
 * What the strategy's parts share: the Curator client (not owned), the settings, the
 * {@link SessionClock} with a thread of its own for its pings, and one more thread for clean-ups
 * that may wait on ZooKeeper (neither is Curator's event thread or the engine's).
 */
final class ZooKeeperRuntime {

	private static final Logger logger = LoggerFactory.getLogger(ZooKeeperRuntime.class);

	private final CuratorFramework client;

	private final ZooKeeperSettings settings;

	private final ScheduledExecutorService executor;

	private final ScheduledExecutorService pings;

	private final SessionClock sessionClock;

	ZooKeeperRuntime(CuratorFramework client, ZooKeeperSettings settings, Duration pingInterval) {
		this.client = client;
		this.settings = settings;
		this.executor = daemonThread("clustering-zookeeper");
		// pings have a thread of their own: a clean-up waiting on an unreachable ZooKeeper never delays them
		this.pings = daemonThread("clustering-zookeeper-ping");
		this.sessionClock = new SessionClock(client, this.pings, pingInterval.toNanos());
	}

	private static ScheduledExecutorService daemonThread(String name) {
		return Executors.newSingleThreadScheduledExecutor((task) -> {
			Thread thread = new Thread(task, name);
			thread.setDaemon(true);
			return thread;
		});
	}

	CuratorFramework client() {
		return this.client;
	}

	ZooKeeperSettings settings() {
		return this.settings;
	}

	SessionClock sessionClock() {
		return this.sessionClock;
	}

	void execute(Runnable task) {
		try {
			this.executor.execute(task);
		}
		catch (RuntimeException ex) {
			// closing
		}
	}

	/**
	 * Deletes, on the strategy's thread, the ephemeral znodes at a path (or its children whose data is
	 * a given node name) that another session owns: what a dead process left behind.
	 * @param context the topology, for the log
	 * @param path a znode, or (with {@code childrenNamed}) the parent of candidates' znodes
	 * @param childrenNamed delete the children holding this node name instead of the znode itself
	 */
	void deleteStale(DiscoveryContext context, String path, String childrenNamed) {
		execute(() -> {
			try {
				this.client.blockUntilConnected(10, TimeUnit.SECONDS);
				int deleted = deleteForeign(path, childrenNamed);
				if (deleted > 0) {
					logger.info("[{}] deleted {} znode(s) an earlier process of {} left under {}", context.topology(),
							deleted, context.self().name(), path);
				}
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
			}
			catch (Exception ex) {
				logger.debug("[{}] could not look for stale znodes under {}: {}", context.topology(), path,
						describe(ex));
			}
		});
	}

	/**
	 * Deletes the ephemeral znodes at a path, or its children holding a node name, that belong to
	 * another session than this client's. Blocking: call on the strategy's thread.
	 * @param path the znode, or the parent
	 * @param childrenNamed with a parent, the node name the children hold; else {@code null}
	 * @return how many were deleted
	 * @throws Exception if ZooKeeper cannot be asked
	 */
	int deleteForeign(String path, String childrenNamed) throws Exception {
		long own = this.sessionClock.session();
		if (own == 0) {
			return 0;
		}
		List<String> paths = new ArrayList<>();
		if (childrenNamed == null) {
			paths.add(path);
		}
		else {
			try {
				this.client.getChildren().forPath(path).forEach((child) -> paths.add(path + "/" + child));
			}
			catch (KeeperException.NoNodeException ex) {
				return 0;
			}
		}
		int deleted = 0;
		for (String candidate : paths) {
			Stat stat = new Stat();
			byte[] data;
			try {
				data = this.client.getData().storingStatIn(stat).forPath(candidate);
			}
			catch (KeeperException.NoNodeException ex) {
				continue;
			}
			boolean named = childrenNamed == null
					|| childrenNamed.equals(new String((data != null) ? data : new byte[0], StandardCharsets.UTF_8));
			if (named && stat.getEphemeralOwner() != 0 && stat.getEphemeralOwner() != own) {
				try {
					this.client.delete().withVersion(stat.getVersion()).forPath(candidate);
					deleted++;
				}
				catch (KeeperException.NoNodeException | KeeperException.BadVersionException ex) {
					// gone or replaced meanwhile
				}
			}
		}
		return deleted;
	}

	void close() {
		this.sessionClock.stop();
		for (ScheduledExecutorService threads : List.of(this.pings, this.executor)) {
			threads.shutdownNow();
			try {
				threads.awaitTermination(5, TimeUnit.SECONDS);
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
			}
		}
	}

	static String describe(Throwable error) {
		if (error instanceof KeeperException keeper) {
			return keeper.code() + ((keeper.getPath() != null) ? " at " + keeper.getPath() : "");
		}
		return (error.getMessage() != null) ? error.getClass().getSimpleName() + ": " + error.getMessage()
				: error.getClass().getSimpleName();
	}

}
