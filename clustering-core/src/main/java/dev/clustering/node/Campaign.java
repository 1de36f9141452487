package dev.clustering.node;

import java.time.Clock;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.clustering.transport.FrameCodec;
import dev.clustering.transport.Message;
import dev.clustering.transport.WarningLimiter;

/**
 * The candidate's side of {@link Election} (its campaign, as the registry strategies call theirs):
 * when this node may stand (by age, after it settled, backed off or yielded), and its candidacy with
 * the votes granted to it. Owned by the event loop, through {@link Election}.
 */
final class Campaign {

	// logs as the election it is part of
	private static final Logger logger = LoggerFactory.getLogger(Election.class);

	/** What a vote did to this node's candidacy. */
	enum Count {

		/** Nothing: it was for no current candidacy, or it came too late and the candidacy ended. */
		IGNORED,

		/** It was counted (or told this node who leads). */
		COUNTED,

		/** It made a quorum: this node won. */
		WON

	}

	private final String self;

	private final long leaseNanos;

	private final long marginNanos;

	private final Clock clock;

	private final Election.Outbox out;

	private final WarningLimiter warnings;

	private final Voter voter;

	private Candidacy candidacy;

	private long settleUntilNanos;

	private long backoffUntilNanos;

	private long yieldedUntilNanos;

	private boolean yielded;

	// since when this node has had no leader (for the staggered candidacy)
	private boolean leaderless;

	private long leaderlessSinceNanos;

	Campaign(String self, long leaseNanos, long marginNanos, Clock clock, long now, Election.Outbox out,
			WarningLimiter warnings, Voter voter) {
		this.self = self;
		this.leaseNanos = leaseNanos;
		this.marginNanos = marginNanos;
		this.clock = clock;
		this.out = out;
		this.warnings = warnings;
		this.voter = voter;
		// it hears the others out before it stands, so it joins a leader rather than racing it
		this.settleUntilNanos = now + leaseNanos;
		this.backoffUntilNanos = now;
		this.yieldedUntilNanos = now;
	}

	// the later of two monotonic times (compared by difference, as nanoTime values must be)
	private static long later(long a, long b) {
		return (a - b > 0) ? a : b;
	}

	/**
	 * Whether this node stands now.
	 * @return whether it does
	 */
	boolean standing() {
		return this.candidacy != null;
	}

	/**
	 * Ends the wait after a yield once it ran out.
	 * @param now monotonic nanoseconds
	 */
	void expireYield(long now) {
		if (this.yielded && now - this.yieldedUntilNanos >= 0) {
			this.yielded = false;
		}
	}

	/**
	 * Ends a candidacy that did not win within a lease, or asks again those that have not granted.
	 * @param roster the members
	 * @param now monotonic nanoseconds
	 */
	void review(Roster roster, long now) {
		if (this.candidacy != null && now - this.candidacy.startNanos >= this.leaseNanos) {
			logger.info("Node {} did not win the election with token {} ({} of {} votes); standing again later",
					this.self, this.candidacy.token, this.candidacy.granted.size(), roster.needed());
			abandon(now);
		}
		else if (this.candidacy != null) {
			// ask again those that have not granted: a voter that refused may be free by now (it had not yet
			// heard that the old leader died, or it had just started)
			requestVotes(roster, this.candidacy, true);
		}
	}

	/**
	 * This node has no leader: notes since when, and says whether it may stand now.
	 * @param roster the members
	 * @param now monotonic nanoseconds
	 * @param leaving whether this node leaves
	 * @return whether it may stand
	 */
	boolean leaderless(Roster roster, long now, boolean leaving) {
		if (!this.leaderless) {
			this.leaderless = true;
			this.leaderlessSinceNanos = now;
		}
		return mayStand(roster, now, leaving);
	}

	/** This node has a leader (itself included), or supports a candidate. */
	void led() {
		this.leaderless = false;
	}

	private boolean mayStand(Roster roster, long now, boolean leaving) {
		if (leaving || this.yielded || !roster.hasQuorum() || now - this.settleUntilNanos < 0
				|| now - this.backoffUntilNanos < 0) {
			return false;
		}
		List<String> order = roster.candidatesByAge(this.voter.excluded());
		int rank = order.indexOf(this.self);
		if (rank < 0) {
			return false;
		}
		// the oldest stands at once; each younger one half a lease later than the one before it, counted
		// from when this node could first have stood
		long since = later(this.leaderlessSinceNanos, later(this.settleUntilNanos, this.backoffUntilNanos));
		return now - since >= rank * (this.leaseNanos / 2);
	}

