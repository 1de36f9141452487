package dev.clustering.node;

import java.time.Instant;
import java.util.Map;
import java.util.Set;

import org.junit.jupiter.api.Test;

import dev.clustering.membership.Member;
import dev.clustering.membership.MemberStatus;
import dev.clustering.membership.NodeAddress;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What a node knows of the other nodes' processes, for the leader's placement: which process is
 * silent since when, which ended or left, who is in sync, and how often a member that is not is
 * asked for its whole state.
 */
class PeerFatesTests {

	private static final long SECOND = 1_000_000_000L;

	private static final long INTERVAL = SECOND / 5;

	private final PeerFates fates = new PeerFates();

	private static Member member(String name, long incarnation, MemberStatus status) {
		return new Member(name, new NodeAddress("127.0.0.1", 9402), incarnation, status, Set.of("local"), Instant.EPOCH,
				Map.of());
	}

	@Test
	void aSilentMemberIsSilentSinceItWentDownAndEvenAfterItIsDropped() {
		Member b = member("b", 1, MemberStatus.UP);
		this.fates.up(b, 0);
		this.fates.down(b, 5 * SECOND, 4 * SECOND);
		this.fates.gone(b, false, 9 * SECOND, 4 * SECOND);
		Placement.Fate fate = this.fates.fate("b", 1, null, 0, 4 * SECOND);
		assertThat(fate.kind()).isEqualTo(Placement.Fate.Kind.SILENT);
		assertThat(fate.sinceNanos()).isEqualTo(5 * SECOND);
		assertThat(fate.lastHeardNanos()).isEqualTo(4 * SECOND);
		assertThat(this.fates.ended("b")).isFalse();
	}

	@Test
	void aMemberThatSaidGoodbyeLeftAtThatMoment() {
		Member b = member("b", 1, MemberStatus.UP);
		this.fates.up(b, 0);
		this.fates.gone(b, true, 7 * SECOND, 7 * SECOND);
		assertThat(this.fates.fate("b", 1, null, 0, 7 * SECOND).kind()).isEqualTo(Placement.Fate.Kind.LEFT);
		assertThat(this.fates.left()).containsExactly("b");
		assertThat(this.fates.ended("b")).isTrue();
	}

	@Test
	void aCrashKeepsWhenTheProcessWentSilentAndEndsIt() {
		Member b = member("b", 1, MemberStatus.UP);
		this.fates.down(b, 3 * SECOND, 2 * SECOND);
		this.fates.crashed("b", 1, 4 * SECOND);
		Placement.Fate fate = this.fates.fate("b", 1, null, 0, 2 * SECOND);
		assertThat(fate.kind()).isEqualTo(Placement.Fate.Kind.ENDED);
		assertThat(fate.sinceNanos()).isEqualTo(3 * SECOND);
		assertThat(this.fates.address("b", null)).isEqualTo(b.address());
	}

	@Test
	void aProcessReplacedByANewOneUnderItsNameHasEnded() {
		Member old = member("b", 1, MemberStatus.UP);
		this.fates.replaced(old, 6 * SECOND, 5 * SECOND);
		Member renewed = member("b", 2, MemberStatus.UP);
		this.fates.up(renewed, 6 * SECOND);
		// the old process's entry stays until the new one is what is asked about
		assertThat(this.fates.fate("b", 1, renewed, 0, 5 * SECOND).kind()).isEqualTo(Placement.Fate.Kind.SILENT);
		assertThat(this.fates.fate("b", 3, renewed, 0, 5 * SECOND).kind()).isEqualTo(Placement.Fate.Kind.ENDED);
	}

	@Test
	void aProcessNothingIsKnownOfMayBeSilentSinceBeforeThisLeadership() {
		Placement.Fate fate = this.fates.fate("c", 1, null, 8 * SECOND, Long.MIN_VALUE);
		assertThat(fate.kind()).isEqualTo(Placement.Fate.Kind.SILENT);
		assertThat(fate.sinceNanos()).isEqualTo(8 * SECOND);
		assertThat(this.fates.ended("c")).isFalse();
	}

	@Test
	void aMemberComingBackUpIsNoLongerSilentAndMustSyncAgain() {
		Member b = member("b", 1, MemberStatus.UP);
		this.fates.up(b, 0);
		assertThat(this.fates.digest("b", true, SECOND, INTERVAL)).isFalse();
		assertThat(this.fates.synced("b")).isTrue();
		this.fates.down(b, 2 * SECOND, SECOND);
		assertThat(this.fates.synced("b")).isFalse();
		this.fates.up(b, 3 * SECOND);
		assertThat(this.fates.upSince("b", -1)).isEqualTo(3 * SECOND);
		assertThat(this.fates.ended("b")).isFalse();
		assertThat(this.fates.synced("b")).isFalse();
	}

	@Test
	void aMemberOutOfSyncIsAskedAtMostOnceAnIntervalThenLessOften() {
		long now = 0;
		assertThat(this.fates.digest("b", false, now, INTERVAL)).isTrue();
		assertThat(this.fates.digest("b", false, now + INTERVAL / 4, INTERVAL)).isFalse();
		assertThat(this.fates.digest("b", false, now + INTERVAL, INTERVAL)).isTrue();
		// the second failure waits twice as long
		assertThat(this.fates.digest("b", false, now + 2 * INTERVAL, INTERVAL)).isFalse();
		assertThat(this.fates.digest("b", false, now + 3 * INTERVAL, INTERVAL)).isTrue();
		// a match resets the backoff
		assertThat(this.fates.digest("b", true, now + 4 * INTERVAL, INTERVAL)).isFalse();
		assertThat(this.fates.digest("b", false, now + 4 * INTERVAL, INTERVAL)).isTrue();
	}

	@Test
	void fatesAreKeptOnlyForTheNodesAskedToKeep() {
		this.fates.crashed("b", 1, SECOND);
		this.fates.crashed("c", 1, SECOND);
		this.fates.retain(Set.of("c"));
		assertThat(this.fates.ended("b")).isFalse();
		assertThat(this.fates.ended("c")).isTrue();
	}

}
