package dev.clustering.transport;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import org.slf4j.Logger;

/**
 * Lets a repeated warning that a peer can trigger (the same intruder, the same refusal, the same
 * invalid frame) through once a minute per key, and counts the ones it held back, so that no peer
 * can flood the log. Thread-safe; the number of keys is bounded.
 */
public final class WarningLimiter {

	private static final long QUIET_NANOS = TimeUnit.MINUTES.toNanos(1);

	private static final int MAX_KEYS = 10_000;

	private final ConcurrentHashMap<String, long[]> lastWarned = new ConcurrentHashMap<>();

	private final AtomicLong suppressed = new AtomicLong();

	/**
	 * Whether a warning under this key may be logged now.
	 * @param key what the warning is about
	 * @return whether to log it at WARN (else at DEBUG)
	 */
	public boolean shouldWarn(String key) {
		long now = System.nanoTime();
		if (this.lastWarned.size() > MAX_KEYS) {
			this.lastWarned.clear();
		}
		long[] last = this.lastWarned.get(key);
		if (last != null && now - last[0] < QUIET_NANOS) {
			this.suppressed.incrementAndGet();
			return false;
		}
		this.lastWarned.put(key, new long[] { now });
		return true;
	}

	/**
	 * Logs a warning at WARN once a minute per key, at DEBUG otherwise.
	 * @param logger the logger
	 * @param key what the warning is about
	 * @param format the message format
	 * @param arguments its arguments
	 */
	public void warn(Logger logger, String key, String format, Object... arguments) {
		if (shouldWarn(key)) {
			logger.warn(format, arguments);
		}
		else if (logger.isDebugEnabled()) {
			logger.debug(format, arguments);
		}
	}

	/**
	 * How many warnings were held back so far.
	 * @return the count
	 */
	public long suppressed() {
		return this.suppressed.get();
	}

}
