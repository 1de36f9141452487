package dev.clustering.node;

import java.time.Clock;
import java.util.function.LongSupplier;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.clustering.leadership.RevocationReason;
import dev.clustering.transport.Message;

/**
 * The leader's side of {@link Election}: this node's leadership (a {@link LeaderTerm}), the renewals
 * it sends, and the lease that follows from their acknowledgements, which it publishes. Owned by the
 * event loop, through {@link Election}.
 */
final class Leader {

	// logs as the election it is part of
	private static final Logger logger = LoggerFactory.getLogger(Election.class);

	private final String self;

	private final long leaseNanos;

	private final long marginNanos;

	private final long renewEveryNanos;

	private final Clock clock;

	private final LongSupplier nanoTime;

	private final Election.Outbox out;

	private final PublishedLeadership published;

	private LeaderTerm term;

	Leader(String self, long leaseNanos, long marginNanos, Clock clock, LongSupplier nanoTime, Election.Outbox out,
			PublishedLeadership published) {
		this.self = self;
		this.leaseNanos = leaseNanos;
		this.marginNanos = marginNanos;
		this.renewEveryNanos = Math.max(leaseNanos / 4, 1_000_000L);
		this.clock = clock;
		this.nanoTime = nanoTime;
		this.out = out;
		this.published = published;
	}

	/**
	 * Whether this node has a leadership, its lease valid or not.
	 * @return whether it has
	 */
	boolean leads() {
		return this.term != null;
	}

	/**
	 * This node's leadership if its lease is valid now.
	 * @return the leadership, or {@code null}
	 */
	LeaderTerm validTerm() {
		return (this.term != null && this.published.leads(this.nanoTime.getAsLong())) ? this.term : null;
	}

	/**
	 * When this node's current leadership began, or -1.
	 * @return monotonic nanoseconds
	 */
	long sinceNanos() {
		return (this.term != null) ? this.term.sinceNanos : -1;
	}

	/**
	 * The token of this node's current leadership, or 0.
	 * @return the token
	 */
	long token() {
		return (this.term != null) ? this.term.token : 0;
	}

	/**
	 * When this leader last heard a member acknowledge a renewal of this term (see
	 * {@link Election#lastAckNanos}).
	 * @param member the member
	 * @return monotonic nanoseconds, or {@link Long#MIN_VALUE} if it acknowledged none
	 */
	long lastAckNanos(String member) {
		LeaderTerm term = this.term;
		return (term != null) ? term.lastAckNanos(member) : Long.MIN_VALUE;
	}

	/**
	 * Whether a member supports this leader (see {@link Election#supportsMe}).
	 * @param member the member
	 * @return whether it does
	 */
	boolean supportsMe(String member) {
		LeaderTerm term = this.term;
		// a renewal it acknowledged (a vote alone gives it no permit: confirmTo has nothing to echo), and
		// recently: a member that no longer acknowledges (it stopped hearing renewals, a one-way cut) holds
		// no permit, so a singleton placed on it would not run
		return term != null && term.supportedBy(member, this.nanoTime.getAsLong(), this.leaseNanos - this.marginNanos);
	}

	/**
	 * This node won: it leads, publishes its lease and renews its voters' promises.
	 * @param won the candidacy that won
	 * @param roster the members
	 * @param now monotonic nanoseconds
	 */
	void begin(Campaign.Candidacy won, Roster roster, long now) {
		this.term = new LeaderTerm(won.token, now, this.clock.instant());
		// every vote is a promise that started after the request was sent
		for (String voter : won.granted) {
			if (!voter.equals(this.self)) {
				this.term.voted(voter, won.startNanos);
			}
		}
		long until = leaseUntil(roster, now);
		logger.info("Node {} leads the cluster (fencing token {}, {} of {} votes)", this.self, won.token,
				won.granted.size(), roster.known());
		this.published.publishLease(until, this.term);
		renew(roster, now);
	}

