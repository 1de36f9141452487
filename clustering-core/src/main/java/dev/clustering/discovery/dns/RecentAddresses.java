package dev.clustering.discovery.dns;

import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;
import java.util.Set;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.clustering.membership.NodeAddress;

/**
 * Remembers recent answers so that an address leaves the discovered set only once it has been
 * missing from {@code pruneAfter} answers in a row: one truncated or flapping answer never shrinks
 * the cluster. Failed look-ups never get here, so they do not count as misses.
 */
final class RecentAddresses {

	private static final Logger logger = LoggerFactory.getLogger(RecentAddresses.class);

	private final int pruneAfter;

	// address -> answers in a row it has been missing from
	private final Map<NodeAddress, Integer> misses = new HashMap<>();

	RecentAddresses(int pruneAfter) {
		if (pruneAfter < 1) {
			throw new IllegalArgumentException("pruneAfter must be at least 1, was " + pruneAfter);
		}
		this.pruneAfter = pruneAfter;
	}

	/**
	 * Records an answer.
	 * @param topology the topology name, for the log
	 * @param answer the addresses DNS lists now
	 * @return the addresses to propose: this answer's, plus those missing from fewer than
	 * {@code pruneAfter} answers in a row
	 */
	synchronized Set<NodeAddress> update(String topology, Set<NodeAddress> answer) {
		for (Iterator<Map.Entry<NodeAddress, Integer>> it = this.misses.entrySet().iterator(); it.hasNext();) {
			Map.Entry<NodeAddress, Integer> entry = it.next();
			if (answer.contains(entry.getKey())) {
				continue;
			}
			int missed = entry.getValue() + 1;
			if (missed >= this.pruneAfter) {
				it.remove();
				logger.info("[{}] {} was missing from {} answer(s) in a row; it is no longer contacted", topology,
						entry.getKey(), missed);
			}
			else {
				entry.setValue(missed);
				logger.debug("[{}] {} is missing from the answer ({} of {}); still contacted", topology,
						entry.getKey(), missed, this.pruneAfter);
			}
		}
		answer.forEach((address) -> this.misses.put(address, 0));
		return Set.copyOf(this.misses.keySet());
	}

}
