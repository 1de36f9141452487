package dev.clustering.discovery.dns;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.clustering.discovery.DiscoveryContext;
import dev.clustering.discovery.NameScoped;
import dev.clustering.discovery.PollingStrategy;
import dev.clustering.membership.NodeAddress;

/**
 * Reads one SRV name every poll and proposes each record's target and port (caravan's Consul DNS
 * strategy): several nodes may share a host on different ports. Targets are resolved from the
 * answer's additional section when it carries them, otherwise with A and AAAA queries. An address
 * stays proposed until it has been missing from {@code pruneAfter} answers in a row.
 */
public final class DnsSrvStrategy implements PollingStrategy, NameScoped {

	/** The name to select this strategy with. */
	public static final String NAME = "dns-srv";

	private static final Logger logger = LoggerFactory.getLogger(DnsSrvStrategy.class);

	private final DnsResolver resolver;

	private final String service;

	private final BasenameFilter names;

	private final RecentAddresses recent;

	/**
	 * Creates the strategy.
	 * @param resolver asks DNS
	 * @param service the SRV name, such as {@code likes-service-dist.service.consul}
	 * @param basename the name part a node must have, with or without a {@code -<port>} suffix; or
	 * {@code null} to join every node the SRV name lists
	 * @param pruneAfter how many answers in a row an address must be missing from before it is no
	 * longer proposed (at least 1)
	 */
	public DnsSrvStrategy(DnsResolver resolver, String service, String basename, int pruneAfter) {
		this.resolver = Objects.requireNonNull(resolver, "resolver");
		if (service == null || service.isBlank()) {
			throw new IllegalArgumentException("an SRV name is needed");
		}
		this.service = service.trim();
		this.names = new BasenameFilter(basename, false, true);
		this.recent = new RecentAddresses(pruneAfter);
	}

	@Override
	public Set<NodeAddress> poll(DiscoveryContext context) throws DnsLookupException {
		Set<NodeAddress> found = new HashSet<>();
		Map<String, List<InetAddress>> targets = new HashMap<>();
		for (ServiceRecord record : this.resolver.services(this.service)) {
			List<InetAddress> addresses = record.addresses();
			if (addresses.isEmpty()) {
				addresses = targets.get(record.target());
				if (addresses == null) {
					addresses = resolve(record.target());
					targets.put(record.target(), addresses);
				}
			}
			for (InetAddress address : addresses) {
				found.add(new NodeAddress(address.getHostAddress(), record.port()));
			}
		}
		logger.debug("[{}] {} lists {}", context.topology(), this.service, found);
		// this node is never contacted, so it is not remembered either
		found.remove(context.self().address());
		return this.recent.update(context.topology(), found);
	}

	private List<InetAddress> resolve(String target) throws DnsLookupException {
		List<InetAddress> addresses = new ArrayList<>(this.resolver.addresses(target, RecordType.A));
		addresses.addAll(this.resolver.addresses(target, RecordType.AAAA));
		return addresses;
	}

	/**
	 * Whether a node found through this topology may join: with a basename, its name part must be
	 * the basename, alone or followed by {@code -<port>} (caravan's {@code likes-9401@host}); without
	 * one, the SRV name alone scopes the topology. The engine asks here after the handshake, since
	 * DNS gives no names. A refused name is logged once.
	 * @param context the topology
	 * @param nodeName the name the node introduced itself with
	 * @return whether it belongs to this topology
	 */
	@Override
	public boolean admits(DiscoveryContext context, String nodeName) {
		return this.names.admits(context, nodeName);
	}

	@Override
	public String toString() {
		return "DnsSrvStrategy[" + this.service + "]";
	}

}
