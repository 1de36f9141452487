package dev.clustering.discovery.consul;

import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * Where and how nodes register in Consul: the service they register as, the KV prefix of the
 * election's lock ({@code <prefix>/<service>/leader}), and the timings.
 *
 * @param service the service name (caravan's {@code <app>-dist}); letters, digits and dashes
 * @param prefix the KV prefix, without leading or trailing {@code /}
 * @param tags the service's tags
 * @param checkTtl the TTL check's time to live, at least 1 s: the node passes it every third of it,
 * and a node that does not turns critical and leaves discovery (and its leadership) after it
 * @param deregisterCriticalAfter how long Consul keeps an instance whose check is critical (Consul
 * reaps at 1 minute at the soonest)
 * @param sessionTtl the election session's time to live, 10 s to 24 h (Consul's bounds)
 * @param lockDelay how long Consul holds the lock back after its holder's session is invalidated,
 * 0 to 60 s
 * @param blockingWait how long a blocking query may wait for a change
 */
public record ConsulSettings(String service, String prefix, List<String> tags, Duration checkTtl,
		Duration deregisterCriticalAfter, Duration sessionTtl, Duration lockDelay, Duration blockingWait) {

	/** The shortest check TTL. */
	public static final Duration MIN_CHECK_TTL = Duration.ofSeconds(1);

	/** Consul's shortest session TTL. */
	public static final Duration MIN_SESSION_TTL = Duration.ofSeconds(10);

	/** Consul's longest session TTL. */
	public static final Duration MAX_SESSION_TTL = Duration.ofHours(24);

	/** Consul's longest lock delay. */
	public static final Duration MAX_LOCK_DELAY = Duration.ofSeconds(60);

	public ConsulSettings {
		Objects.requireNonNull(service, "service");
		if (!service.matches("[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?")) {
			throw new IllegalArgumentException("'" + service + "' is not a Consul service name for DNS: use letters, "
					+ "digits and dashes, at most 63");
		}
		prefix = trimSlashes(Objects.requireNonNull(prefix, "prefix"));
		if (prefix.contains("//") || prefix.chars().anyMatch(Character::isWhitespace)) {
			throw new IllegalArgumentException("'" + prefix + "' is not a KV prefix");
		}
		tags = List.copyOf(tags);
		requireBetween("checkTtl", checkTtl, MIN_CHECK_TTL, Duration.ofHours(1));
		requireBetween("deregisterCriticalAfter", deregisterCriticalAfter, Duration.ZERO, Duration.ofDays(365));
		requireBetween("sessionTtl", sessionTtl, MIN_SESSION_TTL, MAX_SESSION_TTL);
		requireBetween("lockDelay", lockDelay, Duration.ZERO, MAX_LOCK_DELAY);
		requireBetween("blockingWait", blockingWait, Duration.ofMillis(100), Duration.ofMinutes(10));
	}

	/**
	 * The settings with the given service and defaults for the rest: prefix {@code cluster}, no
	 * tags, check TTL 10 s, deregistration after 1 minute critical, session TTL 10 s, no lock delay,
	 * blocking queries of 10 s.
	 * @param service the service name
	 * @return the settings
	 */
	public static ConsulSettings of(String service) {
		return new ConsulSettings(service, "cluster", List.of(), Duration.ofSeconds(10), Duration.ofMinutes(1),
				MIN_SESSION_TTL, Duration.ZERO, Duration.ofSeconds(10));
	}

	/**
	 * The election's lock.
	 * @return {@code <prefix>/<service>/leader}
	 */
	public String leaderKey() {
		return (this.prefix.isEmpty() ? "" : this.prefix + "/") + this.service + "/leader";
	}

	private static String trimSlashes(String path) {
		String trimmed = path.trim();
		while (trimmed.startsWith("/")) {
			trimmed = trimmed.substring(1);
		}
		while (trimmed.endsWith("/")) {
			trimmed = trimmed.substring(0, trimmed.length() - 1);
		}
		return trimmed;
	}

	private static void requireBetween(String name, Duration value, Duration min, Duration max) {
		Objects.requireNonNull(value, name);
		if (value.compareTo(min) < 0 || value.compareTo(max) > 0) {
			throw new IllegalArgumentException(name + " must be between " + min + " and " + max + ", was " + value);
		}
	}

}
