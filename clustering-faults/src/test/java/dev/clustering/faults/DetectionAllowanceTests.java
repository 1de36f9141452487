package dev.clustering.faults;

import java.time.Duration;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Rule 3's detection allowance: what the nodes' own logs say detection took, within the README's
 * figure and a ceiling.
 */
class DetectionAllowanceTests {

	private static final String LINE = "2026-12-02T04:13:05.959Z  WARN 30559 --- [sample] [ cluster-n1-1-1] "
			+ "dev.clustering.node.Mesh                 : Node n2@10.231.23.12 is unreachable: nothing heard for %d ms "
			+ "(phi 8.1)";

	@Test
	void withoutAJudgementTheReadmesDetectionIsAllowed() {
		assertThat(FaultSuite.detection(Stream.of("Node n2 joined", "Node n3 left (LEFT)")))
			.isEqualTo(FaultSuite.DETECTION);
	}

	@Test
	void aFasterJudgementDoesNotShortenTheAllowance() {
		assertThat(FaultSuite.detection(Stream.of(String.format(LINE, 1900)))).isEqualTo(FaultSuite.DETECTION);
	}

	@Test
	void theSlowestJudgementOfTheRunIsAllowed() {
		assertThat(FaultSuite.detection(Stream.of(String.format(LINE, 2400), String.format(LINE, 4373), "other")))
			.isEqualTo(Duration.ofMillis(4373));
	}

	@Test
	void noJudgementIsAllowedMoreThanTheCeiling() {
		assertThat(FaultSuite.detection(Stream.of(String.format(LINE, 30000)))).isEqualTo(FaultSuite.MAX_DETECTION);
	}

}
