package dev.clustering.autoconfigure;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import org.springframework.util.StringUtils;

import dev.clustering.discovery.dns.DnsjavaResolver;

/**
 * Builds a topology's {@link DnsjavaResolver} and checks the settings the {@code dns} and
 * {@code dns-srv} strategies share, naming the property at fault.
 */
final class DnsResolverFactory {

	private DnsResolverFactory() {
	}

	/**
	 * Creates the resolver.
	 * @param prefix the strategy's property prefix, such as {@code cluster.topologies.k8s.dns}
	 * @param nameservers the configured nameservers; the system's when empty
	 * @param timeout how long to wait for each nameserver
	 * @return the resolver
	 */
	static DnsjavaResolver resolver(String prefix, List<String> nameservers, Duration timeout) {
		if (timeout == null || timeout.isZero() || timeout.isNegative()) {
			throw new ClusterConfigurationException(prefix + ".timeout", "must be a positive duration, was " + timeout,
					"Use a duration such as 2s.");
		}
		List<InetSocketAddress> servers = new ArrayList<>();
		List<String> configured = (nameservers != null) ? nameservers : List.of();
		for (int i = 0; i < configured.size(); i++) {
			try {
				servers.add(DnsjavaResolver.parseNameserver(configured.get(i)));
			}
			catch (IllegalArgumentException ex) {
				throw new ClusterConfigurationException(prefix + ".nameservers[" + i + "]", ex.getMessage(),
						"Write each nameserver as ip:port (IPv6 as [addr]:port), for example 10.0.0.2:53.");
			}
		}
		if (servers.isEmpty()) {
			servers.addAll(DnsjavaResolver.systemNameservers());
		}
		if (servers.isEmpty()) {
			throw new ClusterConfigurationException(prefix + ".nameservers", "this machine has no nameserver",
					"List the nameservers to ask as ip:port.");
		}
		return new DnsjavaResolver(servers, timeout);
	}

	static void checkName(String property, String name) {
		try {
			DnsjavaResolver.checkName(name);
		}
		catch (IllegalArgumentException ex) {
			throw new ClusterConfigurationException(property, ex.getMessage(),
					"Use a fully qualified DNS name, for example myapp-headless.default.svc.cluster.local.");
		}
	}

	static String basename(String property, String basename) {
		if (!StringUtils.hasText(basename)) {
			return null;
		}
		String trimmed = basename.trim();
		if (trimmed.indexOf('@') >= 0 || trimmed.chars().anyMatch(Character::isWhitespace)) {
			throw new ClusterConfigurationException(property, "'" + basename + "' is not a node name part",
					"Use the part of the node names before '@', as set by cluster.node.name.");
		}
		return trimmed;
	}

	static void checkPruneAfter(String property, int pruneAfter) {
		if (pruneAfter < 1) {
			throw new ClusterConfigurationException(property, "must be at least 1, was " + pruneAfter,
					"Use 1 to stop contacting an address as soon as DNS drops it, or more to ride out "
							+ "flapping answers.");
		}
	}

}
