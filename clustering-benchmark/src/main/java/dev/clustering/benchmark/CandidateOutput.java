package dev.clustering.benchmark;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.function.BooleanSupplier;
import java.util.function.IntSupplier;
import java.util.function.LongSupplier;

import dev.clustering.leadership.LeaderInfo;
import dev.clustering.node.ClusterNode;

/**
 * How a candidate process ({@link ZooKeeperCandidate}, {@link ConsulCandidate}) talks to the
 * benchmark: one line per fact on stdout, stamped with its own wall clock in microseconds
 * ({@link Instant#now()}, the same clock the benchmark reads on this machine), and answers to
 * {@code status} lines on stdin:
 * <pre>
 * @@ READY micros value           (it runs; the value is the candidate's to say)
 * @@ LEADER micros token          (this process became leader; token -1 where there is none)
 * @@ REVOKED micros token reason  (this process lost leadership)
 * @@ STATUS micros leading ownToken leaderToken members   (the answer to a "status" line on stdin)
 * </pre>
 */
final class CandidateOutput {

	static final String PREFIX = "@@ ";

	/** Every engine candidate's cookie. */
	static final String COOKIE = "clustering-benchmark-cookie";

	private CandidateOutput() {
	}

	/** Prints a line, stamped with this process's wall clock in microseconds. */
	static void say(String kind, String rest) {
		long micros = ChronoUnit.MICROS.between(Instant.EPOCH, Instant.now());
		synchronized (System.out) {
			System.out.println((PREFIX + kind + " " + micros + " " + rest).strip());
			System.out.flush();
		}
	}

	/**
	 * Answers the benchmark's {@code status} lines until its stdin ends (the benchmark gone), then
	 * exits, which runs the shutdown hooks.
	 */
	static void serve(Status status) throws IOException {
		BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
		String line;
		while ((line = in.readLine()) != null) {
			if (line.equals("status")) {
				say("STATUS", status.leading().getAsBoolean() + " " + status.ownToken().getAsLong() + " "
						+ status.leaderToken().getAsLong() + " " + status.members().getAsInt());
			}
		}
		System.exit(0);
	}

	/** What a "status" line is answered with: -1 for a token or a count there is none of. */
	record Status(BooleanSupplier leading, LongSupplier ownToken, LongSupplier leaderToken, IntSupplier members) {

		/** An engine node's answers. */
		static Status of(ClusterNode node) {
			return new Status(() -> node.leadership().isLeader(),
					() -> node.leadership().ownLeadership().map(LeaderInfo::fencingToken).orElse(-1L),
					() -> node.leadership().leader().map(LeaderInfo::fencingToken).orElse(-1L),
					() -> node.members().size());
		}

	}

}
