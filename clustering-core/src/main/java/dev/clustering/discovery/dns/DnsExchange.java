package dev.clustering.discovery.dns;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;

import org.xbill.DNS.Message;
import org.xbill.DNS.SimpleResolver;

/**
 * Sends one query to one nameserver and returns the response as received, truncated or not: the
 * socket-level seam of {@link DnsjavaResolver}, replaced in tests by canned responses.
 */
@FunctionalInterface
interface DnsExchange {

	/** Over UDP or TCP with dnsjava's {@link SimpleResolver}, which checks the id and question. */
	DnsExchange DNSJAVA = (nameserver, query, tcp, timeout) -> {
		SimpleResolver resolver = new SimpleResolver(nameserver);
		resolver.setTCP(tcp);
		// a truncated answer comes back to DnsjavaResolver, which retries over TCP itself
		resolver.setIgnoreTruncation(true);
		resolver.setTimeout(timeout);
		return resolver.send(query);
	};

	/**
	 * Sends a query.
	 * @param nameserver where to send it
	 * @param query the query
	 * @param tcp whether to use TCP instead of UDP
	 * @param timeout how long to wait for the response
	 * @return the response
	 * @throws IOException on a timeout, a network error or an unparseable response
	 */
	Message exchange(InetSocketAddress nameserver, Message query, boolean tcp, Duration timeout) throws IOException;

}
