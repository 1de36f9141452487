package dev.clustering.autoconfigure;

import org.springframework.boot.diagnostics.AbstractFailureAnalyzer;
import org.springframework.boot.diagnostics.FailureAnalysis;

/**
 * Names the mandatory nodes that did not join in time.
 */
class ClusterSyncFailureAnalyzer extends AbstractFailureAnalyzer<ClusterSyncException> {

	@Override
	protected FailureAnalysis analyze(Throwable rootFailure, ClusterSyncException cause) {
		return new FailureAnalysis(cause.getMessage(), "Start the nodes " + cause.getMissing()
				+ " (and check that discovery lists them and that they share cluster.cookie), or correct "
				+ "cluster.sync-nodes.mandatory, or raise cluster.sync-nodes.timeout.", cause);
	}

}
