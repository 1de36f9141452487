package dev.clustering.node;

import java.time.Clock;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.function.LongSupplier;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.ApplicationEvent;

import dev.clustering.leadership.LeaderElectedEvent;
import dev.clustering.leadership.LeaderInfo;
import dev.clustering.leadership.LeadershipRevokedEvent;
import dev.clustering.leadership.SplitBrainStrategy;
import dev.clustering.membership.ClusterSnapshot;
import dev.clustering.membership.Member;
import dev.clustering.transport.Message;

/**
 * Elects one leader among the reachable members, without a registry. The rule:
 * <ol>
 * <li>only a side with a quorum (see {@link SplitBrainStrategy}) has a leader;</li>
 * <li>a reachable node that holds a claim leads; if several do, the one with the larger fencing
 * token (so after a partition heals, the side that kept a leader keeps it, and a leader that was
 * frozen while another was elected learns it lost as soon as it hears the newer claim);</li>
 * <li>when no reachable node holds a claim, the oldest reachable node (earliest start, then name)
 * claims, with a token larger than any it has seen and than the wall clock in milliseconds, so
 * tokens grow across leaders and across restarts of the whole cluster.</li>
 * </ol>
 * A leader also holds a lease: if it has not heard from a quorum for one heartbeat interval plus
 * the acceptable pause (less than the others need to judge it unreachable), it steps down, so a
 * leader cut off from the majority is gone before the majority elects another.
 * The oldest rather than, say, the smallest name, so that a node that joins or restarts never
 * takes leadership from a working leader; and a node that just started waits one failure-detection
 * period (heartbeat interval plus acceptable pause) before it may claim, so it first hears any
 * leader that exists. Claims travel to every peer; a node that dies with its
 * connection closed is replaced at once, a silent one once the failure detector judges it.
 * Runs on the node's event loop.
 */
final class Leadership {

	private static final Logger logger = LoggerFactory.getLogger(Leadership.class);

	static final String STARTED_AT = "clustering.started-at";

	// claim tokens: > 0 leads with that token, 0 a candidate, -1 not a candidate (yielded, leaving)
	private static final long NOT_CANDIDATE = -1;

	private final Object source;

	private final String self;

	private final long startedAt;

	private final SplitBrainStrategy splitBrain;

	private final int quorumSize;

	private final Clock clock;

	private final LongSupplier nanoTime;

	private final Consumer<Message> broadcast;

	private final java.util.function.BiConsumer<String, Message> send;

	private final Consumer<ApplicationEvent> events;

	private final long pauseGraceNanos;

	private final Map<String, Long> claims = new HashMap<>();

	private ClusterSnapshot snapshot;

	private final java.util.function.IntSupplier knownNodes;

	// members heard from within the leader's lease (one heartbeat interval plus the acceptable pause)
	private final java.util.function.IntSupplier heardRecently;

	private long ownToken;

	private long highestToken;

	private long yieldedUntilNanos;

	private boolean yielded;

	private long settleUntilNanos;

	private boolean leaving;

	private volatile LeaderInfo view;

	// when this node's current leadership began (monotonic), or -1
	private long leadingSinceNanos = -1;

	// registry mode: a topology's backend (etcd, ...) runs a linearizable election instead
	private boolean registryMode;

	private boolean registryLost;

	private String registryLeader;

	private long registryToken;

	private volatile boolean quorum;

	Leadership(Object source, String self, long startedAt, SplitBrainStrategy splitBrain, int quorumSize, Clock clock,
			LongSupplier nanoTime, long pauseGraceNanos, java.util.function.IntSupplier knownNodes,
			java.util.function.IntSupplier heardRecently,
			java.util.function.BiConsumer<String, Message> send, Consumer<Message> broadcast,
			Consumer<ApplicationEvent> events) {
		this.knownNodes = knownNodes;
		this.heardRecently = heardRecently;
		this.send = send;
		this.pauseGraceNanos = pauseGraceNanos;
		// a node that just started hears the others out before it claims: it joins a leader, not a race
		this.settleUntilNanos = nanoTime.getAsLong() + pauseGraceNanos;
		this.source = source;
		this.self = self;
		this.startedAt = startedAt;
		this.splitBrain = splitBrain;
		this.quorumSize = quorumSize;
		this.clock = clock;
		this.nanoTime = nanoTime;
		this.broadcast = broadcast;
		this.events = events;
	}

	Optional<LeaderInfo> leader() {
		return Optional.ofNullable(this.view);
	}

	boolean isLeader() {
		LeaderInfo current = this.view;
		return current != null && current.name().equals(this.self);
	}

