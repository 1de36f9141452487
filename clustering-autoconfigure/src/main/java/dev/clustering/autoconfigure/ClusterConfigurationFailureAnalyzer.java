package dev.clustering.autoconfigure;

import org.springframework.boot.diagnostics.AbstractFailureAnalyzer;
import org.springframework.boot.diagnostics.FailureAnalysis;

/**
 * Turns a wrong {@code cluster.*} property into a start-up report naming the property and the fix.
 */
class ClusterConfigurationFailureAnalyzer extends AbstractFailureAnalyzer<ClusterConfigurationException> {

	@Override
	protected FailureAnalysis analyze(Throwable rootFailure, ClusterConfigurationException cause) {
		return new FailureAnalysis("Invalid cluster configuration: " + cause.getProblem(), cause.getAction(), cause);
	}

}
