package dev.clustering.node;

import java.time.Clock;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.clustering.leadership.LeaderInfo;
import dev.clustering.leadership.RevocationReason;
import dev.clustering.transport.FrameCodec;
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
 * checked against the monotonic clock by whoever asks ({@link #ownLease()}), so a leader whose
 * event loop stalls stops leading on time, before any voter of a quorum is free to vote again.</li>
 * <li>Candidates stand by age: the oldest reachable node first, the next one half a lease later if
 * no leader has emerged, and so on, so a node that joins or restarts never takes leadership from a
 * working leader, and an old node that cannot win (cut off) does not stall the election.</li>
 * <li>A leader that died (its connection closed by its operating system) or left frees its
 * supporters at once, so the next leader is elected in about a round trip.</li>
 * </ol>
 * Runs on the node's event loop; only {@link #ownLease()} and {@link #view()} are read elsewhere.
 */
final class Election implements LeaderElection {

	private static final Logger logger = LoggerFactory.getLogger(Election.class);

	/** How long a node that yielded (or resigned) does not stand again. */
	static final long YIELD_NANOS = 3_000_000_000L;

	/**
	 * How far ahead of this node's wall clock a leadership token may be: tokens are the wall clock in
	 * milliseconds when they are chosen, so one further ahead comes from a clock far off, or from a
	 * member that lies; it is refused, and never raises the tokens this node will choose.
	 */
	static final long MAX_TOKEN_AHEAD_MILLIS = 10 * 60_000L;

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

	private final long leaseNanos;

	private final long marginNanos;

	private final long renewEveryNanos;

	private final Clock clock;

	private final LongSupplier nanoTime;

	private final Outbox out;

	private final Listener listener;

	private long highest;

	private Candidacy candidacy;

	private LeaderTerm leading;

	private long settleUntilNanos;

	private long backoffUntilNanos;

	private long yieldedUntilNanos;

	private boolean yielded;

	private boolean leaving;

	// since when this node has had no leader (for the staggered candidacy)
	private boolean leaderless;

	private long leaderlessSinceNanos;

	// this node's lease, the leader it sees and its permits' anchor, for any thread
	private final PublishedLeadership published;

	// whom this node supports and what it learned, as a voter
	private final Voter voter;

	Election(String self, long leaseNanos, Clock clock, LongSupplier nanoTime, Outbox out, Listener listener) {
		this.self = self;
		this.leaseNanos = leaseNanos;
		this.marginNanos = Math.max(leaseNanos / 20, 1_000_000L);
		this.renewEveryNanos = Math.max(leaseNanos / 4, 1_000_000L);
		this.clock = clock;
		this.nanoTime = nanoTime;
		this.out = out;
		this.listener = listener;
		this.published = new PublishedLeadership(self, clock);
		long now = nanoTime.getAsLong();
		// a new process cannot know what its previous incarnation promised: no votes for one lease (see
		// Voter); and it hears the others out before it stands, so it joins a leader rather than racing it
		this.voter = new Voter(self, leaseNanos, now, out, this.warnings, this.published);
		this.settleUntilNanos = now + leaseNanos;
		this.backoffUntilNanos = now;
		this.yieldedUntilNanos = now;
	}

	private boolean believable(String from, long token) {
		if (token <= this.clock.millis() + MAX_TOKEN_AHEAD_MILLIS) {
			return true;
		}
		this.warnings.warn(logger, "token " + from, "Node {} ignores leadership token {} from {}: it is more than {} "
				+ "min ahead of this node's clock (are the clocks set?)", this.self, token, from,
				MAX_TOKEN_AHEAD_MILLIS / 60_000);
		return false;
	}

	private long leaseMillis() {
		return TimeUnit.NANOSECONDS.toMillis(this.leaseNanos + 999_999);
	}

	// the later of two monotonic times (compared by difference, as nanoTime values must be)
	private static long later(long a, long b) {
		return (a - b > 0) ? a : b;
	}

	/**
	 * This node's leadership, for any thread: check {@link PublishedLeadership.Lease#isValid} against
	 * the monotonic clock.
	 * @return the lease, or {@code null} when this node does not lead
	 */
	PublishedLeadership.Lease ownLease() {
		return this.published.ownLease();
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
		return this.highest;
	}

	@Override
	public boolean hasQuorum(Roster roster) {
		return roster.hasQuorum();
	}

	@Override
	public long permitUntilNanos(long failoverTimeoutNanos) {
		return Deadlines.plus(permitAnchorNanos(), hold(failoverTimeoutNanos) - this.marginNanos);
	}

	@Override
	public long newLeaderWaitNanos(long failoverTimeoutNanos) {
		return hold(failoverTimeoutNanos);
	}

	/**
	 * How long a permit lasts past its anchor: the failover timeout, and at least a lease (a follower's
	 * anchor trails by up to a renewal interval, so a shorter permit would lapse between renewals).
	 * Safe because a leader fails a run over from a silent node only the failover timeout after its
	 * failure detector judged it, which is at least a lease after it last heard from it, and a new
	 * leader only this long after its leadership began, which is after every earlier leader's lease.
	 */
	private long hold(long failoverTimeoutNanos) {
		return Math.max(failoverTimeoutNanos, this.leaseNanos);
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
	 * Whether this node leads now (its lease is valid).
	 * @return whether it leads
	 */
	boolean isLeader() {
		return this.published.leads(this.nanoTime.getAsLong());
	}

	/**
	 * When this node's current leadership began, or -1.
	 * @return monotonic nanoseconds
	 */
	@Override
	public long leadingSinceNanos() {
		return (this.leading != null) ? this.leading.sinceNanos : -1;
	}

	/**
	 * The token of this node's current leadership, or 0.
	 * @return the token
	 */
	@Override
	public long leadingToken() {
		return (this.leading != null) ? this.leading.token : 0;
	}

	/**
	 * The lease: heartbeat interval plus acceptable pause.
	 * @return nanoseconds
	 */
	long leaseNanos() {
		return this.leaseNanos;
	}

	/**
	 * The safety margin kept below every lease.
	 * @return nanoseconds
	 */
	long marginNanos() {
		return this.marginNanos;
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
		LeaderTerm term = this.leading;
		return (term != null) ? term.lastAckNanos(member) : Long.MIN_VALUE;
	}

	/**
	 * Whether a member supports this leader: it acknowledged a renewal of this term sent less than a
	 * lease ago, so the leader can confirm its permit before it orders a start.
	 * @param member the member
	 * @return whether it does
	 */
	boolean supportsMe(String member) {
		LeaderTerm term = this.leading;
		// a renewal it acknowledged (a vote alone gives it no permit: confirmTo has nothing to echo), and
		// recently: a member that no longer acknowledges (it stopped hearing renewals, a one-way cut) holds
		// no permit, so a singleton placed on it would not run
		return term != null && term.supportedBy(member, this.nanoTime.getAsLong(), this.leaseNanos - this.marginNanos);
	}


	/** Re-evaluates: lease expiry, renewals, candidacy. Called on every tick and after every change. */
	@Override
	public void evaluate(Roster roster) {
		long now = this.nanoTime.getAsLong();
		this.voter.lapse(now);
		if (this.yielded && now - this.yieldedUntilNanos >= 0) {
			this.yielded = false;
		}
		if (this.leading != null) {
			this.leading.retainReachable(roster.reachable().keySet());
			long until = leaseUntil(roster, now);
			if (!roster.hasQuorum()) {
				logger.warn("Node {} has no quorum ({} of {} nodes reachable, {} needed): giving up leadership",
						this.self, roster.reachable().size() + 1, roster.known(), roster.needed());
				stepDown(roster, RevocationReason.QUORUM_LOST);
			}
			else if (!Deadlines.holds(until, now)) {
				logger.warn("Node {} has not heard from a quorum for a lease: giving up leadership", this.self);
				stepDown(roster, RevocationReason.QUORUM_LOST);
			}
			else {
				publishLease(until);
				if (now - this.leading.lastRenewNanos() >= this.renewEveryNanos) {
					renew(roster, now);
				}
			}
		}
		if (this.candidacy != null && now - this.candidacy.startNanos >= this.leaseNanos) {
			logger.info("Node {} did not win the election with token {} ({} of {} votes); standing again later",
					this.self, this.candidacy.token, this.candidacy.granted.size(), roster.needed());
			abandonCandidacy(now);
		}
		else if (this.candidacy != null) {
			// ask again those that have not granted: a voter that refused may be free by now (it had not yet
			// heard that the old leader died, or it had just started)
			requestVotes(roster, this.candidacy, true);
		}
		boolean noLeader = this.voter.heardNoLeader(now);
		if (this.leading == null && this.candidacy == null && noLeader) {
			if (!this.leaderless) {
				this.leaderless = true;
				this.leaderlessSinceNanos = now;
			}
			if (mayStand(roster, now)) {
				stand(roster, now);
			}
		}
		else if (this.leading != null || this.voter.promised()) {
			this.leaderless = false;
		}
		refreshView(now);
	}

	void voteRequested(String from, Message.VoteRequest request, Roster roster) {
		long now = this.nanoTime.getAsLong();
		long token = request.token();
		if (!believable(from, token)) {
			this.out.send(from, new Message.Vote(token, false, "", 0, this.highest));
			return;
		}
		this.highest = Math.max(this.highest, token);
		LeaderTerm term = (this.leading != null && isLeader()) ? this.leading : null;
		Voter.Answer answer = this.voter.answer(from, request, roster, now, this.leaving, term, this.candidacy != null);
		if (answer.withdraw()) {
			abandonCandidacy(now);
		}
		if (answer.grant()) {
			if (this.leading != null) {
				// a lapsed lease this node has not noticed yet: it is over
				this.leading = null;
			}
			this.voter.grant(from, request, now);
		}
		this.out.send(from, new Message.Vote(token, answer.grant(), answer.refusedFor(), answer.refusedToken(),
				this.highest));
		refreshView(now);
	}

	void voteReceived(String from, Message.Vote vote, Roster roster) {
		long now = this.nanoTime.getAsLong();
		if (believable(from, vote.highest())) {
			this.highest = Math.max(this.highest, vote.highest());
		}
		if (this.candidacy == null || vote.token() != this.candidacy.token) {
			return;
		}
		if (now - this.candidacy.startNanos >= this.leaseNanos - this.marginNanos) {
			// too late (this node was stalled?): those promises have run out; stand again later
			abandonCandidacy(now);
			return;
		}
		if (vote.granted()) {
			this.candidacy.granted.add(from);
			if (this.candidacy.granted.size() >= roster.needed()) {
				win(roster, now);
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
		refreshView(now);
	}

	void renewed(String from, Message.LeaseRenew renew, Roster roster) {
		long now = this.nanoTime.getAsLong();
		if (!believable(from, renew.token())) {
			return;
		}
		this.highest = Math.max(this.highest, renew.token());
		if (this.leading != null) {
			if (renew.token() > this.leading.token) {
				logger.warn("Node {} yields to {}, whose leadership token is newer ({} > {})", this.self, from,
						renew.token(), this.leading.token);
				stepDown(roster, RevocationReason.SUPERSEDED);
			}
			else {
				return;
			}
		}
		if (this.candidacy != null) {
			// a leader renews to this node: it holds a quorum's lease, so this candidacy cannot win while
			// the leader is heard; follow it, and free this candidacy's voters (they may be this node's
			// neighbours in a former minority, which would otherwise take turns standing and voting for
			// each other, deaf to the leader, long after a heal)
			abandonCandidacy(now);
		}
		// any candidacy ended above: only a promise to another leader keeps this node from following
		Voter.Renewal heard = this.voter.renewed(from, renew, roster, now, this.leaving);
		if (heard == Voter.Renewal.IGNORED) {
			return;
		}
		if (heard == Voter.Renewal.FOLLOWED) {
			this.leaderless = false;
		}
		refreshView(now);
	}

	void acknowledged(String from, Message.LeaseAck ack, Roster roster) {
		if (this.leading == null || ack.token() != this.leading.token) {
			return;
		}
		long now = this.nanoTime.getAsLong();
		this.leading.acknowledged(from, ack.sequence(), now);
		long until = leaseUntil(roster, now);
		if (Deadlines.holds(until, now)) {
			publishLease(until);
		}
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
		if (this.leading != null) {
			this.leading.forget(name);
		}
		this.voter.memberEnded(name);
		if (this.candidacy != null) {
			this.candidacy.granted.remove(name);
		}
		refreshView(now);
	}

	/** This node found it was paused: hear the others out before standing again. */
	@Override
	public void paused() {
		this.settleUntilNanos = this.nanoTime.getAsLong() + this.leaseNanos;
	}

	@Override
	public void yieldLeadership(Roster roster) {
		if (this.leading != null) {
			long now = this.nanoTime.getAsLong();
			this.yielded = true;
			this.yieldedUntilNanos = now + YIELD_NANOS;
			stepDown(roster, RevocationReason.YIELDED);
			refreshView(now);
		}
	}

	@Override
	public void leave(Roster roster) {
		this.leaving = true;
		if (this.leading != null) {
			stepDown(roster, RevocationReason.SHUTDOWN);
		}
		this.candidacy = null;
		this.voter.leave();
		this.published.hide();
	}

	private boolean mayStand(Roster roster, long now) {
		if (this.leaving || this.yielded || !roster.hasQuorum() || now - this.settleUntilNanos < 0
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

	private void stand(Roster roster, long now) {
		long token = Math.max(this.highest + 1, this.clock.millis());
		if (token > FrameCodec.MAX_LEADER_TOKEN) {
			this.warnings.warn(logger, "exhausted", "Node {} cannot stand for election: leadership tokens are "
					+ "exhausted", this.self);
			return;
		}
		this.highest = token;
		this.candidacy = new Candidacy(token, now);
		this.candidacy.granted.add(this.self);
		this.voter.stand(token, now + this.leaseNanos);
		logger.debug("Node {} stands for election with token {}", this.self, token);
		if (roster.needed() <= 1) {
			win(roster, now);
			return;
		}
		requestVotes(roster, this.candidacy, false);
	}

	private void requestVotes(Roster roster, Candidacy current, boolean again) {
		Message.VoteRequest request = new Message.VoteRequest(current.token, roster.known(), leaseMillis());
		for (String member : roster.reachable().keySet()) {
			if (!roster.leaving().contains(member) && !(again && current.granted.contains(member))) {
				this.out.send(member, request);
			}
		}
	}

	private void win(Roster roster, long now) {
		Candidacy won = this.candidacy;
		this.candidacy = null;
		this.leading = new LeaderTerm(won.token, now, this.clock.instant());
		// every vote is a promise that started after the request was sent
		for (String voter : won.granted) {
			if (!voter.equals(this.self)) {
				this.leading.voted(voter, won.startNanos);
			}
		}
		this.voter.won(won.token);
		this.leaderless = false;
		long until = leaseUntil(roster, now);
		logger.info("Node {} leads the cluster (fencing token {}, {} of {} votes)", this.self, won.token,
				won.granted.size(), roster.known());
		publishLease(until);
		renew(roster, now);
		this.listener.won(won.token);
	}

	@Override
	public void confirmTo(String member) {
		LeaderTerm term = this.leading;
		// only while the lease holds: what a renewal tells a follower anchors its permits, which must not
		// reach past this leadership
		if (term == null || !isLeader()) {
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
		LeaderTerm term = this.leading;
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

	// the lease: a quorum (this node included) acknowledged renewals sent at or after the returned
	// time minus the lease
	private long leaseUntil(Roster roster, long now) {
		return this.leading.leaseUntil(roster.needed() - 1, now, this.leaseNanos - this.marginNanos);
	}


	private void stepDown(Roster roster, RevocationReason reason) {
		long token = this.leading.token;
		long now = this.nanoTime.getAsLong();
		// a successor can lead from now on (this node frees its supporters), not only from the lease's end
		this.published.endLease(now);
		this.leading = null;
		this.voter.release();
		Message.Resign resign = new Message.Resign(token);
		roster.reachable().keySet().forEach((member) -> this.out.send(member, resign));
		this.backoffUntilNanos = now + this.leaseNanos;
		logger.info("Node {} no longer leads ({}, token {})", this.self, reason, token);
		this.listener.lost(token, reason);
	}

	private void abandonCandidacy(long now) {
		// withdraw: those that voted for it are free at once rather than bound for a lease to a candidacy
		// that can no longer win (it ignores every vote from now on)
		Message.Resign withdrawal = new Message.Resign(this.candidacy.token);
		this.candidacy.granted.stream().filter((voter) -> !voter.equals(this.self))
			.forEach((voter) -> this.out.send(voter, withdrawal));
		this.candidacy = null;
		this.voter.withdrew();
		// jitter keeps two candidates that failed together from standing together again
		long jitter = (long) (Math.random() * (this.leaseNanos / 4));
		this.backoffUntilNanos = now + this.leaseNanos / 2 + jitter;
	}

	private void publishLease(long until) {
		this.published.publishLease(until, this.leading);
	}

	private void refreshView(long now) {
		if (this.leading != null && this.published.leads(now)) {
			this.published.show(this.self, this.leading.token);
		}
		else {
			this.voter.show(now);
		}
	}

	private static final class Candidacy {

		final long token;

		final long startNanos;

		final Set<String> granted = new HashSet<>();

		Candidacy(long token, long startNanos) {
			this.token = token;
			this.startNanos = startNanos;
		}

	}

}
