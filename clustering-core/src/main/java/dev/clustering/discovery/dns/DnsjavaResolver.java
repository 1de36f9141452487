package dev.clustering.discovery.dns;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

import org.xbill.DNS.AAAARecord;
import org.xbill.DNS.ARecord;
import org.xbill.DNS.CNAMERecord;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.ResolverConfig;
import org.xbill.DNS.SRVRecord;
import org.xbill.DNS.Section;
import org.xbill.DNS.TextParseException;
import org.xbill.DNS.Type;

import dev.clustering.membership.NodeAddress;

/**
 * Asks nameservers directly with dnsjava, with no cache, so every poll sees what DNS says now (the
 * JVM resolver caches and cannot read SRV records). Each nameserver is tried in turn until one
 * answers; a truncated UDP answer is asked again over TCP, and one still truncated is a failure,
 * never a short list. NOERROR and NXDOMAIN are answers; SERVFAIL, REFUSED, timeouts and responses
 * that do not answer the question are failures.
 */
public final class DnsjavaResolver implements DnsResolver {

	private static final int MAX_CNAME_HOPS = 8;

	private final List<InetSocketAddress> nameservers;

	private final Duration timeout;

	private final DnsExchange exchange;

	/**
	 * Creates a resolver.
	 * @param nameservers the nameservers to ask, in order; see {@link #systemNameservers()}
	 * @param timeout how long to wait for each nameserver's answer
	 */
	public DnsjavaResolver(List<InetSocketAddress> nameservers, Duration timeout) {
		this(nameservers, timeout, DnsExchange.DNSJAVA);
	}

	DnsjavaResolver(List<InetSocketAddress> nameservers, Duration timeout, DnsExchange exchange) {
		if (nameservers.isEmpty()) {
			throw new IllegalArgumentException("at least one nameserver is needed");
		}
		if (timeout.isNegative() || timeout.isZero()) {
			throw new IllegalArgumentException("timeout must be positive");
		}
		this.nameservers = List.copyOf(nameservers);
		this.timeout = timeout;
		this.exchange = Objects.requireNonNull(exchange);
	}

	/**
	 * The nameservers this machine is configured with ({@code /etc/resolv.conf} and the like), as
	 * dnsjava reads them.
	 * @return the system's nameservers
	 */
	public static List<InetSocketAddress> systemNameservers() {
		return ResolverConfig.getCurrentConfig().servers();
	}

	/**
	 * Parses a nameserver written as {@code ip}, {@code ip:port}, {@code [ipv6]:port} or a bare IPv6
	 * literal; the port defaults to 53. Names are refused: looking them up would need DNS.
	 * @param text the nameserver
	 * @return its socket address
	 * @throws IllegalArgumentException when the text is not an IP address with an optional port
	 */
	public static InetSocketAddress parseNameserver(String text) {
		String value = (text != null) ? text.trim() : "";
		if (value.isEmpty()) {
			throw new IllegalArgumentException("a nameserver must not be empty");
		}
		boolean bareIpv6 = value.indexOf(':') != value.lastIndexOf(':') && !value.startsWith("[");
		boolean hasPort = !bareIpv6 && value.lastIndexOf(':') > value.lastIndexOf(']');
		NodeAddress address = NodeAddress.parse(hasPort ? value : (bareIpv6 ? "[" + value + "]" : value) + ":53");
		if (!address.isIpLiteral()) {
			throw new IllegalArgumentException("'" + text + "' is not an IP address (a nameserver cannot be a name)");
		}
		return new InetSocketAddress(address.host(), address.port());
	}

	/**
	 * Checks that a text is a valid DNS name.
	 * @param name the name
	 * @throws IllegalArgumentException when it is not
	 */
	public static void checkName(String name) {
		toName(name);
	}

	/**
	 * The nameservers asked, in order.
	 * @return the nameservers
	 */
	public List<InetSocketAddress> nameservers() {
		return this.nameservers;
	}

	@Override
	public List<InetAddress> addresses(String name, RecordType type) throws DnsLookupException {
		int code = (type == RecordType.A) ? Type.A : Type.AAAA;
		List<InetAddress> addresses = new ArrayList<>();
		for (Record record : records(toName(name), code)) {
			addresses.add((record instanceof ARecord a) ? a.getAddress() : ((AAAARecord) record).getAddress());
		}
		return addresses;
	}

	@Override
	public List<ServiceRecord> services(String name) throws DnsLookupException {
		Name owner = toName(name);
		Message response = query(owner, Type.SRV);
		if (response == null) {
			return List.of();
		}
		List<ServiceRecord> services = new ArrayList<>();
		List<Record> additional = response.getSection(Section.ADDITIONAL);
		for (Record record : answers(response, owner, Type.SRV)) {
			SRVRecord srv = (SRVRecord) record;
			// "." means "decidedly not available here" (RFC 2782); port 0 reaches nothing
			if (srv.getTarget().equals(Name.root) || srv.getPort() == 0) {
				continue;
			}
			List<InetAddress> addresses = new ArrayList<>();
			for (Record extra : additional) {
				if (extra.getName().equals(srv.getTarget()) && extra.getDClass() == DClass.IN) {
					if (extra instanceof ARecord a) {
						addresses.add(a.getAddress());
					}
					else if (extra instanceof AAAARecord aaaa) {
						addresses.add(aaaa.getAddress());
					}
				}
			}
			services.add(new ServiceRecord(srv.getTarget().toString(true), srv.getPort(), srv.getPriority(),
					srv.getWeight(), addresses));
		}
		return services;
	}

