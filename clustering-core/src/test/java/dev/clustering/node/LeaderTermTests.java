package dev.clustering.node;

import java.time.Instant;
import java.util.Set;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A leadership's lease and its members' support, from the renewals sent and acknowledged, on a
 * fake clock (milliseconds as nanoseconds' units for readability).
 */
class LeaderTermTests {

	private static final long MS = 1_000_000L;

	private static final long VALID = 1900 * MS; // a 2 s lease minus its margin

	private final LeaderTerm term = new LeaderTerm(42, 0, Instant.EPOCH);

	@Test
	void votesAloneGiveALeaseFromTheRequestButSupportNothing() {
		this.term.voted("b", 100 * MS);
		this.term.voted("c", 200 * MS);
		// two others make a quorum of three: the lease rests on the older request
		assertThat(this.term.leaseUntil(2, 300 * MS, VALID)).isEqualTo(100 * MS + VALID);
		// a vote is no acknowledged renewal: no permit to confirm
		assertThat(this.term.supportedBy("b", 300 * MS, VALID)).isFalse();
		assertThat(this.term.lastAckNanos("b")).isEqualTo(Long.MIN_VALUE);
	}

	@Test
	void theLeaseRestsOnTheOldestAcknowledgementOfTheQuorum() {
		long first = this.term.renewal(1000 * MS, true);
		long second = this.term.renewal(1500 * MS, true);
		this.term.acknowledged("b", second, 1510 * MS);
		this.term.acknowledged("c", first, 1520 * MS);
		this.term.acknowledged("d", second, 1530 * MS);
		// quorum of 3 (2 others) of 4: the two latest sends are b's and d's (1500)
		assertThat(this.term.leaseUntil(2, 1600 * MS, VALID)).isEqualTo(1500 * MS + VALID);
		// quorum of 4 (3 others): c's older renewal counts
		assertThat(this.term.leaseUntil(3, 1600 * MS, VALID)).isEqualTo(1000 * MS + VALID);
		// not enough acknowledgements: no lease
		assertThat(this.term.leaseUntil(4, 1600 * MS, VALID)).isEqualTo(Deadlines.NONE);
		// alone, this node is its own quorum
		assertThat(this.term.leaseUntil(0, 1600 * MS, VALID)).isEqualTo(1600 * MS + VALID);
	}

	@Test
	void anOlderAcknowledgementNeverReplacesANewerOne() {
		long first = this.term.renewal(1000 * MS, true);
		long second = this.term.renewal(1500 * MS, true);
		this.term.acknowledged("b", second, 1510 * MS);
		this.term.acknowledged("b", first, 1520 * MS);
		assertThat(this.term.acknowledged("b")).isEqualTo(second);
		assertThat(this.term.lastAckNanos("b")).isEqualTo(1510 * MS);
	}

	@Test
	void anAcknowledgementOfAnUnknownRenewalIsIgnored() {
		this.term.acknowledged("b", 7, 100 * MS);
		assertThat(this.term.acknowledged("b")).isZero();
		assertThat(this.term.leaseUntil(1, 200 * MS, VALID)).isEqualTo(Deadlines.NONE);
	}

	@Test
	void aMemberSupportsTheLeaderOnlyWhileItsAcknowledgedRenewalIsRecent() {
		long sequence = this.term.renewal(1000 * MS, true);
		this.term.acknowledged("b", sequence, 1010 * MS);
		assertThat(this.term.supportedBy("b", 2000 * MS, VALID)).isTrue();
		assertThat(this.term.supportedBy("b", 1000 * MS + VALID, VALID)).isFalse();
	}

	@Test
	void aMemberThatEndedOrIsUnreachableCountsNoMore() {
		long sequence = this.term.renewal(1000 * MS, true);
		this.term.acknowledged("b", sequence, 1010 * MS);
		this.term.acknowledged("c", sequence, 1020 * MS);
		this.term.retainReachable(Set.of("b"));
		assertThat(this.term.leaseUntil(2, 1100 * MS, VALID)).isEqualTo(Deadlines.NONE);
		// an unreachable member's last acknowledgement is kept: its permits end a permit after it
		assertThat(this.term.lastAckNanos("c")).isEqualTo(1020 * MS);
		this.term.forget("b");
		assertThat(this.term.leaseUntil(1, 1100 * MS, VALID)).isEqualTo(Deadlines.NONE);
		assertThat(this.term.lastAckNanos("b")).isEqualTo(Long.MIN_VALUE);
	}

	@Test
	void aRenewalToOneMemberDoesNotCountAsARound() {
		this.term.renewal(1000 * MS, true);
		this.term.renewal(1200 * MS, false);
		assertThat(this.term.lastRenewNanos()).isEqualTo(1000 * MS);
	}

	@Test
	void aFollowerKnowsWhenItAcknowledgedWhatTheLeaderEchoes() {
		RenewalLog log = new RenewalLog();
		log.acknowledged(42, 5, 700 * MS);
		assertThat(log.acknowledgedAt(42, 5)).isEqualTo(700 * MS);
		assertThat(log.acknowledgedAt(41, 5)).as("another leadership's").isEqualTo(Deadlines.NONE);
		log.acknowledged(42, 5 + 64, 900 * MS);
		assertThat(log.acknowledgedAt(42, 5)).as("overwritten in the ring").isEqualTo(Deadlines.NONE);
	}

}
