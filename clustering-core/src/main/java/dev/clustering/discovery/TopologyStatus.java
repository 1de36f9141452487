package dev.clustering.discovery;

import java.time.Instant;
import java.util.List;

import dev.clustering.membership.NodeAddress;

/**
 * What a topology has found so far; immutable.
 *
 * @param name the topology name
 * @param strategy the strategy's name as configured
 * @param hasRun whether a discovery round has completed (nessie's {@code has_ran})
 * @param lastPoll when the last round (good or failed) finished, or {@code null}
 * @param discovered the addresses of the last good answer, minus this node's own, sorted
 * @param lastError the last round's error, or {@code null} if it succeeded
 * @param rounds completed rounds, good or failed
 * @param errors failed rounds
 */
public record TopologyStatus(String name, String strategy, boolean hasRun, Instant lastPoll,
		List<NodeAddress> discovered, TopologyError lastError, long rounds, long errors) {

	public TopologyStatus {
		discovered = List.copyOf(discovered);
	}

	/**
	 * A failed discovery round.
	 *
	 * @param message what went wrong
	 * @param at when
	 */
	public record TopologyError(String message, Instant at) {
	}

}
