package dev.clustering.node;

import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.clustering.transport.Message;
import dev.clustering.transport.WarningLimiter;

/**
 * The voter's side of {@link Election}: whom this node supports and until when, the largest token
 * it granted, the leader it learned of without supporting it, and the members it keeps from
 * standing for a while. It answers vote requests and follows the leader that renews its promise.
 * Owned by the event loop, through {@link Election}.
 */
final class Voter {

	// logs as the election it is part of
	private static final Logger logger = LoggerFactory.getLogger(Election.class);

	/**
	 * How this node answers a vote request.
	 * @param grant whether it grants its vote
	 * @param withdraw whether this node first withdraws its own candidacy (an older candidate stands)
	 * @param refusedFor the leader this node supports, named in a refusal, or empty
	 * @param refusedToken that leader's token, or 0
	 */
	record Answer(boolean grant, boolean withdraw, String refusedFor, long refusedToken) {
	}

	/** What this node made of a leader's renewal. */
	enum Renewal {

		/** It supports another leader (or stands itself) until its promise runs out. */
		IGNORED,

		/** It may not promise, but it knows who leads. */
		LEARNED,

		/** It supports the leader and acknowledged the renewal. */
		FOLLOWED

	}

	private final String self;

	private final long leaseNanos;

	private final Election.Outbox out;

	private final WarningLimiter warnings;

	private final PublishedLeadership published;

	private final long noVoteUntilNanos;

	private long highestGranted;

	// whom this node supports (itself while a candidate or the leader), or null
	private Support support;

	private Learned learned;

	// nodes that may not stand now (their lease lapsed, they resigned), until a time
	private final Map<String, Long> excluded = new HashMap<>();

	// follower: the renewals this node acknowledged, and when
	private final RenewalLog renewals = new RenewalLog();

	Voter(String self, long leaseNanos, long now, Election.Outbox out, WarningLimiter warnings,
			PublishedLeadership published) {
		this.self = self;
		this.leaseNanos = leaseNanos;
		this.out = out;
		this.warnings = warnings;
		this.published = published;
		// a new process cannot know what its previous incarnation promised: no votes for one lease
		this.noVoteUntilNanos = now + leaseNanos;
	}

	// a promise lasts at least this node's lease and at least the one the leader counts on
	private long promise(long leaderLeaseMillis) {
		return Math.max(this.leaseNanos, TimeUnit.MILLISECONDS.toNanos(leaderLeaseMillis));
	}

	/**
	 * Forgets the exclusions that ran out, and the leader that stopped renewing: it may be dead or cut
	 * off, so this node is free to vote again and the leader does not stand for a while.
	 * @param now monotonic nanoseconds
	 */
	void lapse(long now) {
		this.excluded.values().removeIf((until) -> now - until >= 0);
		if (this.support != null && !this.support.leader.equals(this.self) && !Deadlines.holds(this.support.untilNanos, now)) {
			// the leader stopped renewing: it may be dead or cut off; it does not stand for a while
			logger.info("Node {} heard no renewal from leader {} for a lease; it is free to vote again", this.self,
					this.support.leader);
			this.excluded.put(this.support.leader, now + this.leaseNanos);
			this.support = null;
		}
	}

	/**
	 * The members that may not stand now.
	 * @return their names
	 */
	Set<String> excluded() {
		return this.excluded.keySet();
	}

	/**
	 * Whether this node supports someone (itself included), lapsed or not.
	 * @return whether it does
	 */
	boolean promised() {
		return this.support != null;
	}

	/**
	 * Whether this node supports no one and has learned of no leader for a lease (a learned leader
	 * older than three leases is forgotten here).
	 * @param now monotonic nanoseconds
	 * @return whether it has
	 */
	boolean heardNoLeader(long now) {
		Learned known = learnedLeader(now);
		return this.support == null && (known == null || now - known.atNanos >= this.leaseNanos);
	}

