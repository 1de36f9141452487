package dev.clustering.node;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Stalls a node's event loop, as a long GC pause or a stuck handler would: nothing the node's
 * engine does (heartbeats, frames, elections, placement) happens meanwhile, while its clock runs
 * and other threads still ask it whether it leads. For the test kit only.
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

}
