package dev.clustering.discovery.dns;

import java.io.IOException;

/**
 * A DNS query got no usable answer: every nameserver timed out, failed (SERVFAIL, REFUSED, ...),
 * sent something that is not an answer to the question, or stayed truncated over TCP. Unlike
 * NXDOMAIN or an empty answer, this says nothing about who is there.
 */
public class DnsLookupException extends IOException {

	/**
	 * Creates the exception.
	 * @param message what was asked and what went wrong
	 */
	public DnsLookupException(String message) {
		super(message);
	}

}
