package dev.clustering.node;

import java.time.Clock;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.clustering.leadership.LeaderInfo;
import dev.clustering.leadership.RevocationReason;
import dev.clustering.transport.Message;
import dev.clustering.transport.WarningLimiter;

/**
 * Elects one leader without a registry, by votes with leases (no two nodes ever lead at once, even
 * across partial partitions such as a node cut from the leader but not from the others):
 * <ol>
 * <li>A voter supports at most one leader at a time, and promises not to support another while
 * that promise lasts: {@code lease} (heartbeat interval plus acceptable pause) from when it last
 * heard the leader renew it. A process that just started grants nothing for one lease, since it
 * cannot know what its previous incarnation promised.</li>
 * <li>A candidate asks every reachable member; with the votes of a quorum (see
 * {@link QuorumCount}), itself included, it leads with a token larger than any its voters have
 * seen, and than the wall clock in milliseconds, so tokens grow across leaders and across restarts
 * of the whole cluster.</li>
 * <li>The leader renews its supporters' promises twice per heartbeat interval; it leads only while
 * a quorum acknowledged a renewal sent less than a lease ago (minus a margin). That lease is
 * checked against the monotonic clock by whoever asks ({@link #ownLeadership(long)}), so a leader whose
 * event loop stalls stops leading on time, before any voter of a quorum is free to vote again.</li>
 * <li>Candidates stand by age: the oldest reachable node first, the next one half a lease later if
 * no leader has emerged, and so on, so a node that joins or restarts never takes leadership from a
 * working leader, and an old node that cannot win (cut off) does not stall the election.</li>
 * <li>A leader that died (its connection closed by its operating system) or left frees its
 * supporters at once, so the next leader is elected in about a round trip.</li>
 * </ol>
 * Runs on the node's event loop; only {@link #ownLeadership(long)} and {@link #view()} are read elsewhere.
 * Its sides share that loop: {@link Voter} (whom this node supports), {@link Campaign} (when it
 * stands, and its candidacy), {@link Leader} (its leadership and renewals) and
 * {@link PublishedLeadership} (what other threads read).
 */
final class Election implements LeaderElection {

	private static final Logger logger = LoggerFactory.getLogger(Election.class);

	/** How long a node that yielded (or resigned) does not stand again. */
	static final long YIELD_NANOS = 3_000_000_000L;

	private final WarningLimiter warnings = new WarningLimiter();

	/** Sends messages. */
	interface Outbox {

		void send(String to, Message message);

	}

	/** Hears leadership being won and lost on this node. */
	interface Listener {

		void won(long token);

		void lost(long token, RevocationReason reason);

	}

	private final String self;

	private final LongSupplier nanoTime;

	private final Outbox out;

	private final Listener listener;

	// the largest token seen or chosen, and which tokens are believable
	private final HighestToken highest;

	private boolean leaving;

	// this node's lease, the leader it sees and its permits' anchor, for any thread
	private final PublishedLeadership published;

	// whom this node supports and what it learned, as a voter
	private final Voter voter;

	// when this node may stand, and its candidacy
	private final Campaign campaign;

	// this node's leadership, its renewals and its lease
	private final Leader leader;

	Election(String self, long leaseNanos, Clock clock, LongSupplier nanoTime, Outbox out, Listener listener) {
		this.self = self;
		long marginNanos = Math.max(leaseNanos / 20, 1_000_000L);
		this.nanoTime = nanoTime;
		this.out = out;
		this.listener = listener;
		this.highest = new HighestToken(self, clock, this.warnings);
		this.published = new PublishedLeadership(self, leaseNanos, marginNanos, clock);
		long now = nanoTime.getAsLong();
		// a new process cannot know what its previous incarnation promised: no votes for one lease (see
		// Voter); and it hears the others out before it stands (see Campaign)
		this.voter = new Voter(self, leaseNanos, now, out, this.warnings, this.published);
		this.campaign = new Campaign(self, leaseNanos, marginNanos, clock, now, out, this.warnings, this.voter);
		this.leader = new Leader(self, leaseNanos, marginNanos, clock, nanoTime, out, this.published);
	}

	// a lease in whole milliseconds, rounded up, as the messages carry it
	static long leaseMillis(long leaseNanos) {
		return TimeUnit.NANOSECONDS.toMillis(leaseNanos + 999_999);
	}

	@Override
	public LeaderInfo view() {
		return this.published.view();
	}

