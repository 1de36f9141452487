package dev.clustering.autoconfigure;

import org.springframework.boot.diagnostics.AbstractFailureAnalyzer;
import org.springframework.boot.diagnostics.FailureAnalysis;

import dev.clustering.node.ClusterBindException;

/**
 * Explains a cluster transport that could not listen: which address, and which property to change.
 */
class ClusterBindFailureAnalyzer extends AbstractFailureAnalyzer<ClusterBindException> {

	@Override
	protected FailureAnalysis analyze(Throwable rootFailure, ClusterBindException cause) {
		return new FailureAnalysis(cause.getMessage(),
				"Set cluster.node.port to a free port (0 picks one and advertises it) or stop the process that holds "
						+ cause.getPort() + ". If " + cause.getHost() + " is not an address of this machine, correct "
						+ "cluster.node.host or listen elsewhere with cluster.node.bind-address.",
				cause);
	}

}
