package dev.clustering.node;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;

import io.netty.util.concurrent.DefaultThreadFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Delivers a node's events to its listeners, in order, on one thread of its own per run of the node
 * ({@code cluster-events-<name>}), never on the event loop: a slow or failing listener delays only
 * the listeners after it. The listeners outlive the node's restarts.
 */
final class EventDispatch {

	private static final Logger logger = LoggerFactory.getLogger(EventDispatch.class);

	private final List<ClusterListener> listeners = new CopyOnWriteArrayList<>();

	private volatile ExecutorService thread;

	EventDispatch(List<ClusterListener> listeners) {
		this.listeners.addAll(listeners);
	}

	/**
	 * Starts delivering (for one run of the node).
	 * @param name the node's name part, for the thread's name
	 */
	void start(String name) {
		this.thread = Executors.newSingleThreadExecutor(new DefaultThreadFactory("cluster-events-" + name, true));
	}

	/**
	 * Adds a listener; it hears the events that happen from now on, and first what {@code first}
	 * delivers to it (on the event thread, after every event already queued).
	 * @param listener the listener
	 * @param first what the listener hears first, or {@code null}
	 */
	void add(ClusterListener listener, List<EngineEvent> first) {
		this.listeners.add(listener);
		if (first == null || first.isEmpty()) {
			return;
		}
		execute(() -> first.forEach((event) -> deliver(listener, event)), "no events for the new listener");
	}

	/**
	 * Queues an event for the listeners registered now (one added later does not hear it).
	 * @param event the event
	 */
	void dispatch(EngineEvent event) {
		List<ClusterListener> targets = List.copyOf(this.listeners);
		execute(() -> targets.forEach((listener) -> deliver(listener, event)), "dropped " + event);
	}

	/** Delivers what is queued (up to 2 s), then stops the thread. */
	void shutdown() {
		ExecutorService running = this.thread;
		if (running == null) {
			return;
		}
		running.shutdown();
		try {
			running.awaitTermination(2, TimeUnit.SECONDS);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
	}

	private void execute(Runnable task, String dropped) {
		ExecutorService running = this.thread;
		if (running == null) {
			return;
		}
		try {
			running.execute(task);
		}
		catch (RejectedExecutionException ex) {
			logger.debug("Node is shut down; {}", dropped);
		}
	}

	private static void deliver(ClusterListener listener, EngineEvent event) {
		try {
			listener.onEvent(event);
		}
		catch (RuntimeException ex) {
			logger.error("Cluster listener {} failed on {}", listener, event, ex);
		}
	}

}
