package dev.clustering.discovery.zookeeper;

import java.util.stream.Stream;

import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.recipes.cache.ChildData;
import org.apache.curator.framework.recipes.cache.CuratorCache;
import org.apache.curator.framework.recipes.cache.CuratorCacheListener;
import org.apache.curator.framework.state.ConnectionState;
import org.apache.curator.framework.state.ConnectionStateListener;

/**
 * A Curator cache of one path (the path and everything under it) that is read afresh after every
 * reconnection: a cache that lived through a lost connection may still hold znodes that ended with
 * a session meanwhile (a dead leader's candidacy would seem to lead for good), so a new cache
 * replaces it, and until the new one has read everything it holds nothing. The owner hears
 * {@code changed} after every change and after each complete read. Thread-safe.
 */
final class FreshCache implements ConnectionStateListener, AutoCloseable {

	private final CuratorFramework client;

	private final String path;

	private final Runnable changed;

	private CuratorCache cache;

	private boolean initialized;

	private boolean closed;

	FreshCache(CuratorFramework client, String path, Runnable changed) {
		this.client = client;
		this.path = path;
		this.changed = changed;
	}

	void start() {
		this.client.getConnectionStateListenable().addListener(this);
		rebuild();
	}

	/**
	 * Whether the cache has read everything once since it was (re)built.
	 * @return whether it is complete
	 */
	synchronized boolean initialized() {
		return this.initialized;
	}

	/**
	 * What the cache holds: the path itself and every znode under it.
	 * @return the znodes, none until the cache is complete
	 */
	synchronized Stream<ChildData> stream() {
		return (this.initialized && this.cache != null) ? this.cache.stream().toList().stream() : Stream.empty();
	}

	private void rebuild() {
		CuratorCache previous;
		CuratorCache next = CuratorCache.build(this.client, this.path);
		synchronized (this) {
			if (this.closed) {
				return;
			}
			previous = this.cache;
			this.cache = next;
			this.initialized = false;
		}
		next.listenable().addListener(CuratorCacheListener.builder().forAll((type, before, after) -> {
			if (current(next)) {
				this.changed.run();
			}
		}).forInitialized(() -> {
			synchronized (this) {
				if (this.cache != next) {
					return;
				}
				this.initialized = true;
			}
			this.changed.run();
		}).build());
		next.start();
		if (previous != null) {
			previous.close();
		}
	}

	private synchronized boolean current(CuratorCache cache) {
		return this.cache == cache && this.initialized;
	}

	@Override
	public void stateChanged(CuratorFramework client, ConnectionState state) {
		if (state == ConnectionState.RECONNECTED) {
			rebuild();
		}
	}

	@Override
	public void close() {
		CuratorCache last;
		synchronized (this) {
			this.closed = true;
			last = this.cache;
			this.cache = null;
			this.initialized = false;
		}
		this.client.getConnectionStateListenable().removeListener(this);
		if (last != null) {
			last.close();
		}
	}

}
