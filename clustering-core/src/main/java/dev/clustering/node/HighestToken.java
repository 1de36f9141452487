package dev.clustering.node;

import java.time.Clock;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.clustering.transport.WarningLimiter;

/**
 * The largest leadership token this node has seen or chosen (its candidacies outbid it, its votes
 * tell it), and which tokens it believes at all (see {@link #MAX_TOKEN_AHEAD_MILLIS}). Owned by the
 * node's event loop, like {@link Election}.
 */
final class HighestToken {

	// its warnings keep the logger they always had
	private static final Logger logger = LoggerFactory.getLogger(Election.class);

	/**
	 * How far ahead of this node's wall clock a leadership token may be: tokens are the wall clock in
	 * milliseconds when they are chosen, so one further ahead comes from a clock far off, or from a
	 * member that lies; it is refused, and never raises the tokens this node will choose.
	 */
	static final long MAX_TOKEN_AHEAD_MILLIS = 10 * 60_000L;

	private final String self;

	private final Clock clock;

	private final WarningLimiter warnings;

	private long highest;

	HighestToken(String self, Clock clock, WarningLimiter warnings) {
		this.self = self;
		this.clock = clock;
		this.warnings = warnings;
	}

	/**
	 * The largest token seen or chosen.
	 * @return the token, or 0
	 */
	long get() {
		return this.highest;
	}

	/**
	 * Whether a token from a member is believable (else a rate-limited warning says why not).
	 * @param from the member
	 * @param token its token
	 * @return whether it is no further ahead of this node's clock than allowed
	 */
	boolean believable(String from, long token) {
		if (token <= this.clock.millis() + MAX_TOKEN_AHEAD_MILLIS) {
			return true;
		}
		this.warnings.warn(logger, "token " + from, "Node {} ignores leadership token {} from {}: it is more than {} "
				+ "min ahead of this node's clock (are the clocks set?)", this.self, token, from,
				MAX_TOKEN_AHEAD_MILLIS / 60_000);
		return false;
	}

	/**
	 * A believable token was seen.
	 * @param token the token
	 */
	void saw(long token) {
		this.highest = Math.max(this.highest, token);
	}

	/**
	 * This node stands with a token (larger than any it saw).
	 * @param token the token
	 */
	void chose(long token) {
		this.highest = token;
	}

}
