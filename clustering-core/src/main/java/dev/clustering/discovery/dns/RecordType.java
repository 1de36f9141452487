package dev.clustering.discovery.dns;

/**
 * The address record types the {@code dns} strategy can ask for.
 */
public enum RecordType {

	/** IPv4 addresses. */
	A,

	/** IPv6 addresses. */
	AAAA

}
