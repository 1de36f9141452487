package dev.clustering.discovery;

import java.util.Set;

import dev.clustering.membership.NodeAddress;

/**
 * Where a pushing strategy reports. Thread-safe: call from any thread.
 */
public interface DiscoveryListener {

	/**
	 * A complete, current answer.
	 * @param addresses every address the source lists now
	 */
	void discovered(Set<NodeAddress> addresses);

	/**
	 * The source could not be read; the previous answer stands.
	 * @param error what went wrong
	 */
	void failed(Throwable error);

}