	/**
	 * Keeps the lease up: publishes it and renews when due, or says why this node must step down.
	 * @param roster the members
	 * @param now monotonic nanoseconds
	 * @return why this node no longer leads, or {@code null} (also when it does not lead)
	 */
	RevocationReason review(Roster roster, long now) {
		if (this.term == null) {
			return null;
		}
		this.term.retainReachable(roster.reachable().keySet());
		long until = leaseUntil(roster, now);
		if (!roster.hasQuorum()) {
			logger.warn("Node {} has no quorum ({} of {} nodes reachable, {} needed): giving up leadership",
					this.self, roster.reachable().size() + 1, roster.known(), roster.needed());
			return RevocationReason.QUORUM_LOST;
		}
		if (!Deadlines.holds(until, now)) {
			logger.warn("Node {} has not heard from a quorum for a lease: giving up leadership", this.self);
			return RevocationReason.QUORUM_LOST;
		}
		this.published.publishLease(until, this.term);
		if (now - this.term.lastRenewNanos() >= this.renewEveryNanos) {
			renew(roster, now);
		}
		return null;
	}

	/**
	 * A member acknowledged a renewal: the lease may move on.
	 * @param from the member
	 * @param ack its acknowledgement
	 * @param roster the members
	 */
	void acknowledged(String from, Message.LeaseAck ack, Roster roster) {
		if (this.term == null || ack.token() != this.term.token) {
			return;
		}
		long now = this.nanoTime.getAsLong();
		this.term.acknowledged(from, ack.sequence(), now);
		long until = leaseUntil(roster, now);
		if (Deadlines.holds(until, now)) {
			this.published.publishLease(until, this.term);
		}
	}

	/**
	 * Tells a member at once that this leader heard it (see {@link LeaderElection#confirmTo}).
	 * @param member the member
	 */
	void confirmTo(String member) {
		LeaderTerm term = this.term;
		// only while the lease holds: what a renewal tells a follower anchors its permits, which must not
		// reach past this leadership
		if (term == null || !this.published.leads(this.nanoTime.getAsLong())) {
			return;
		}
		long acked = term.acknowledged(member);
		if (acked == 0) {
			return;
		}
		long sequence = term.renewal(this.nanoTime.getAsLong(), false);
		this.out.send(member, new Message.LeaseRenew(term.token, sequence, acked, term.known(), leaseMillis()));
	}

	private void renew(Roster roster, long now) {
		LeaderTerm term = this.term;
		term.known(roster.known());
		long sequence = term.renewal(now, true);
		for (String member : roster.reachable().keySet()) {
			if (roster.leaving().contains(member)) {
				continue;
			}
			this.out.send(member, new Message.LeaseRenew(term.token, sequence, term.acknowledged(member), term.known(),
					leaseMillis()));
		}
	}

	private long leaseMillis() {
		return Election.leaseMillis(this.leaseNanos);
	}

	// the lease: a quorum (this node included) acknowledged renewals sent at or after the returned
	// time minus the lease
	private long leaseUntil(Roster roster, long now) {
		return this.term.leaseUntil(roster.needed() - 1, now, this.leaseNanos - this.marginNanos);
	}

	/**
	 * A member is gone for good: nothing it acknowledged counts any more.
	 * @param name the member
	 */
	void memberEnded(String name) {
		if (this.term != null) {
			this.term.forget(name);
		}
	}

	/** A lapsed lease this node has not noticed yet: it is over. */
	void lapsed() {
		this.term = null;
	}

	/**
	 * This node steps down: its lease ends and it tells every reachable member (a successor can lead
	 * from now on, not only from the lease's end).
	 * @param roster the members
	 * @param now monotonic nanoseconds
	 * @return the token of the leadership that ended
	 */
	long end(Roster roster, long now) {
		long token = this.term.token;
		this.published.endLease(now);
		this.term = null;
		Message.Resign resign = new Message.Resign(token);
		roster.reachable().keySet().forEach((member) -> this.out.send(member, resign));
		return token;
	}

}