	@Override
	public LeaderInfo ownLeadership(long nowNanos) {
		return this.published.ownLeadership(nowNanos);
	}

	@Override
	public long highestToken() {
		return this.highest.get();
	}

	@Override
	public boolean hasQuorum(Roster roster) {
		return roster.hasQuorum();
	}

	@Override
	public long permitUntilNanos(long failoverTimeoutNanos) {
		return this.published.permitUntilNanos(failoverTimeoutNanos);
	}

	@Override
	public long newLeaderWaitNanos(long failoverTimeoutNanos) {
		return this.published.hold(failoverTimeoutNanos);
	}

	@Override
	public boolean isRegistry() {
		return false;
	}

	@Override
	public void received(String peer, Message message, Roster roster) {
		if (message instanceof Message.VoteRequest request) {
			voteRequested(peer, request, roster);
		}
		else if (message instanceof Message.Vote vote) {
			voteReceived(peer, vote, roster);
		}
		else if (message instanceof Message.LeaseRenew renew) {
			renewed(peer, renew, roster);
		}
		else if (message instanceof Message.LeaseAck ack) {
			acknowledged(peer, ack, roster);
		}
		else if (message instanceof Message.Resign resign) {
			resigned(peer, resign.token());
		}
	}

	/**
	 * When this node's current leadership began, or -1.
	 * @return monotonic nanoseconds
	 */
	@Override
	public long leadingSinceNanos() {
		return this.leader.sinceNanos();
	}

	/**
	 * The token of this node's current leadership, or 0.
	 * @return the token
	 */
	@Override
	public long leadingToken() {
		return this.leader.token();
	}

	/**
	 * The anchor of this node's singleton permits: a moment the current leader is known to have heard
	 * from this node since (a follower), or the end of its own lease (the leader). Any leader fails a
	 * singleton over from this node only the longer of a lease and its failover timeout after that.
	 * @return monotonic nanoseconds, or {@link Deadlines#NONE} if none
	 */
	long permitAnchorNanos() {
		return this.published.permitAnchorNanos();
	}

	/**
	 * When this leader last heard a member acknowledge a renewal of this term. A member anchors its
	 * singleton permits only on renewals whose acknowledgement the leader echoed back, so whatever it
	 * runs under this leadership ends at most a permit's length after this time.
	 * @param member the member
	 * @return monotonic nanoseconds, or {@link Long#MIN_VALUE} if it acknowledged none (what it runs
	 * rests on an earlier leadership)
	 */
	long lastAckNanos(String member) {
		return this.leader.lastAckNanos(member);
	}

	/**
	 * Whether a member supports this leader: it acknowledged a renewal of this term sent less than a
	 * lease ago, so the leader can confirm its permit before it orders a start.
	 * @param member the member
	 * @return whether it does
	 */
	boolean supportsMe(String member) {
		return this.leader.supportsMe(member);
	}

	/** Re-evaluates: lease expiry, renewals, candidacy. Called on every tick and after every change. */
	@Override
	public void evaluate(Roster roster) {
		long now = this.nanoTime.getAsLong();
		this.voter.lapse(now);
		this.campaign.expireYield(now);
		RevocationReason lost = this.leader.review(roster, now);
		if (lost != null) {
			stepDown(roster, lost);
		}
		this.campaign.review(roster, now);
		boolean noLeader = this.voter.heardNoLeader(now);
		if (!this.leader.leads() && !this.campaign.standing() && noLeader) {
			if (this.campaign.leaderless(roster, now, this.leaving)) {
				stand(roster, now);
			}
		}
		else if (this.leader.leads() || this.voter.promised()) {
			this.campaign.led();
		}
		refreshView(now);
	}

	void voteRequested(String from, Message.VoteRequest request, Roster roster) {
		long now = this.nanoTime.getAsLong();
		long token = request.token();
		if (!this.highest.believable(from, token)) {
			this.out.send(from, new Message.Vote(token, false, "", 0, this.highest.get()));
			return;
		}
		this.highest.saw(token);
		Voter.Answer answer = this.voter.answer(from, request, roster, now, this.leaving, this.leader.validTerm(),
				this.campaign.standing());
		if (answer.withdraw()) {
			this.campaign.abandon(now);
		}
		if (answer.grant()) {
			// a lapsed lease this node has not noticed yet: it is over
			this.leader.lapsed();
			this.voter.grant(from, request, now);
		}
		this.out.send(from, new Message.Vote(token, answer.grant(), answer.refusedFor(), answer.refusedToken(),
				this.highest.get()));
		refreshView(now);
	}