	/**
	 * Decides how to answer a vote request; changes nothing (see {@link #grant}).
	 * @param from the candidate
	 * @param request its request
	 * @param roster the members
	 * @param now monotonic nanoseconds
	 * @param leaving whether this node leaves
	 * @param leading this node's leadership if its lease holds, or {@code null}
	 * @param standing whether this node is a candidate
	 * @return the answer
	 */
	Answer answer(String from, Message.VoteRequest request, Roster roster, long now, boolean leaving,
			LeaderTerm leading, boolean standing) {
		long token = request.token();
		if (leaving || now - this.noVoteUntilNanos < 0) {
			return new Answer(false, false, "", 0);
		}
		if (!roster.quorumAtLeastMine(request.known())) {
			// the candidate counts fewer nodes than this one knows of: its majority may not be one
			this.warnings.warn(logger, "known " + from, "Node {} refuses to vote for {}, which counts {} nodes where "
					+ "this node knows of {} (a quorum of {}): do all nodes' topologies list the same nodes?", this.self,
					from, request.known(), roster.known(), roster.needed());
			return new Answer(false, false, "", 0);
		}
		if (leading != null) {
			return new Answer(false, false, this.self, leading.token);
		}
		if (supportValid(now) && !this.support.leader.equals(from)) {
			if (standing && this.support.leader.equals(this.self) && olderThanMe(from, roster)
					&& token > this.highestGranted) {
				// an older candidate stands too: let it win rather than split the votes
				return new Answer(true, true, "", 0);
			}
			// named only if it leads: a candidate this node voted for may never win, and one that
			// gives up frees this node at once (it withdraws)
			if (!this.support.leader.equals(this.self) && this.support.leads) {
				return new Answer(false, false, this.support.leader, this.support.token);
			}
			return new Answer(false, false, "", 0);
		}
		if (supportValid(now) && this.support.leader.equals(from) && this.support.token == token) {
			return new Answer(true, false, "", 0);
		}
		return new Answer(token > this.highestGranted, false, "", 0);
	}

	/**
	 * This node grants its vote: it promises a candidate not to support another for a lease.
	 * @param from the candidate
	 * @param request its request
	 * @param now monotonic nanoseconds
	 */
	void grant(String from, Message.VoteRequest request, long now) {
		this.support = new Support(from, request.token(), now + promise(request.leaseMillis()), false);
		this.highestGranted = Math.max(this.highestGranted, request.token());
		this.learned = null;
	}

	/**
	 * A leader renews this node's promise (this node neither leads nor stands).
	 * @param from the leader
	 * @param renew its renewal
	 * @param roster the members
	 * @param now monotonic nanoseconds
	 * @param leaving whether this node leaves
	 * @return what this node made of it
	 */
	Renewal renewed(String from, Message.LeaseRenew renew, Roster roster, long now, boolean leaving) {
		boolean supporting = supportValid(now) && this.support.leader.equals(from)
				&& this.support.token == renew.token();
		if (!supporting) {
			if (supportValid(now)) {
				return Renewal.IGNORED; // this node supports another leader until its promise runs out
			}
			if (leaving || now - this.noVoteUntilNanos < 0 || !roster.quorumAtLeastMine(renew.known())) {
				// may not promise (yet, or to a leader that counts fewer nodes than this one knows of): still,
				// this node knows who leads
				this.learned = new Learned(from, renew.token(), now);
				return Renewal.LEARNED;
			}
			// a leader that renews holds a lease from a quorum, so no other leader can hold one: support it,
			// even if this node voted meanwhile for a candidate (with a larger token) that did not win
			this.highestGranted = Math.max(this.highestGranted, renew.token());
			this.learned = null;
		}
		this.support = new Support(from, renew.token(), now + promise(renew.leaseMillis()), true);
		this.excluded.remove(from);
		this.renewals.acknowledged(renew.token(), renew.sequence(), now);
		this.out.send(from, new Message.LeaseAck(renew.token(), renew.sequence()));
		if (renew.acked() > 0) {
			long acknowledgedAt = this.renewals.acknowledgedAt(renew.token(), renew.acked());
			if (acknowledgedAt != Deadlines.NONE) {
				this.published.anchorAt(acknowledgedAt);
			}
		}
		return Renewal.FOLLOWED;
	}

