package dev.clustering.detection;

import java.time.Duration;
import java.util.Objects;

/**
 * Settings of the phi-accrual failure detector.
 *
 * @param heartbeatInterval how often each node sends a heartbeat to each peer
 * @param acceptableHeartbeatPause extra silence tolerated on top of the usual interval (GC pauses,
 * scheduling hiccups) before phi starts to climb
 * @param threshold phi above which a peer is judged unreachable (8 means a 1e-8 chance of being wrong
 * under the observed distribution)
 * @param minStdDeviation floor for the standard deviation of heartbeat intervals, so a very regular
 * history does not make the detector trigger on the first small delay
 * @param maxSampleSize how many recent intervals are remembered per peer
 */
public record FailureDetectorSettings(Duration heartbeatInterval, Duration acceptableHeartbeatPause, double threshold,
		Duration minStdDeviation, int maxSampleSize) {

	/** The defaults: 1 s heartbeats, 1 s acceptable pause, threshold 8, 100 ms minimum deviation. */
	public static final FailureDetectorSettings DEFAULTS = new FailureDetectorSettings(Duration.ofSeconds(1),
			Duration.ofSeconds(1), 8.0, Duration.ofMillis(100), 200);

	public FailureDetectorSettings {
		Objects.requireNonNull(heartbeatInterval, "heartbeatInterval");
		Objects.requireNonNull(acceptableHeartbeatPause, "acceptableHeartbeatPause");
		Objects.requireNonNull(minStdDeviation, "minStdDeviation");
		if (heartbeatInterval.isNegative() || heartbeatInterval.isZero()) {
			throw new IllegalArgumentException("heartbeatInterval must be positive");
		}
		if (acceptableHeartbeatPause.isNegative()) {
			throw new IllegalArgumentException("acceptableHeartbeatPause must not be negative");
		}
		if (!(threshold > 0)) {
			throw new IllegalArgumentException("threshold must be positive");
		}
		if (minStdDeviation.isNegative() || minStdDeviation.isZero()) {
			throw new IllegalArgumentException("minStdDeviation must be positive");
		}
		if (maxSampleSize < 1) {
			throw new IllegalArgumentException("maxSampleSize must be at least 1");
		}
	}

}
