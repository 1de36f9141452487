package dev.clustering.autoconfigure;

import java.time.Duration;
import java.util.Set;

/**
 * Mandatory nodes did not join within {@code cluster.sync-nodes.timeout}.
 */
public class ClusterSyncException extends IllegalStateException {

	private final Set<String> missing;

	/**
	 * Creates the exception.
	 * @param missing the mandatory nodes that are not members
	 * @param timeout how long start-up waited
	 */
	public ClusterSyncException(Set<String> missing, Duration timeout) {
		super("Mandatory cluster nodes " + missing + " did not join within " + timeout.toMillis() + " ms");
		this.missing = Set.copyOf(missing);
	}

	/**
	 * The missing nodes.
	 * @return their names as configured
	 */
	public Set<String> getMissing() {
		return this.missing;
	}

}
