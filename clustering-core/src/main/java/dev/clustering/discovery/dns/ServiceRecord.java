package dev.clustering.discovery.dns;

import java.net.InetAddress;
import java.util.List;
import java.util.Objects;

/**
 * One SRV record of an answer, with the target's addresses when the answer carried them in its
 * additional section.
 *
 * @param target the target host name, without the trailing dot
 * @param port the port the service listens on
 * @param priority the record's priority (lower first)
 * @param weight the record's weight among equal priorities
 * @param addresses the target's addresses from the additional section; empty when it had none
 */
public record ServiceRecord(String target, int port, int priority, int weight, List<InetAddress> addresses) {

	public ServiceRecord {
		Objects.requireNonNull(target, "target");
		addresses = List.copyOf(addresses);
	}

}
