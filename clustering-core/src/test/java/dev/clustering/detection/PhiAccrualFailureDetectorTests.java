package dev.clustering.detection;

import java.time.Duration;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class PhiAccrualFailureDetectorTests {

	private static final long MS = 1_000_000L;

	private final FailureDetectorSettings settings = FailureDetectorSettings.DEFAULTS;

	private PhiAccrualFailureDetector steadyFor(int beats) {
		PhiAccrualFailureDetector detector = new PhiAccrualFailureDetector(this.settings);
		for (int i = 0; i <= beats; i++) {
			detector.heartbeat(i * 1000 * MS);
		}
		return detector;
	}

	@Test
	void availableBeforeAnyHeartbeat() {
		PhiAccrualFailureDetector detector = new PhiAccrualFailureDetector(this.settings);
		assertThat(detector.phi(123 * MS)).isZero();
		assertThat(detector.isAvailable(Long.MAX_VALUE / 2)).isTrue();
	}

	@Test
	void regularHeartbeatsKeepPhiLow() {
		PhiAccrualFailureDetector detector = steadyFor(10);
		long last = 10_000 * MS;
		assertThat(detector.phi(last + 1000 * MS)).isLessThan(0.5);
		assertThat(detector.isAvailable(last + 1900 * MS)).isTrue();
	}

	@Test
	void phiGrowsWithSilenceAndCrossesTheThresholdWithinAFewSeconds() {
		PhiAccrualFailureDetector detector = steadyFor(30);
		long last = 30_000 * MS;
		double previous = 0;
		for (long ms = 1000; ms <= 2500; ms += 100) {
			double phi = detector.phi(last + ms * MS);
			assertThat(phi).isGreaterThanOrEqualTo(previous);
			previous = phi;
		}
		// heartbeat 1 s + acceptable pause 1 s + ~5.6 minimum deviations
		assertThat(detector.isAvailable(last + 2400 * MS)).isTrue();
		assertThat(detector.isAvailable(last + 2700 * MS)).isFalse();
	}

	@Test
	void irregularHistoryIsJudgedMoreLeniently() {
		PhiAccrualFailureDetector jittery = new PhiAccrualFailureDetector(this.settings);
		long t = 0;
		for (int i = 0; i < 30; i++) {
			t += ((i % 2 == 0) ? 600 : 1400) * MS;
			jittery.heartbeat(t);
		}
		PhiAccrualFailureDetector steady = steadyFor(30);
		assertThat(jittery.phi(t + 2600 * MS)).isLessThan(steady.phi(30_000 * MS + 2600 * MS));
	}

	@Test
	void restartingSilenceForgivesOurOwnPause() {
		PhiAccrualFailureDetector detector = steadyFor(10);
		long pausedUntil = 10_000 * MS + 10_000 * MS;
		assertThat(detector.isAvailable(pausedUntil)).isFalse();
		detector.restartSilence(pausedUntil);
		assertThat(detector.isAvailable(pausedUntil + 500 * MS)).isTrue();
	}

	@Test
	void anOutageIsNotRecordedAsAnIntervalSoTheNextOneIsDetectedAsFast() {
		PhiAccrualFailureDetector detector = steadyFor(30);
		long last = 30_000 * MS;
		long detectAfterSteady = firstUnavailable(detector, last);
		// a 4 s freeze, then heartbeats resume
		long thawed = last + 4000 * MS;
		detector.heartbeat(thawed);
		for (int i = 1; i <= 5; i++) {
			detector.heartbeat(thawed + i * 1000 * MS);
		}
		long resumed = thawed + 5000 * MS;
		assertThat(firstUnavailable(detector, resumed)).isEqualTo(detectAfterSteady);
	}

	@Test
	void theFirstIntervalOfANewConnectionIsNotRecorded() {
		PhiAccrualFailureDetector detector = new PhiAccrualFailureDetector(this.settings);
		detector.start(0);
		detector.heartbeat(100 * MS); // the peer's timer is not aligned with the handshake
		for (int i = 1; i <= 5; i++) {
			detector.heartbeat(100 * MS + i * 1000 * MS);
		}
		long last = 5100 * MS;
		// judged as a steady history would be: about 2.5 s of silence
		assertThat(firstUnavailable(detector, last)).isBetween(2400L, 2700L);
	}

	// milliseconds of silence after which the detector first judges the peer unavailable
	private static long firstUnavailable(PhiAccrualFailureDetector detector, long since) {
		for (long ms = 0; ms < 20_000; ms += 10) {
			if (!detector.isAvailable(since + ms * MS)) {
				return ms;
			}
		}
		return Long.MAX_VALUE;
	}

	@Test
	void shorterSettingsDetectSooner() {
		FailureDetectorSettings fast = new FailureDetectorSettings(Duration.ofMillis(100), Duration.ofMillis(100), 8.0,
				Duration.ofMillis(20), 100);
		PhiAccrualFailureDetector detector = new PhiAccrualFailureDetector(fast);
		for (int i = 0; i <= 20; i++) {
			detector.heartbeat(i * 100 * MS);
		}
		assertThat(detector.isAvailable(2000 * MS + 400 * MS)).isFalse();
	}

}