	boolean hasQuorum() {
		return this.quorum;
	}

	long ownToken() {
		return this.ownToken;
	}

	/**
	 * Whether this node has led for at least one failure-detection period: long enough to have
	 * heard what every member runs, so it may start a singleton that nobody has reported.
	 */
	boolean settledAsLeader() {
		return this.ownToken > 0 && this.leadingSinceNanos >= 0
				&& this.nanoTime.getAsLong() - this.leadingSinceNanos >= this.pauseGraceNanos;
	}

	/** The next fencing token: larger than every token seen, and than the wall clock in ms. */
	long nextToken() {
		this.highestToken = Math.max(this.highestToken + 1, this.clock.millis());
		return this.highestToken;
	}

	void seenToken(long token) {
		this.highestToken = Math.max(this.highestToken, token);
	}

	/** The claim to tell a peer that just joined. */
	Message.Claim currentClaim() {
		return new Message.Claim((this.leaving || this.yielded) ? NOT_CANDIDATE : Math.max(this.ownToken, 0));
	}

	void membershipChanged(ClusterSnapshot previous, ClusterSnapshot next) {
		for (Member member : next.upMembers()) {
			Member before = previous.member(member.name());
			if (before == null || !before.isUp() || before.incarnation() != member.incarnation()) {
				// a newcomer, or a peer that was cut off (and may have missed a claim), learns who leads
				this.send.accept(member.name(), currentClaim());
			}
		}
		this.snapshot = next;
		this.claims.keySet().retainAll(next.members().keySet());
		evaluate();
	}

	/** From now on the election is a registry's; claims between nodes are ignored. */
	void useRegistry() {
		this.registryMode = true;
	}

	void registryElected(String leader, long token) {
		this.registryLeader = leader;
		this.registryToken = token;
		seenToken(token);
		evaluate();
	}

	void registryUnknown() {
		this.registryLeader = null;
		evaluate();
	}

	void registryLost(boolean lost) {
		this.registryLost = lost;
		evaluate();
	}

	void claimReceived(String peer, long token) {
		this.claims.put(peer, token);
		seenToken(token);
		evaluate();
	}

	void yieldLeadership() {
		if (this.ownToken > 0 && !this.registryMode) {
			this.yielded = true;
			this.yieldedUntilNanos = this.nanoTime.getAsLong() + 3_000_000_000L;
			stepDown(LeadershipRevokedEvent.Reason.YIELDED, NOT_CANDIDATE);
			evaluate();
		}
	}

	/** This node was paused long enough for the others to act without it: assume the worst. */
	void paused() {
		if (this.registryMode) {
			return; // the registry's lease decides; a pause that outlived it shows up as a new leader
		}
		// hear the others out before claiming again: a leader may have been elected meanwhile
		this.settleUntilNanos = this.nanoTime.getAsLong() + this.pauseGraceNanos;
		if (this.ownToken > 0) {
			stepDown(LeadershipRevokedEvent.Reason.PAUSED, 0);
		}
		evaluate();
	}

	void leave() {
		if (this.registryMode) {
			if (this.ownToken > 0) {
				revoke(LeadershipRevokedEvent.Reason.SHUTDOWN);
			}
			this.leaving = true;
			this.view = null;
			return;
		}
		this.leaving = true;
		if (this.ownToken > 0) {
			stepDown(LeadershipRevokedEvent.Reason.SHUTDOWN, NOT_CANDIDATE);
		}
		else {
			this.broadcast.accept(new Message.Claim(NOT_CANDIDATE));
		}
		this.view = null;
	}

