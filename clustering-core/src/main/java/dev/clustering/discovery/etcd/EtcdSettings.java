package dev.clustering.discovery.etcd;

import java.time.Duration;
import java.util.Objects;

/**
 * Where and how a node registers in etcd: its key is {@code <prefix>/<service>/<node name>}, the
 * election lives under {@code <prefix>/<service>/election}, and every lease lives {@code ttl}
 * after its last keep-alive.
 *
 * @param prefix key prefix, without a trailing {@code /} (may be empty)
 * @param service the service that groups one cluster's nodes
 * @param ttl lease time to live, at least {@link #MIN_TTL}; etcd counts it in whole seconds, so it is
 * rounded up
 */
public record EtcdSettings(String prefix, String service, Duration ttl) {

	/** The shortest lease etcd grants with its default timings. */
	public static final Duration MIN_TTL = Duration.ofSeconds(2);

	private static final String ELECTION = "election";

	public EtcdSettings {
		Objects.requireNonNull(prefix, "prefix");
		Objects.requireNonNull(service, "service");
		Objects.requireNonNull(ttl, "ttl");
		prefix = prefix.trim();
		while (prefix.endsWith("/")) {
			prefix = prefix.substring(0, prefix.length() - 1);
		}
		if (prefix.chars().anyMatch(Character::isWhitespace)) {
			throw new IllegalArgumentException("prefix '" + prefix + "' must not contain spaces");
		}
		service = service.trim();
		if (service.isEmpty() || service.indexOf('/') >= 0 || service.chars().anyMatch(Character::isWhitespace)) {
			throw new IllegalArgumentException("service '" + service + "' must be a non-empty name without '/' or spaces");
		}
		if (ttl.compareTo(MIN_TTL) < 0) {
			throw new IllegalArgumentException("ttl must be at least " + MIN_TTL.toSeconds() + "s, was " + ttl);
		}
	}

	/**
	 * The lease time to live etcd is asked for.
	 * @return the ttl in whole seconds, rounded up
	 */
	public long ttlSeconds() {
		return this.ttl.toSeconds() + ((this.ttl.toNanosPart() > 0) ? 1 : 0);
	}

	/**
	 * The prefix every node of the service registers under.
	 * @return {@code <prefix>/<service>/}
	 */
	public String servicePrefix() {
		return this.prefix + "/" + this.service + "/";
	}

	/**
	 * A node's registration key.
	 * @param nodeName the node's name
	 * @return {@code <prefix>/<service>/<node name>}
	 */
	public String nodeKey(String nodeName) {
		return servicePrefix() + nodeName;
	}

	/**
	 * The name of the service's election (etcd puts each candidate under it, as
	 * {@code <name>/<lease id>}).
	 * @return {@code <prefix>/<service>/election}
	 */
	public String electionName() {
		return servicePrefix() + ELECTION;
	}

	/**
	 * The prefix of the candidates' keys.
	 * @return {@code <prefix>/<service>/election/}
	 */
	public String electionPrefix() {
		return electionName() + "/";
	}

	/**
	 * The node name a key registers, if it is a registration key of this service (the election's
	 * keys, one level deeper, are not).
	 * @param key a key under {@link #servicePrefix()}
	 * @return the node name, or {@code null}
	 */
	public String nodeName(String key) {
		if (!key.startsWith(servicePrefix())) {
			return null;
		}
		String name = key.substring(servicePrefix().length());
		return (name.isEmpty() || name.indexOf('/') >= 0) ? null : name;
	}

}
