package dev.clustering.node;

import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;

/**
 * One leadership of this node (a term, by its token): the renewals it sent and which member
 * acknowledged which, from which its lease follows. Owned by the event loop, through
 * {@link Election}.
 */
final class LeaderTerm {

	private static final int RING = 64;

	final long token;

	final long sinceNanos;

	final Instant since;

	// member -> its latest acknowledged renewal of this term and when that renewal was sent
	private final Map<String, Ack> acks = new HashMap<>();

	// when the latest acknowledgement of each member arrived, kept while it is unreachable: a
	// member's permits rest on renewals it acknowledged and this leader heard acknowledged, so they
	// end at most a permit's length after this
	private final Map<String, Long> ackReceived = new HashMap<>();

	// when each recent renewal was sent, by sequence (a ring)
	private final long[] renewSequences = new long[RING];

	private final long[] renewTimes = new long[RING];

	private long sequence;

	private long lastRenewNanos;

	private int known = 1;

	LeaderTerm(long token, long sinceNanos, Instant since) {
		this.token = token;
		this.sinceNanos = sinceNanos;
		this.since = since;
	}

	/**
	 * A member voted for this term: its promise started when the vote was requested.
	 * @param voter the member
	 * @param requestedNanos when the candidacy asked
	 */
	void voted(String voter, long requestedNanos) {
		this.acks.put(voter, new Ack(0, requestedNanos));
	}

	/**
	 * A renewal goes out now: its sequence, remembered with its send time.
	 * @param now monotonic nanoseconds
	 * @param everyone whether it goes to every member (a round), not to one
	 * @return the renewal's sequence
	 */
	long renewal(long now, boolean everyone) {
		this.sequence++;
		int slot = (int) (this.sequence % RING);
		this.renewSequences[slot] = this.sequence;
		this.renewTimes[slot] = now;
		if (everyone) {
			this.lastRenewNanos = now;
		}
		return this.sequence;
	}

	long lastRenewNanos() {
		return this.lastRenewNanos;
	}

	int known() {
		return this.known;
	}

	void known(int known) {
		this.known = known;
	}

	/**
	 * The latest renewal a member acknowledged (0 for a vote alone, or none).
	 * @param member the member
	 * @return its sequence
	 */
	long acknowledged(String member) {
		Ack ack = this.acks.get(member);
		return (ack != null) ? ack.sequence : 0;
	}

	/**
	 * A member acknowledged a renewal; ignored if the renewal is too old to know when it was sent.
	 * @param member the member
	 * @param sequence the renewal's sequence
	 * @param now monotonic nanoseconds
	 */
	void acknowledged(String member, long sequence, long now) {
		int slot = (int) (sequence % RING);
		if (this.renewSequences[slot] != sequence) {
			return;
		}
		Ack previous = this.acks.get(member);
		if (previous == null || sequence > previous.sequence) {
			this.acks.put(member, new Ack(sequence, this.renewTimes[slot]));
			this.ackReceived.put(member, now);
		}
	}

	/**
	 * Whether a member acknowledged a renewal (not only voted) sent less than a lease (minus the
	 * margin) ago: it still hears this leader.
	 * @param member the member
	 * @param now monotonic nanoseconds
	 * @param validNanos the lease minus the margin
	 * @return whether it does
	 */
	boolean supportedBy(String member, long now, long validNanos) {
		Ack ack = this.acks.get(member);
		return ack != null && ack.sequence > 0 && now - ack.sentNanos < validNanos;
	}

	/**
	 * When this leader last heard a member acknowledge a renewal of this term.
	 * @param member the member
	 * @return monotonic nanoseconds, or {@link Long#MIN_VALUE} if never
	 */
	long lastAckNanos(String member) {
		Long at = this.ackReceived.get(member);
		return (at != null) ? at : Long.MIN_VALUE;
	}

	/**
	 * Only reachable members' acknowledgements count towards the lease.
	 * @param reachable the reachable members
	 */
	void retainReachable(Set<String> reachable) {
		this.acks.keySet().retainAll(reachable);
	}

	/**
	 * A member's process ended: nothing it acknowledged counts any more.
	 * @param member the member
	 */
	void forget(String member) {
		this.acks.remove(member);
		this.ackReceived.remove(member);
	}

	/**
	 * The lease: {@code others} members (with this node, a quorum) acknowledged renewals sent at or
	 * after the returned time minus the lease.
	 * @param others how many members besides this node make a quorum
	 * @param now monotonic nanoseconds
	 * @param validNanos the lease minus the margin
	 * @return when the lease ends, or {@link Deadlines#NONE} without enough acknowledgements
	 */
	long leaseUntil(int others, long now, long validNanos) {
		if (others <= 0) {
			return now + validNanos;
		}
		// the acknowledgements' send times, latest first: the lease rests on the quorum's oldest
		long[] sent = this.acks.values().stream().mapToLong((ack) -> ack.sentNanos - now).sorted().toArray();
		if (sent.length < others) {
			return Deadlines.NONE;
		}
		return now + sent[sent.length - others] + validNanos;
	}

	private record Ack(long sequence, long sentNanos) {
	}

}
