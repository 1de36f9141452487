package dev.clustering.node;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Stalls a node's event loop, as a long GC pause or a stuck handler would: nothing the node's
 * engine does (heartbeats, frames, elections, placement) happens meanwhile, while its clock runs
 * and other threads still ask it whether it leads: for a given time ({@link #pause}) or until
 * released ({@link #hold}). For the test kit only.
 */
public final class EventLoopPause {

	private EventLoopPause() {
	}

	/**
	 * Blocks the node's event loop for a while, from now.
	 * @param node a running node
	 * @param duration how long
	 * @throws InterruptedException if interrupted while waiting for the pause to begin
	 */
	public static void pause(ClusterNode node, Duration duration) throws InterruptedException {
		CountDownLatch begun = new CountDownLatch(1);
		node.eventLoop().execute(() -> {
			begun.countDown();
			try {
				Thread.sleep(duration.toMillis());
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
			}
		});
		if (!begun.await(10, TimeUnit.SECONDS)) {
			throw new IllegalStateException("The event loop of " + node.self().name() + " did not take the pause");
		}
	}

	/**
	 * Blocks the node's event loop until the returned hold is released, as a stopped process
	 * ({@code SIGSTOP}) would be: for measuring from the moment the loop stalled to the moment
	 * it runs again.
	 * @param node a running node
	 * @return the hold, once the loop has stalled
	 * @throws InterruptedException if interrupted while waiting for the loop to stall
	 */
	public static Hold hold(ClusterNode node) throws InterruptedException {
		CountDownLatch released = new CountDownLatch(1);
		CountDownLatch begun = new CountDownLatch(1);
		AtomicLong stalledAt = new AtomicLong();
		node.eventLoop().execute(() -> {
			stalledAt.set(System.nanoTime());
			begun.countDown();
			try {
				released.await();
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
			}
		});
		if (!begun.await(10, TimeUnit.SECONDS)) {
			released.countDown();
			throw new IllegalStateException("The event loop of " + node.self().name() + " did not take the hold");
		}
		return new Hold(stalledAt.get(), released);
	}

	/** A node's event loop held by {@link #hold(ClusterNode)}, until {@link #release()}. */
	public static final class Hold implements AutoCloseable {

		private final long stalledAt;

		private final CountDownLatch released;

		private Hold(long stalledAt, CountDownLatch released) {
			this.stalledAt = stalledAt;
			this.released = released;
		}

		/**
		 * When the loop stalled.
		 * @return the {@code System.nanoTime()} at which the loop began to wait
		 */
		public long stalledAt() {
			return this.stalledAt;
		}

		/**
		 * Lets the loop run again (a second call does nothing).
		 * @return the {@code System.nanoTime()} taken just before the loop was let go
		 */
		public long release() {
			long now = System.nanoTime();
			this.released.countDown();
			return now;
		}

		@Override
		public void close() {
			release();
		}

	}

}
