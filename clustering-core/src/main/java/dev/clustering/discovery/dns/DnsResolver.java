package dev.clustering.discovery.dns;

import java.net.InetAddress;
import java.util.List;

/**
 * The DNS look-ups the DNS strategies need: the seam between them and the network
 * ({@link DnsjavaResolver} in production, an in-memory zone in tests). A name that does not exist
 * (NXDOMAIN) or has no records of the type is an empty answer; every other failure throws.
 */
public interface DnsResolver {

	/**
	 * The addresses of a name, following CNAME records.
	 * @param name a fully qualified name (a trailing dot is optional)
	 * @param type A or AAAA
	 * @return the addresses, empty when the name does not exist or has none of that type
	 * @throws DnsLookupException when no nameserver gave a usable answer
	 */
	List<InetAddress> addresses(String name, RecordType type) throws DnsLookupException;

	/**
	 * The SRV records of a name.
	 * @param name a fully qualified SRV name, such as {@code likes-service-dist.service.consul}
	 * @return the records, empty when the name does not exist or has none
	 * @throws DnsLookupException when no nameserver gave a usable answer
	 */
	List<ServiceRecord> services(String name) throws DnsLookupException;

}
