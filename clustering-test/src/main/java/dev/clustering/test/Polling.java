package dev.clustering.test;

import java.time.Duration;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * The polling behind a {@link LoopbackCluster}'s waits: a wait that fails when it times out, one
 * that tells whether the condition held, and the interruptible sleep between checks.
 */
final class Polling {

	private Polling() {
	}

	// checks every 20 ms; fails with the description and the nodes' views once the timeout passes
	static void await(Duration timeout, String description, BooleanSupplier condition, Supplier<String> views) {
		long deadline = System.nanoTime() + timeout.toNanos();
		while (true) {
			if (condition.getAsBoolean()) {
				return;
			}
			if (System.nanoTime() - deadline > 0) {
				throw new AssertionError("Timed out after " + timeout.toMillis() + " ms waiting until " + description
						+ "; the nodes see: " + views.get());
			}
			try {
				Thread.sleep(20);
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
				throw new AssertionError("Interrupted while waiting until " + description, ex);
			}
		}
	}

	// checks every millisecond; false once the timeout passes or the thread is interrupted
	static boolean within(Duration timeout, BooleanSupplier condition) {
		long deadline = System.nanoTime() + timeout.toNanos();
		while (System.nanoTime() - deadline < 0) {
			if (condition.getAsBoolean()) {
				return true;
			}
			if (!nap(1)) {
				return false;
			}
		}
		return false;
	}

	// false if interrupted (the thread keeps its interrupt flag)
	static boolean nap(long millis) {
		try {
			Thread.sleep(millis);
			return true;
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			return false;
		}
	}

}
