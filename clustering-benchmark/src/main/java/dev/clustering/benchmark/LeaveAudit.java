package dev.clustering.benchmark;

import java.util.List;

import dev.clustering.node.EngineEvent;
import dev.clustering.test.LoopbackCluster;
import dev.clustering.test.RecordedEvent;

/**
 * The size scenario's false detections: the leave events of each phase (the only events its
 * cluster records) that neither are of the phase's victim nor were heard by it (a frozen node hears
 * everyone else go silent).
 */
final class LeaveAudit {

	private final LoopbackCluster cluster;

	private final List<String> unexpected;

	private String phase = "formation";

	private int mark;

	private String victim;

	LeaveAudit(LoopbackCluster cluster, List<String> unexpected) {
		this.cluster = cluster;
		this.unexpected = unexpected;
	}

	/**
	 * Ends the current phase, then begins the next.
	 * @param next the next phase's name
	 * @param victim the full name of the node that the next phase fails, or {@code null}
	 * @return the mark in the cluster's timeline where the next phase begins
	 */
	int phase(String next, String victim) {
		List<RecordedEvent> events = this.cluster.since(this.mark);
		for (RecordedEvent recorded : events) {
			if (recorded.event() instanceof EngineEvent.MemberLeft left && !left.member().name().equals(this.victim)
					&& !left.localNode().equals(this.victim)) {
				this.unexpected.add(this.phase + ": " + left.localNode() + " saw " + left.member().name() + " leave ("
						+ left.reason() + ")");
			}
		}
		this.phase = next;
		this.mark += events.size();
		this.victim = victim;
		return this.mark;
	}

}
