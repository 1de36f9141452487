package dev.clustering.benchmark;

import java.time.Duration;
import java.util.Arrays;
import java.util.Collection;
import java.util.Locale;

/**
 * Number formatting and percentiles.
 */
final class Format {

	/** Detection timeout: an infinite delay (never reported) prints as "&gt; timeout". */
	static Duration timeout = Duration.ofSeconds(8);

	private Format() {
	}

	static String duration(Duration d) {
		long ms = d.toMillis();
		if (ms == 0) {
			return "0";
		}
		if (ms % 60_000 == 0) {
			return (ms / 60_000) + "m";
		}
		if (ms % 1000 == 0) {
			return (ms / 1000) + "s";
		}
		return ms + "ms";
	}

	/** Milliseconds with a precision suited to the magnitude; "-" for NaN. */
	static String ms(double millis) {
		if (Double.isNaN(millis)) {
			return "-";
		}
		if (Double.isInfinite(millis)) {
			return "> " + duration(timeout);
		}
		if (millis >= 10_000) {
			return String.format(Locale.ROOT, "%.1f s", millis / 1000);
		}
		if (millis >= 1000) {
			return String.format(Locale.ROOT, "%.2f s", millis / 1000);
		}
		if (millis >= 100) {
			return String.format(Locale.ROOT, "%.0f ms", millis);
		}
		if (millis >= 10) {
			return String.format(Locale.ROOT, "%.1f ms", millis);
		}
		return String.format(Locale.ROOT, "%.2f ms", millis);
	}

	static String bytes(double bytes) {
		if (Double.isNaN(bytes)) {
			return "-";
		}
		double abs = Math.abs(bytes);
		if (abs >= 1024 * 1024) {
			return String.format(Locale.ROOT, "%.2f MB", bytes / (1024 * 1024));
		}
		if (abs >= 1024) {
			return String.format(Locale.ROOT, "%.1f KB", bytes / 1024);
		}
		return String.format(Locale.ROOT, "%.0f B", bytes);
	}

	static String rate(double bytesPerSecond) {
		if (Double.isNaN(bytesPerSecond)) {
			return "-";
		}
		if (bytesPerSecond >= 10 * 1024) {
			return String.format(Locale.ROOT, "%.1f KB/s", bytesPerSecond / 1024);
		}
		if (bytesPerSecond >= 100) {
			return String.format(Locale.ROOT, "%.0f B/s", bytesPerSecond);
		}
		return String.format(Locale.ROOT, "%.2f B/s", bytesPerSecond);
	}

	static String num(double value, int decimals) {
		if (Double.isNaN(value)) {
			return "-";
		}
		return String.format(Locale.ROOT, "%." + decimals + "f", value);
	}

	static double[] sorted(Collection<Double> values) {
		double[] array = values.stream().mapToDouble(Double::doubleValue).toArray();
		Arrays.sort(array);
		return array;
	}

	/** Nearest-rank percentile of sorted values; NaN when there are none. */
	static double percentile(double[] sorted, double p) {
		if (sorted.length == 0) {
			return Double.NaN;
		}
		int rank = (int) Math.ceil(p / 100.0 * sorted.length);
		return sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))];
	}

	static double max(double[] sorted) {
		return (sorted.length == 0) ? Double.NaN : sorted[sorted.length - 1];
	}

	/** A percentile of unsorted values, in ms. */
	static String ms(Collection<Double> values, double p) {
		return ms(percentile(sorted(values), p));
	}

	/** "p50 / p99" of sorted values. */
	static String pair(double[] sorted) {
		return ms(percentile(sorted, 50)) + " / " + ms(percentile(sorted, 99));
	}

	/** "p50 / max" of sorted values. */
	static String pairMax(double[] sorted) {
		return ms(percentile(sorted, 50)) + " / " + ms(max(sorted));
	}

	/** Whether a value met its goal (below it); {@code null} (no verdict) for NaN. */
	static Boolean verdict(double value, double goal) {
		return Double.isNaN(value) ? null : value < goal;
	}

}
