package dev.clustering.discovery.etcd;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ScheduledFuture;

import io.etcd.jetcd.KeyValue;
import io.etcd.jetcd.Watch;
import io.etcd.jetcd.options.GetOption;
import io.etcd.jetcd.options.WatchOption;
import io.etcd.jetcd.watch.WatchEvent;
import io.etcd.jetcd.watch.WatchResponse;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Every key under a prefix, kept current on the strategy's thread: read once, then watched from the
 * revision of that read, so no change is missed or seen twice. When the watch breaks (etcd down,
 * the revision compacted) the prefix is read again and watched from the new read, with a growing
 * pause between failed attempts (cut short when one of the strategy's leases is restored, since
 * etcd answers again): a full answer replaces whatever the broken watch would have delivered, so
 * nothing is missed and nothing invented. A listener that throws (anything, an {@link Error}
 * included) is logged with the topology's name and handled as a broken watch: read anew after a pause.
 */
final class PrefixView {

	/**
	 * Hears the view. Called on the strategy's thread.
	 */
	interface Listener {

		/**
		 * The keys changed, or were read anew.
		 * @param entries every key under the prefix now, with its value
		 * @param reread whether this is a full read rather than a watched change
		 */
		void changed(Map<String, KeyValue> entries, boolean reread);

		/**
		 * A read or the watch failed; the view tries again.
		 * @param error what went wrong
		 */
		void failed(Throwable error);

	}

	private static final Logger logger = LoggerFactory.getLogger(PrefixView.class);

	private static final Duration FIRST_RETRY = Duration.ofMillis(250);

	private final EtcdRuntime runtime;

	private final String topology;

	private final String prefix;

	private final Duration maxRetry;

	private final Listener listener;

	private final Map<String, KeyValue> entries = new HashMap<>();

	private volatile boolean closed;

	// confined to the strategy's thread
	private Watch.Watcher watcher;

	private int generation;

	private Duration retry = FIRST_RETRY;

	private ScheduledFuture<?> pendingRead;

	private Runnable stopHearingReachable;

	/**
	 * Creates a view; nothing is read until {@link #start()}.
	 * @param runtime the strategy's runtime
	 * @param topology the topology's name, for logs
	 * @param prefix the key prefix
	 * @param maxRetry the longest pause between failed attempts
	 * @param listener hears the changes
	 */
	PrefixView(EtcdRuntime runtime, String topology, String prefix, Duration maxRetry, Listener listener) {
		this.runtime = runtime;
		this.topology = topology;
		this.prefix = prefix;
		this.maxRetry = (maxRetry.compareTo(FIRST_RETRY) > 0) ? maxRetry : FIRST_RETRY;
		this.listener = listener;
	}

	void start() {
		this.stopHearingReachable = this.runtime.whenReachable(this::retryNow);
		this.runtime.execute(this::read);
	}

	/**
	 * Reads the prefix again now and watches from there.
	 */
	void refresh() {
		this.runtime.execute(() -> {
			this.generation++;
			stopWatching();
			read();
		});
	}

	void close() {
		this.closed = true;
		if (this.stopHearingReachable != null) {
			this.stopHearingReachable.run();
		}
		this.runtime.execute(this::stopWatching);
	}

	// etcd answers again: a read waiting out its pause goes now, and a failing one retries soon
	private void retryNow() {
		this.retry = FIRST_RETRY;
		if (this.pendingRead != null) {
			read();
		}
	}

	private void read() {
		if (this.pendingRead != null) {
			this.pendingRead.cancel(false);
			this.pendingRead = null;
		}
		if (this.closed) {
			return;
		}
		int current = ++this.generation;
		GetOption all = GetOption.builder().isPrefix(true).build();
		this.runtime.then(
				this.runtime.call(() -> this.runtime.client().getKVClient().get(EtcdRuntime.bytes(this.prefix), all)),
				(response, error) -> {
					if (this.closed || current != this.generation) {
						return;
					}
					if (error != null) {
						broken(current, error);
						return;
					}
					this.entries.clear();
					response.getKvs().forEach((kv) -> this.entries.put(EtcdRuntime.text(kv.getKey()), kv));
					// a listener that keeps throwing backs off like a failing read
					if (deliver(current, true)) {
						this.retry = FIRST_RETRY;
						watch(current, response.getHeader().getRevision() + 1);
					}
				});
	}

	private void watch(int current, long fromRevision) {
		WatchOption option = WatchOption.builder()
			.isPrefix(true)
			.withRevision(fromRevision)
			// a member cut off from its cluster's raft leader ends the watch instead of going quiet
			.withRequireLeader(true)
			.build();
		try {
			this.watcher = this.runtime.client()
				.getWatchClient()
				.watch(EtcdRuntime.bytes(this.prefix), option, Watch.listener(
						(response) -> this.runtime.execute(() -> watched(current, response)),
						(error) -> this.runtime.execute(() -> broken(current, error)),
						() -> this.runtime.execute(() -> broken(current, new IllegalStateException("the watch ended")))));
		}
		catch (RuntimeException ex) {
			broken(current, ex);
		}
	}

	private void watched(int current, WatchResponse response) {
		if (this.closed || current != this.generation || response.getEvents().isEmpty()) {
			return;
		}
		for (WatchEvent event : response.getEvents()) {
			KeyValue kv = event.getKeyValue();
			String key = EtcdRuntime.text(kv.getKey());
			if (event.getEventType() == WatchEvent.EventType.PUT) {
				this.entries.put(key, kv);
			}
			else if (event.getEventType() == WatchEvent.EventType.DELETE) {
				this.entries.remove(key);
			}
		}
		deliver(current, false);
	}

	// false when the listener threw: the view is then read anew after a pause, as for a broken watch
	private boolean deliver(int current, boolean reread) {
		try {
			this.listener.changed(Map.copyOf(this.entries), reread);
			return true;
		}
		catch (Throwable ex) {
			logger.error("[{}] handling the keys under {} failed; reading them again", this.topology, this.prefix,
					ex);
			broken(current, ex);
			return false;
		}
	}

	private void broken(int current, Throwable error) {
		if (this.closed || current != this.generation) {
			return;
		}
		// whatever this watch still delivers is stale from now on
		this.generation++;
		stopWatching();
		try {
			this.listener.failed(error);
		}
		catch (Throwable ex) {
			logger.error("[{}] handling a failed read of {} failed", this.topology, this.prefix, ex);
		}
		Duration pause = this.retry;
		this.retry = (pause.multipliedBy(2).compareTo(this.maxRetry) < 0) ? pause.multipliedBy(2) : this.maxRetry;
		this.pendingRead = this.runtime.schedule(this::read, pause);
	}

	private void stopWatching() {
		Watch.Watcher stopping = this.watcher;
		this.watcher = null;
		if (stopping != null) {
			try {
				stopping.close();
			}
			catch (RuntimeException ex) {
				// the client is closed: so is the watch
			}
		}
	}

}
