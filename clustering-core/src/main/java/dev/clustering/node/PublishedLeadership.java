package dev.clustering.node;

import java.time.Clock;
import java.time.Instant;

import dev.clustering.leadership.LeaderInfo;

/**
 * What {@link Election} publishes for any thread, each as one immutable value through one volatile
 * field: this node's lease, the leader it sees, and the anchor of its singleton permits (with how
 * long a permit lasts past it). Written only by the event loop; read anywhere, against the monotonic
 * clock.
 */
final class PublishedLeadership {

	/**
	 * This node's leadership, valid until a monotonic deadline.
	 * @param info the leader (this node), its token and since when
	 * @param validUntilNanos when the lease runs out unless renewed
	 */
	record Lease(LeaderInfo info, long validUntilNanos) {

		boolean isValid(long nowNanos) {
			return Deadlines.holds(this.validUntilNanos, nowNanos);
		}

	}

	private final String self;

	private final long leaseNanos;

	private final long marginNanos;

	private final Clock clock;

	// the anchor of this node's singleton permits (see Election#permitAnchorNanos), for any thread
	private volatile long permitAnchor = Deadlines.NONE;

	// what this node saw last: leader name and token -> since when (for LeaderInfo.since)
	private String viewKey;

	private Instant viewSince;

	private volatile Lease ownLease;

	private volatile LeaderInfo view;

	PublishedLeadership(String self, long leaseNanos, long marginNanos, Clock clock) {
		this.self = self;
		this.leaseNanos = leaseNanos;
		this.marginNanos = marginNanos;
		this.clock = clock;
	}

	/**
	 * This node's leadership, for any thread: check {@link Lease#isValid} against the monotonic clock.
	 * @return the lease, or {@code null} when this node does not lead
	 */
	Lease ownLease() {
		return this.ownLease;
	}

	/**
	 * The leader this node sees, for any thread.
	 * @return the leader, or {@code null} if none
	 */
	LeaderInfo view() {
		return this.view;
	}

	/**
	 * This node's leadership if its lease holds now, for any thread.
	 * @param nowNanos monotonic nanoseconds
	 * @return the leadership, or {@code null}
	 */
	LeaderInfo ownLeadership(long nowNanos) {
		Lease lease = this.ownLease;
		return (lease != null && lease.isValid(nowNanos)) ? lease.info() : null;
	}

	/**
	 * Whether this node's lease holds now.
	 * @param nowNanos monotonic nanoseconds
	 * @return whether it leads
	 */
	boolean leads(long nowNanos) {
		Lease lease = this.ownLease;
		return lease != null && lease.isValid(nowNanos);
	}

	/**
	 * The anchor of this node's singleton permits, for any thread.
	 * @return monotonic nanoseconds, or {@link Deadlines#NONE} if none
	 */
	long permitAnchorNanos() {
		return this.permitAnchor;
	}

	/**
	 * Until when this node may run singletons whose failover timeout is the given one.
	 * @param failoverTimeoutNanos the failover timeout
	 * @return monotonic nanoseconds
	 */
	long permitUntilNanos(long failoverTimeoutNanos) {
		return Deadlines.plus(permitAnchorNanos(), hold(failoverTimeoutNanos) - this.marginNanos);
	}

	/**
	 * How long a permit lasts past its anchor: the failover timeout, and at least a lease (a follower's
	 * anchor trails by up to a renewal interval, so a shorter permit would lapse between renewals).
	 * Safe because a leader fails a run over from a silent node only the failover timeout after its
	 * failure detector judged it, which is at least a lease after it last heard from it, and a new
	 * leader only this long after its leadership began, which is after every earlier leader's lease.
	 * @param failoverTimeoutNanos the failover timeout
	 * @return nanoseconds
	 */
	long hold(long failoverTimeoutNanos) {
		return Math.max(failoverTimeoutNanos, this.leaseNanos);
	}

	/**
	 * A follower's anchor, which only moves later.
	 * @param nanos the moment the leader is known to have heard from this node since
	 */
	void anchorAt(long nanos) {
		this.permitAnchor = Deadlines.later(this.permitAnchor, nanos);
	}

	/**
	 * This node leads until {@code until}: the lease and the permits' anchor move there.
	 * @param until monotonic nanoseconds
	 * @param term the leadership
	 */
	void publishLease(long until, LeaderTerm term) {
		// the anchor first: a reader that sees this lease must not see an older anchor
		this.permitAnchor = until;
		Lease current = this.ownLease;
		if (current == null || current.validUntilNanos() != until) {
			LeaderInfo info = (current != null) ? current.info() : new LeaderInfo(this.self, term.since, term.token);
			this.ownLease = new Lease(info, until);
		}
	}

	/**
	 * This node no longer leads: its permits rest on the end of its lease if that passed already, else
	 * on now (a successor can lead from now on, not only from the lease's end).
	 * @param now monotonic nanoseconds
	 */
	void endLease(long now) {
		Lease lease = this.ownLease;
		// set before the supporters are freed: from now on a successor may lead
		this.permitAnchor = (lease != null && !lease.isValid(now)) ? lease.validUntilNanos() : now;
		this.ownLease = null;
	}

	/**
	 * The leader this node sees now, with since when it has seen it.
	 * @param leader the leader, or {@code null} if none
	 * @param token its token
	 */
	void show(String leader, long token) {
		if (leader == null) {
			this.viewKey = null;
			this.view = null;
			return;
		}
		String key = leader + "#" + token;
		if (!key.equals(this.viewKey)) {
			this.viewKey = key;
			this.viewSince = this.clock.instant();
		}
		LeaderInfo current = this.view;
		if (current == null || !current.name().equals(leader) || current.fencingToken() != token) {
			this.view = new LeaderInfo(leader, this.viewSince, token);
		}
	}

	/** This node leaves: it shows no leader any more. */
	void hide() {
		this.view = null;
	}

}
