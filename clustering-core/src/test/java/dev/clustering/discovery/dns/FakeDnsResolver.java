package dev.clustering.discovery.dns;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * An in-memory zone for unit tests: no network. Names that are not set do not exist (NXDOMAIN, an
 * empty answer); {@link #failWith} makes every query fail until cleared.
 */
final class FakeDnsResolver implements DnsResolver {

	private final Map<String, List<InetAddress>> addresses = new ConcurrentHashMap<>();

	private final Map<String, List<ServiceRecord>> services = new ConcurrentHashMap<>();

	final List<String> queries = new CopyOnWriteArrayList<>();

	private volatile String failure;

	FakeDnsResolver set(String name, RecordType type, String... ips) {
		List<InetAddress> list = new ArrayList<>();
		for (String ip : ips) {
			list.add(ip(ip));
		}
		this.addresses.put(name + "/" + type, list);
		return this;
	}

	FakeDnsResolver srv(String name, ServiceRecord... records) {
		this.services.put(name, List.of(records));
		return this;
	}

	void failWith(String message) {
		this.failure = message;
	}

	static InetAddress ip(String literal) {
		try {
			return InetAddress.getByName(literal);
		}
		catch (UnknownHostException ex) {
			throw new IllegalArgumentException(ex);
		}
	}

	static ServiceRecord record(String target, int port, String... additional) {
		return new ServiceRecord(target, port, 0, 10, Arrays.stream(additional).map(FakeDnsResolver::ip).toList());
	}

	@Override
	public List<InetAddress> addresses(String name, RecordType type) throws DnsLookupException {
		this.queries.add(name + "/" + type);
		check(name);
		return this.addresses.getOrDefault(name + "/" + type, List.of());
	}

	@Override
	public List<ServiceRecord> services(String name) throws DnsLookupException {
		this.queries.add(name + "/SRV");
		check(name);
		return this.services.getOrDefault(name, List.of());
	}

	private void check(String name) throws DnsLookupException {
		String message = this.failure;
		if (message != null) {
			throw new DnsLookupException(name + " failed: " + message);
		}
	}

}
