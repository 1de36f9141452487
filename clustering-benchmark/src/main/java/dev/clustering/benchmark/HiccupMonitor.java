package dev.clustering.benchmark;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAccumulator;

/**
 * Sleeps 5 ms in a loop and remembers the worst oversleep: how late a thread in this JVM can be
 * scheduled (GC pauses, CPU starvation on a small machine). Explains detection outliers.
 */
final class HiccupMonitor {

	private static final long SLEEP_NANOS = TimeUnit.MILLISECONDS.toNanos(5);

	private final LongAccumulator worst = new LongAccumulator(Math::max, 0);

	void start() {
		Thread thread = new Thread(this::run, "benchmark-hiccup-monitor");
		thread.setDaemon(true);
		thread.start();
	}

	/** The worst lateness since the last call, in ms. */
	double takeWorstMillis() {
		return this.worst.getThenReset() / 1e6;
	}

	private void run() {
		while (true) {
			long before = System.nanoTime();
			try {
				Thread.sleep(5);
			}
			catch (InterruptedException ex) {
				return;
			}
			this.worst.accumulate(System.nanoTime() - before - SLEEP_NANOS);
		}
	}

}
