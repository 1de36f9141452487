package dev.clustering.discovery;

import java.util.Set;

import dev.clustering.membership.NodeAddress;

/**
 * A strategy asked for the current set of addresses once per poll interval, and at once when
 * discovery is triggered by hand.
 */
@FunctionalInterface
public non-sealed interface PollingStrategy extends DiscoveryStrategy {

	/**
	 * One discovery round. A failed look-up must throw: an empty set means "nobody is there", so
	 * returning one for a failure would read as everyone having left.
	 * @param context the topology
	 * @return the addresses found (this node's own address may be among them; it is skipped)
	 * @throws Exception when the look-up failed
	 */
	Set<NodeAddress> poll(DiscoveryContext context) throws Exception;

}
