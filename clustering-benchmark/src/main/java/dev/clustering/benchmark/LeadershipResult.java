package dev.clustering.benchmark;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

import dev.clustering.leadership.RevocationReason;
import dev.clustering.node.EngineEvent;
import dev.clustering.singleton.StartType;
import dev.clustering.singleton.StopReason;
import dev.clustering.test.RecordedEvent;

/**
 * What the {@link LeadershipScenario} measured: the first leader, the elections after a kill, a stop,
 * a freeze and a pause of the leader, what each frozen or paused leader did after its thaw, the
 * singleton's failovers and takeovers, and the problems met. {@link LeadershipReport} prints it.
 */
final class LeadershipResult {

	double firstLeaderMillis = Double.NaN;

	final ElectionStats kill = new ElectionStats();

	final ElectionStats stop = new ElectionStats();

	final FreezeStats freeze = new FreezeStats();

	final FreezeStats pause = new FreezeStats();

	final SingletonStats singleton = new SingletonStats();

	final List<String> problems = new ArrayList<>();

	double worstHiccup = Double.NaN;

	double seconds = Double.NaN;

	/** What one freeze of the leader showed about the frozen node after its thaw. */
	static final class FreezeRun {

		String thawWord = "thaw";

		String victim;

		String newLeader;

		long newToken;

		boolean leaderAtThaw;

		double revokedWhileFrozenMs = Double.NaN;

		RevocationReason revokedWhileFrozenReason;

		double revokedAfterThawMs = Double.NaN;

		RevocationReason revokedAfterThawReason;

		final List<String> revokes = new ArrayList<>();

		/** From the thaw until isLeader() was false (0 when it was already false); infinite if never. */
		double thawToNotLeaderMs;

		/** From the thaw until all three nodes agreed on one leader; infinite if not within the window. */
		double thawToAgreedMs;

		String agreedLeader;

		/** The frozen node's LeaderElectedEvent for the survivors' leader after the thaw. */
		double heardNewLeaderMs = Double.NaN;

		/** A token the frozen node claimed with after the thaw, or 0. */
		long reclaimedToken;

		boolean leadsAtEnd;

		long tokenAtEnd;

		/** Reads one event of the frozen (or paused) node itself; {@code t0} is the cut, {@code thawAt} the thaw. */
		void note(RecordedEvent rec, long t0, long thawAt, boolean stall) {
			if (rec.event() instanceof EngineEvent.LeadershipRevoked revoked) {
				double ms = (rec.nanos() - thawAt) / 1e6;
				this.revokes.add(revoked.reason() + ((ms < 0)
						? " " + Format.ms((rec.nanos() - t0) / 1e6) + " after the " + (stall ? "pause" : "cut")
						: " " + Format.ms(ms) + " after the " + this.thawWord));
				if (ms < 0) {
					this.revokedWhileFrozenMs = (rec.nanos() - t0) / 1e6;
					this.revokedWhileFrozenReason = revoked.reason();
				}
				else if (Double.isNaN(this.revokedAfterThawMs)) {
					this.revokedAfterThawMs = ms;
					this.revokedAfterThawReason = revoked.reason();
				}
			}
			else if (rec.event() instanceof EngineEvent.LeaderElected elected && rec.nanos() - thawAt >= 0) {
				if (elected.leader().equals(this.victim)) {
					this.reclaimedToken = elected.fencingToken();
				}
				else if (this.newLeader != null && elected.leader().equals(this.newLeader)
						&& Double.isNaN(this.heardNewLeaderMs)) {
					this.heardNewLeaderMs = (rec.nanos() - thawAt) / 1e6;
				}
			}
		}

		boolean stale() {
			return this.newLeader != null && this.tokenAtEnd < this.newToken;
		}

		String describe() {
			List<String> parts = new ArrayList<>();
			parts.add((this.leaderAtThaw ? "still leading at the " : "not leading at the ") + this.thawWord);
			if (!this.revokes.isEmpty()) {
				parts.add("revoked: " + String.join(", ", this.revokes));
			}
			if (this.leaderAtThaw) {
				parts.add("isLeader() false " + (Double.isInfinite(this.thawToNotLeaderMs) ? "NEVER in the window"
						: "after " + Format.ms(this.thawToNotLeaderMs)));
			}
			if (!Double.isNaN(this.heardNewLeaderMs)) {
				parts.add("heard the new leader after " + Format.ms(this.heardNewLeaderMs));
			}
			if (this.reclaimedToken > 0) {
				parts.add("CLAIMED AGAIN with token " + this.reclaimedToken
						+ ((this.reclaimedToken > this.newToken) ? " > the new leader's " : " <= the new leader's ")
						+ this.newToken);
			}
			parts.add((this.agreedLeader != null)
					? "all agree on " + this.agreedLeader + " after " + Format.ms(this.thawToAgreedMs)
					: "NO agreement within the window");
			parts.add("token at the end " + this.tokenAtEnd + (stale() ? " < " : " >= ") + this.newToken
					+ (stale() ? " (stale)" : " (NOT stale)"));
			return String.join("; ", parts);
		}

	}

	static final class FreezeStats {

		final ElectionStats election = new ElectionStats();

		final List<FreezeRun> runs = new ArrayList<>();

	}

	static final class SingletonStats {

		int runs;

		int runnerWasLeader;

		double firstStartMillis = Double.NaN;

		/** Failover: from halt to start() on the new node, minus the failover-timeout. */
		final List<Double> failoverExtra = new ArrayList<>();

		final Map<StartType, Integer> failoverTypes = new EnumMap<>(StartType.class);

		int failoverMissing;

		/** Takeover: from stop() returning on the old node to start() on the restarted one. */
		final List<Double> takeoverGaps = new ArrayList<>();

		final List<Double> restartToTakeover = new ArrayList<>();

		final Map<StartType, Integer> takeoverTypes = new EnumMap<>(StartType.class);

		final Map<StopReason, Integer> stopReasons = new EnumMap<>(StopReason.class);

		int takeoverMissing;

		int takeoverNoStop;

		long unexpectedStarts;

		int overlaps;

	}

}
