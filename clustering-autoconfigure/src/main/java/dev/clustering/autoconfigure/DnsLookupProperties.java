package dev.clustering.autoconfigure;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * What the DNS strategies' settings share: where and how to ask, and when to forget an address.
 */
public abstract class DnsLookupProperties {

	/**
	 * Nameservers to ask, in order, as ip:port ([ipv6]:port); the system's when empty.
	 */
	private List<String> nameservers = new ArrayList<>();

	/**
	 * How long to wait for each nameserver's answer.
	 */
	private Duration timeout = Duration.ofSeconds(2);

	/**
	 * Number of answers in a row an address must be missing from before it is no longer
	 * contacted. A live connection to it is kept either way.
	 */
	private int pruneAfter = 2;

	public List<String> getNameservers() {
		return this.nameservers;
	}

	public void setNameservers(List<String> nameservers) {
		this.nameservers = nameservers;
	}

	public Duration getTimeout() {
		return this.timeout;
	}

	public void setTimeout(Duration timeout) {
		this.timeout = timeout;
	}

	public int getPruneAfter() {
		return this.pruneAfter;
	}

	public void setPruneAfter(int pruneAfter) {
		this.pruneAfter = pruneAfter;
	}

}
