package dev.clustering.transport;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * Lets a repeated warning (the same intruder, the same refusal) through once a minute, so a
 * misconfigured peer that redials every few seconds cannot flood the log.
 */
final class WarningLimiter {

	private static final long QUIET_NANOS = TimeUnit.MINUTES.toNanos(1);

	private final ConcurrentHashMap<String, Long> lastWarned = new ConcurrentHashMap<>();

	boolean shouldWarn(String key) {
		long now = System.nanoTime();
		if (this.lastWarned.size() > 10_000) {
			this.lastWarned.clear();
		}
		Long last = this.lastWarned.get(key);
		if (last != null && now - last < QUIET_NANOS) {
			return false;
		}
		this.lastWarned.put(key, now);
		return true;
	}

}