	void evaluate() {
		if (this.snapshot == null || this.leaving) {
			return;
		}
		if (this.registryMode) {
			evaluateRegistry();
			return;
		}
		long now = this.nanoTime.getAsLong();
		if (this.yielded && now - this.yieldedUntilNanos >= 0) {
			this.yielded = false;
			this.broadcast.accept(new Message.Claim(0)); // a candidate again
		}
		int reachable = this.snapshot.upMembers().size() + 1;
		int known = this.knownNodes.getAsInt();
		boolean hadQuorum = this.quorum;
		this.quorum = this.splitBrain.hasQuorum(reachable, known, this.quorumSize);
		if (this.quorum && !hadQuorum) {
			// back in a majority after a cut: hear the claims made meanwhile before claiming
			this.settleUntilNanos = Math.max(this.settleUntilNanos, now + this.pauseGraceNanos);
		}
		if (!this.quorum) {
			if (this.ownToken > 0) {
				logger.warn("Node {} has no quorum ({} of {} nodes reachable): giving up leadership", this.self,
						reachable, known);
				stepDown(LeadershipRevokedEvent.Reason.QUORUM_LOST, 0);
			}
			setView(null);
			return;
		}
		if (this.ownToken > 0 && !this.splitBrain.hasQuorum(this.heardRecently.getAsInt() + 1, known, this.quorumSize)) {
			// Leader's lease: not heard from a quorum for a heartbeat interval plus the acceptable pause,
			// which is shorter than the time the others need to judge this node unreachable. So a leader
			// cut off from the majority steps down before the majority can elect another one.
			logger.warn("Node {} has not heard from a quorum lately: giving up leadership", this.self);
			stepDown(LeadershipRevokedEvent.Reason.QUORUM_LOST, 0);
			this.settleUntilNanos = Math.max(this.settleUntilNanos, now + this.pauseGraceNanos);
		}
		String holder = (this.ownToken > 0) ? this.self : null;
		long holderToken = this.ownToken;
		for (Member member : this.snapshot.upMembers()) {
			long token = this.claims.getOrDefault(member.name(), 0L);
			if (token > holderToken) {
				holder = member.name();
				holderToken = token;
			}
		}
		if (holder != null && !holder.equals(this.self) && this.ownToken > 0) {
			logger.info("Node {} yields to {}, whose claim is newer ({} > {})", this.self, holder, holderToken,
					this.ownToken);
			stepDown(LeadershipRevokedEvent.Reason.SUPERSEDED, 0);
		}
		if (holder == null && oldestCandidate().equals(this.self) && now - this.settleUntilNanos >= 0) {
			this.ownToken = nextToken();
			this.leadingSinceNanos = now;
			holder = this.self;
			holderToken = this.ownToken;
			logger.info("Node {} leads the cluster (fencing token {})", this.self, this.ownToken);
			this.broadcast.accept(new Message.Claim(this.ownToken));
		}
		setView((holder != null) ? new LeaderInfo(holder, this.clock.instant(), holderToken) : null);
	}

	private void evaluateRegistry() {
		this.quorum = !this.registryLost;
		boolean selfLeads = this.quorum && this.self.equals(this.registryLeader);
		if (this.ownToken > 0 && (!selfLeads || this.registryToken != this.ownToken)) {
			revoke(this.quorum ? LeadershipRevokedEvent.Reason.SUPERSEDED : LeadershipRevokedEvent.Reason.REGISTRY_LOST);
		}
		if (selfLeads && this.ownToken == 0) {
			this.ownToken = this.registryToken;
			this.leadingSinceNanos = this.nanoTime.getAsLong();
			logger.info("Node {} leads the cluster, elected by the registry (fencing token {})", this.self,
					this.ownToken);
		}
		setView((this.quorum && this.registryLeader != null)
				? new LeaderInfo(this.registryLeader, this.clock.instant(), this.registryToken) : null);
	}

	private void revoke(LeadershipRevokedEvent.Reason reason) {
		long lost = this.ownToken;
		this.ownToken = 0;
		this.events.accept(new LeadershipRevokedEvent(this.source, this.self, lost, reason));
		logger.info("Node {} no longer leads ({}, token {})", this.self, reason, lost);
	}

	private String oldestCandidate() {
		String oldest = this.yielded ? null : this.self;
		long oldestStart = this.startedAt;
		for (Member member : this.snapshot.upMembers()) {
			if (this.claims.getOrDefault(member.name(), 0L) == NOT_CANDIDATE) {
				continue;
			}
			long started = parse(member.metadata().get(STARTED_AT));
			if (oldest == null || started < oldestStart
					|| (started == oldestStart && member.name().compareTo(oldest) < 0)) {
				oldest = member.name();
				oldestStart = started;
			}
		}
		return (oldest != null) ? oldest : "";
	}

	private void stepDown(LeadershipRevokedEvent.Reason reason, long claim) {
		this.broadcast.accept(new Message.Claim(claim));
		revoke(reason);
	}

	private void setView(LeaderInfo next) {
		LeaderInfo previous = this.view;
		boolean same = (previous == null) ? next == null
				: next != null && previous.name().equals(next.name()) && previous.fencingToken() == next.fencingToken();
		if (same) {
			return;
		}
		this.view = next;
		if (next != null) {
			this.events.accept(new LeaderElectedEvent(this.source, this.self, next.name(), next.fencingToken()));
		}
	}

	private static long parse(String value) {
		try {
			return (value != null) ? Long.parseLong(value) : Long.MAX_VALUE;
		}
		catch (NumberFormatException ex) {
			return Long.MAX_VALUE;
		}
	}

}