	void voteReceived(String from, Message.Vote vote, Roster roster) {
		long now = this.nanoTime.getAsLong();
		if (this.highest.believable(from, vote.highest())) {
			this.highest.saw(vote.highest());
		}
		Campaign.Count count = this.campaign.voted(from, vote, roster, now);
		if (count == Campaign.Count.IGNORED) {
			return;
		}
		if (count == Campaign.Count.WON) {
			win(roster, now);
		}
		refreshView(now);
	}

	void renewed(String from, Message.LeaseRenew renew, Roster roster) {
		long now = this.nanoTime.getAsLong();
		if (!this.highest.believable(from, renew.token())) {
			return;
		}
		this.highest.saw(renew.token());
		if (this.leader.leads()) {
			if (renew.token() > this.leader.token()) {
				logger.warn("Node {} yields to {}, whose leadership token is newer ({} > {})", this.self, from,
						renew.token(), this.leader.token());
				stepDown(roster, RevocationReason.SUPERSEDED);
			}
			else {
				return;
			}
		}
		if (this.campaign.standing()) {
			// a leader renews to this node: it holds a quorum's lease, so this candidacy cannot win while
			// the leader is heard; follow it, and free this candidacy's voters (they may be this node's
			// neighbours in a former minority, which would otherwise take turns standing and voting for
			// each other, deaf to the leader, long after a heal)
			this.campaign.abandon(now);
		}
		// any candidacy ended above: only a promise to another leader keeps this node from following
		Voter.Renewal heard = this.voter.renewed(from, renew, roster, now, this.leaving);
		if (heard == Voter.Renewal.IGNORED) {
			return;
		}
		if (heard == Voter.Renewal.FOLLOWED) {
			this.campaign.led();
		}
		refreshView(now);
	}

	void acknowledged(String from, Message.LeaseAck ack, Roster roster) {
		this.leader.acknowledged(from, ack, roster);
	}

	void resigned(String from, long token) {
		long now = this.nanoTime.getAsLong();
		this.voter.resigned(from, token, now);
		refreshView(now);
	}

	/**
	 * A member is gone for good: its process died (its connection was closed by its operating
	 * system) or it left. It can no longer lead, so its supporters are free at once.
	 * @param name the member
	 */
	@Override
	public void memberEnded(String name) {
		long now = this.nanoTime.getAsLong();
		this.leader.memberEnded(name);
		this.voter.memberEnded(name);
		this.campaign.memberEnded(name);
		refreshView(now);
	}

	/** This node found it was paused: hear the others out before standing again. */
	@Override
	public void paused() {
		this.campaign.paused(this.nanoTime.getAsLong());
	}

	@Override
	public void yieldLeadership(Roster roster) {
		if (this.leader.leads()) {
			long now = this.nanoTime.getAsLong();
			this.campaign.yielded(now);
			stepDown(roster, RevocationReason.YIELDED);
			refreshView(now);
		}
	}

	@Override
	public void leave(Roster roster) {
		this.leaving = true;
		if (this.leader.leads()) {
			stepDown(roster, RevocationReason.SHUTDOWN);
		}
		this.campaign.leave();
		this.voter.leave();
		this.published.hide();
	}

	private void stand(Roster roster, long now) {
		long token = this.campaign.stand(roster, now, this.highest.get());
		if (token == 0) {
			return;
		}
		this.highest.chose(token);
		if (roster.needed() <= 1) {
			win(roster, now);
		}
	}

	private void win(Roster roster, long now) {
		Campaign.Candidacy won = this.campaign.won();
		this.voter.won(won.token);
		this.campaign.led();
		this.leader.begin(won, roster, now);
		this.listener.won(won.token);
	}

	@Override
	public void confirmTo(String member) {
		this.leader.confirmTo(member);
	}

	private void stepDown(Roster roster, RevocationReason reason) {
		long now = this.nanoTime.getAsLong();
		long token = this.leader.end(roster, now);
		this.voter.release();
		this.campaign.steppedDown(now);
		logger.info("Node {} no longer leads ({}, token {})", this.self, reason, token);
		this.listener.lost(token, reason);
	}

	private void refreshView(long now) {
		if (this.leader.leads() && this.published.leads(now)) {
			this.published.show(this.self, this.leader.token());
		}
		else {
			this.voter.show(now);
		}
	}

}
