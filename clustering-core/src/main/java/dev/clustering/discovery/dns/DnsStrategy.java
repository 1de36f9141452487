package dev.clustering.discovery.dns;

import java.net.InetAddress;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.clustering.discovery.DiscoveryContext;
import dev.clustering.discovery.NameScoped;
import dev.clustering.discovery.PollingStrategy;
import dev.clustering.membership.NodeAddress;

/**
 * Resolves one name to A and AAAA records every poll and proposes each address on one port
 * (nessie_cluster, libcluster's DNSPoll): a Kubernetes headless service lists every pod this way.
 * An address stays proposed until it has been missing from {@code pruneAfter} answers in a row.
 * Only nodes whose name part is the basename belong to the topology ({@link #admits}). With no
 * query the topology discovers nothing and says so once (nessie's {@code Ignore}).
 */
public final class DnsStrategy implements PollingStrategy, NameScoped {

	/** The name to select this strategy with. */
	public static final String NAME = "dns";

	private static final Logger logger = LoggerFactory.getLogger(DnsStrategy.class);

	private static final DnsResolver NO_RESOLVER = new DnsResolver() {

		@Override
		public List<InetAddress> addresses(String name, RecordType type) {
			throw new IllegalStateException("no query is set");
		}

		@Override
		public List<ServiceRecord> services(String name) {
			throw new IllegalStateException("no query is set");
		}

	};

	private final DnsResolver resolver;

	private final String query;

	private final List<RecordType> recordTypes;

	private final int port;

	private final BasenameFilter names;

	private final RecentAddresses recent;

	private final AtomicBoolean ignoreReported = new AtomicBoolean();

	/**
	 * Creates the strategy.
	 * @param resolver asks DNS
	 * @param query the name to resolve, or {@code null} to discover nothing
	 * @param recordTypes the record types to ask for
	 * @param port the cluster transport port every address is contacted on
	 * @param basename the name part a node must have, or {@code null} for this node's own
	 * @param pruneAfter how many answers in a row an address must be missing from before it is no
	 * longer proposed (at least 1)
	 */
	public DnsStrategy(DnsResolver resolver, String query, List<RecordType> recordTypes, int port, String basename,
			int pruneAfter) {
		this.resolver = Objects.requireNonNull(resolver, "resolver");
		this.query = (query != null && !query.isBlank()) ? query.trim() : null;
		if (this.query != null && (recordTypes == null || recordTypes.isEmpty())) {
			throw new IllegalArgumentException("at least one record type is needed");
		}
		if (this.query != null && (port < 1 || port > 65535)) {
			throw new IllegalArgumentException("port must be between 1 and 65535, was " + port);
		}
		this.recordTypes = (recordTypes != null) ? List.copyOf(new LinkedHashSet<>(recordTypes)) : List.of();
		this.port = port;
		this.names = new BasenameFilter(basename, true, false);
		this.recent = new RecentAddresses(pruneAfter);
	}

	/**
	 * A strategy with no query: it discovers nothing and says so once (nessie's {@code Ignore}).
	 * @return the strategy
	 */
	public static DnsStrategy ignore() {
		return new DnsStrategy(NO_RESOLVER, null, List.of(), 0, null, 1);
	}

	@Override
	public Set<NodeAddress> poll(DiscoveryContext context) throws DnsLookupException {
		if (this.query == null) {
			if (this.ignoreReported.compareAndSet(false, true)) {
				logger.warn("[{}] no dns.query is set, so this topology discovers nothing; set "
						+ "cluster.topologies.{}.dns.query to the name that lists the cluster's nodes",
						context.topology(), context.topology());
			}
			return Set.of();
		}
		Set<NodeAddress> found = new HashSet<>();
		for (RecordType type : this.recordTypes) {
			for (InetAddress address : this.resolver.addresses(this.query, type)) {
				found.add(new NodeAddress(address.getHostAddress(), this.port));
			}
		}
		logger.debug("[{}] {} lists {}", context.topology(), this.query, found);
		// this node is never contacted, so it is not remembered either
		found.remove(context.self().address());
		return this.recent.update(context.topology(), found);
	}

	/**
	 * Whether a node found through this topology may join: its name part must equal the basename
	 * (nessie). Addresses are all DNS gives; a node's name is known only once it has introduced
	 * itself, so the engine asks here after the handshake. A refused name is logged once.
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
		return "DnsStrategy[" + ((this.query != null) ? this.query + " " + this.recordTypes + " port " + this.port
				: "no query") + "]";
	}

}
