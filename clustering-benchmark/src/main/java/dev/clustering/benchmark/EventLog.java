package dev.clustering.benchmark;

import java.util.ArrayList;
import java.util.List;

/**
 * Every event a scenario's nodes report, in arrival order, readable from a mark; ignores what
 * arrives once the cluster is closing.
 *
 * @param <R> one recorded entry
 */
final class EventLog<R> {

	private final List<R> entries = new ArrayList<>();

	private volatile boolean closed;

	void add(R entry) {
		if (this.closed) {
			return;
		}
		synchronized (this.entries) {
			this.entries.add(entry);
		}
	}

	/** A position in the log, to read what came after it. */
	int mark() {
		synchronized (this.entries) {
			return this.entries.size();
		}
	}

	/** The entries recorded since a mark. */
	List<R> since(int mark) {
		synchronized (this.entries) {
			return new ArrayList<>(this.entries.subList(mark, this.entries.size()));
		}
	}

	void close() {
		this.closed = true;
	}

	/**
	 * Starts a node again with the same name and port, retrying while the port is still held by the
	 * node that was just stopped.
	 * @param start starts the node; throws {@link IllegalStateException} while the port is busy
	 * @throws InterruptedException if interrupted
	 */
	static void restartRetrying(Runnable start) throws InterruptedException {
		RuntimeException last = null;
		for (int attempt = 0; attempt < 100; attempt++) {
			try {
				start.run();
				return;
			}
			catch (IllegalStateException ex) {
				last = ex;
				Thread.sleep(50);
			}
		}
		throw last;
	}

}