	/**
	 * A voter said who leads, as far as it knows: this node knows it, without supporting it.
	 * @param leader the leader
	 * @param token its token
	 * @param now monotonic nanoseconds
	 */
	void learn(String leader, long token, long now) {
		this.learned = new Learned(leader, token, now);
	}

	/**
	 * A leader or candidate resigned (or withdrew): this node is free of it, and it does not stand for
	 * a while.
	 * @param from the member
	 * @param token its token
	 * @param now monotonic nanoseconds
	 */
	void resigned(String from, long token, long now) {
		if (this.support != null && this.support.leader.equals(from) && this.support.token == token) {
			this.support = null;
		}
		if (this.learned != null && this.learned.leader.equals(from)) {
			this.learned = null;
		}
		this.excluded.put(from, now + Election.YIELD_NANOS);
	}

	/**
	 * A member is gone for good: this node is free of it at once.
	 * @param name the member
	 */
	void memberEnded(String name) {
		if (this.support != null && this.support.leader.equals(name)) {
			logger.info("Leader {} is gone; node {} is free to vote at once", name, this.self);
			this.support = null;
		}
		if (this.learned != null && this.learned.leader.equals(name)) {
			this.learned = null;
		}
	}

	/**
	 * This node stands: it votes for itself.
	 * @param token its candidacy's token
	 * @param untilNanos until when
	 */
	void stand(long token, long untilNanos) {
		this.highestGranted = Math.max(this.highestGranted, token);
		this.support = new Support(this.self, token, untilNanos, false);
	}

	/**
	 * This node won: it supports itself for as long as it leads.
	 * @param token its leadership's token
	 */
	void won(long token) {
		this.support = new Support(this.self, token, Deadlines.FOREVER, true);
		this.learned = null;
	}

	/** This node gave up its candidacy: if it supported itself, it supports no one. */
	void withdrew() {
		if (this.support != null && this.support.leader.equals(this.self)) {
			this.support = null;
		}
	}

	/** This node stepped down: it supports no one. */
	void release() {
		this.support = null;
	}

	/** This node leaves: it supports no one and knows of no leader. */
	void leave() {
		this.support = null;
		this.learned = null;
	}

	/**
	 * Shows the leader this node supports (a candidate it only voted for is no leader: it may never
	 * win), else the one it learned of, else none.
	 * @param now monotonic nanoseconds
	 */
	void show(long now) {
		String leader = null;
		long token = 0;
		if (supportValid(now) && !this.support.leader.equals(this.self) && this.support.leads) {
			// a candidate this node only voted for is no leader (it may never win)
			leader = this.support.leader;
			token = this.support.token;
		}
		else {
			Learned known = learnedLeader(now);
			if (known != null) {
				leader = known.leader;
				token = known.token;
			}
		}
		this.published.show(leader, token);
	}

	private boolean supportValid(long now) {
		return this.support != null && Deadlines.holds(this.support.untilNanos, now);
	}

	private boolean olderThanMe(String other, Roster roster) {
		Long started = roster.reachable().get(other);
		return started != null && (started < roster.selfStartedAt()
				|| (started == roster.selfStartedAt() && other.compareTo(this.self) < 0));
	}

	private Learned learnedLeader(long now) {
		if (this.learned != null && now - this.learned.atNanos >= 3 * this.leaseNanos) {
			this.learned = null;
		}
		return this.learned;
	}

	// leads: the supported node renewed (it won); otherwise this node only voted for it (a candidate)
	private record Support(String leader, long token, long untilNanos, boolean leads) {
	}

	private record Learned(String leader, long token, long atNanos) {
	}

}