	// Records of a type for a name, following CNAMEs in the answer and asking again for the end of
	// a chain the nameserver did not follow itself.
	private List<Record> records(Name name, int type) throws DnsLookupException {
		Name current = name;
		for (int hop = 0; hop < MAX_CNAME_HOPS; hop++) {
			Message response = query(current, type);
			if (response == null) {
				return List.of();
			}
			Name end = chainEnd(response, current);
			List<Record> found = answers(response, current, type);
			if (!found.isEmpty() || end.equals(current)) {
				return found;
			}
			current = end;
		}
		throw new DnsLookupException(describe(name, type) + ": more than " + MAX_CNAME_HOPS + " CNAMEs");
	}

	private static List<Record> answers(Message response, Name name, int type) throws DnsLookupException {
		Name owner = chainEnd(response, name);
		List<Record> found = new ArrayList<>();
		for (Record record : response.getSection(Section.ANSWER)) {
			if (record.getType() == type && record.getDClass() == DClass.IN && record.getName().equals(owner)) {
				found.add(record);
			}
		}
		return found;
	}

	private static Name chainEnd(Message response, Name name) throws DnsLookupException {
		Name owner = name;
		Set<Name> seen = new HashSet<>();
		while (seen.add(owner)) {
			Name next = null;
			for (Record record : response.getSection(Section.ANSWER)) {
				if (record instanceof CNAMERecord cname && cname.getName().equals(owner)) {
					next = cname.getTarget();
				}
			}
			if (next == null) {
				return owner;
			}
			owner = next;
		}
		throw new DnsLookupException(describe(name, response.getQuestion().getType()) + ": CNAME loop at " + owner);
	}

	// The response for a question, or null for NXDOMAIN.
	private Message query(Name name, int type) throws DnsLookupException {
		Message query = Message.newQuery(Record.newRecord(name, type, DClass.IN));
		List<String> failures = new ArrayList<>();
		for (InetSocketAddress nameserver : this.nameservers) {
			String server = nameserver.getAddress().getHostAddress() + ":" + nameserver.getPort();
			try {
				Message response = this.exchange.exchange(nameserver, query, false, this.timeout);
				if (response.getHeader().getFlag(Flags.TC)) {
					response = this.exchange.exchange(nameserver, query, true, this.timeout);
					if (response.getHeader().getFlag(Flags.TC)) {
						failures.add(server + " truncated the answer even over TCP");
						continue;
					}
				}
				String mismatch = mismatch(query, response);
				if (mismatch != null) {
					failures.add(server + " " + mismatch);
					continue;
				}
				int rcode = response.getRcode();
				if (rcode == Rcode.NOERROR) {
					return response;
				}
				if (rcode == Rcode.NXDOMAIN) {
					return null;
				}
				failures.add(server + " answered " + Rcode.string(rcode));
			}
			catch (IOException ex) {
				failures.add(server + " " + describe(ex));
				if (Thread.currentThread().isInterrupted()) {
					break; // the topology is stopping: asking the next nameserver is pointless
				}
			}
		}
		throw new DnsLookupException(describe(name, type) + " failed: " + String.join("; ", failures));
	}

	private static String mismatch(Message query, Message response) {
		Record asked = query.getQuestion();
		Record answered = response.getQuestion();
		if (!response.getHeader().getFlag(Flags.QR)) {
			return "sent a query instead of a response";
		}
		if (answered == null) {
			return "sent a response without the question";
		}
		if (!answered.getName().equals(asked.getName()) || answered.getType() != asked.getType()
				|| answered.getDClass() != asked.getDClass()) {
			return "answered another question (" + answered + ")";
		}
		return null;
	}

	private static String describe(IOException ex) {
		return (ex.getMessage() != null) ? ex.getMessage() : ex.getClass().getSimpleName();
	}

	private static String describe(Name name, int type) {
		return name.toString(true) + "/" + Type.string(type);
	}

	private static Name toName(String name) {
		try {
			return Name.fromString(Objects.requireNonNull(name, "name").trim(), Name.root);
		}
		catch (TextParseException ex) {
			throw new IllegalArgumentException("'" + name + "' is not a valid DNS name: " + ex.getMessage(), ex);
		}
	}

	@Override
	public String toString() {
		return "DnsjavaResolver" + this.nameservers.stream().map((ns) -> ns.getAddress().getHostAddress() + ":"
				+ ns.getPort()).toList();
	}

}
