package dev.clustering.faults;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The fault suite against the sample jar: five processes in their own network namespaces (needs
 * root). {@code -Dfaults.mode=long} runs the long version (bin/faults).
 */
class FaultSuiteIT {

	@Test
	void historyKeepsEveryRuleThroughNetworkAndProcessFaults() throws Exception {
		FaultSuite.Result result = new FaultSuite(FaultSuite.Settings.fromSystemProperties()).run();
		System.out.println(result.report());
		assertThat(result.passed()).withFailMessage("%n%s", result.report()).isTrue();
	}

}