	/**
	 * This node stands with a token larger than any it has seen and than the wall clock in
	 * milliseconds, and asks every reachable member for its vote unless it needs none.
	 * @param roster the members
	 * @param now monotonic nanoseconds
	 * @param highest the largest token this node has seen
	 * @return the candidacy's token, or 0 if tokens are exhausted
	 */
	long stand(Roster roster, long now, long highest) {
		long token = Math.max(highest + 1, this.clock.millis());
		if (token > FrameCodec.MAX_LEADER_TOKEN) {
			this.warnings.warn(logger, "exhausted", "Node {} cannot stand for election: leadership tokens are "
					+ "exhausted", this.self);
			return 0;
		}
		this.candidacy = new Candidacy(token, now);
		this.candidacy.granted.add(this.self);
		this.voter.stand(token, now + this.leaseNanos);
		logger.debug("Node {} stands for election with token {}", this.self, token);
		if (roster.needed() > 1) {
			requestVotes(roster, this.candidacy, false);
		}
		return token;
	}

	private void requestVotes(Roster roster, Candidacy current, boolean again) {
		Message.VoteRequest request = new Message.VoteRequest(current.token, roster.known(),
				Election.leaseMillis(this.leaseNanos));
		for (String member : roster.reachable().keySet()) {
			if (!roster.leaving().contains(member) && !(again && current.granted.contains(member))) {
				this.out.send(member, request);
			}
		}
	}

	/**
	 * Counts a vote.
	 * @param from the voter
	 * @param vote its vote
	 * @param roster the members
	 * @param now monotonic nanoseconds
	 * @return what it did
	 */
	Count voted(String from, Message.Vote vote, Roster roster, long now) {
		if (this.candidacy == null || vote.token() != this.candidacy.token) {
			return Count.IGNORED;
		}
		if (now - this.candidacy.startNanos >= this.leaseNanos - this.marginNanos) {
			// too late (this node was stalled?): those promises have run out; stand again later
			abandon(now);
			return Count.IGNORED;
		}
		if (vote.granted()) {
			this.candidacy.granted.add(from);
			if (this.candidacy.granted.size() >= roster.needed()) {
				return Count.WON;
			}
		}
		else if (!vote.leader().isEmpty() && vote.leaderToken() > 0 && roster.isMember(vote.leader())) {
			// someone leads already, as far as that voter knows (maybe one this node cannot hear): this node
			// knows who leads, yet stays a candidate and asks again until its candidacy ends, since the voter
			// is free at most a lease after the last renewal it heard (when a cut reaches the voters one
			// after another, their promises end at different times; giving up at the first refusal, and
			// waiting a lease before standing again, made the election take several leases)
			this.voter.learn(vote.leader(), vote.leaderToken(), now);
		}
		return Count.COUNTED;
	}

	/**
	 * This node won: its candidacy ends and becomes a leadership.
	 * @return the candidacy that won
	 */
	Candidacy won() {
		Candidacy won = this.candidacy;
		this.candidacy = null;
		return won;
	}

	/**
	 * Gives up the candidacy and withdraws it: those that voted for it are free at once rather than
	 * bound for a lease to a candidacy that can no longer win (it ignores every vote from now on).
	 * @param now monotonic nanoseconds
	 */
	void abandon(long now) {
		Message.Resign withdrawal = new Message.Resign(this.candidacy.token);
		this.candidacy.granted.stream().filter((member) -> !member.equals(this.self))
			.forEach((member) -> this.out.send(member, withdrawal));
		this.candidacy = null;
		this.voter.withdrew();
		// jitter keeps two candidates that failed together from standing together again
		long jitter = (long) (Math.random() * (this.leaseNanos / 4));
		this.backoffUntilNanos = now + this.leaseNanos / 2 + jitter;
	}

	/**
	 * A member is gone for good: its vote no longer counts.
	 * @param name the member
	 */
	void memberEnded(String name) {
		if (this.candidacy != null) {
			this.candidacy.granted.remove(name);
		}
	}

	/**
	 * This node found it was paused: it hears the others out before standing again.
	 * @param now monotonic nanoseconds
	 */
	void paused(long now) {
		this.settleUntilNanos = now + this.leaseNanos;
	}

	/**
	 * This node yielded its leadership: it does not stand for a while.
	 * @param now monotonic nanoseconds
	 */
	void yielded(long now) {
		this.yielded = true;
		this.yieldedUntilNanos = now + Election.YIELD_NANOS;
	}

	/**
	 * This node stepped down: it does not stand again for a lease.
	 * @param now monotonic nanoseconds
	 */
	void steppedDown(long now) {
		this.backoffUntilNanos = now + this.leaseNanos;
	}

	/** This node leaves: it no longer stands. */
	void leave() {
		this.candidacy = null;
	}

	/** A candidacy: its token, when it began, and who granted it (this node included). */
	static final class Candidacy {

		final long token;

		final long startNanos;

		final Set<String> granted = new HashSet<>();

		Candidacy(long token, long startNanos) {
			this.token = token;
			this.startNanos = startNanos;
		}

	}

}
