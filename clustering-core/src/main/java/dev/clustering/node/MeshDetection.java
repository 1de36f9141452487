package dev.clustering.node;

import java.time.Clock;
import java.util.Collection;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.clustering.detection.FailureDetectorSettings;
import dev.clustering.detection.PhiAccrualFailureDetector;
import dev.clustering.membership.LocalNode;
import dev.clustering.membership.MemberStatus;

/**
 * Failure detection over the {@link MeshPeers}: each member's detector, fed by its heartbeats
 * only; a member that is up turns unreachable when its detector stops hearing it, and up again at
 * its next heartbeat. When this node finds it was itself paused (a check came later than the checks'
 * interval and the acceptable heartbeat pause allow), the silence is its own, so every detector
 * restarts its count. Holds when the last check ran. Owned by the node's event loop, like
 * {@link Mesh}.
 */
final class MeshDetection {

	// logs under Mesh's name, as before it was split off (log settings and the fault suite's log reading
	// name that logger)
	private static final Logger logger = LoggerFactory.getLogger(Mesh.class);

	private final LocalNode self;

	private final FailureDetectorSettings settings;

	private final Clock clock;

	private final long pauseToleranceNanos;

	private long lastCheckNanos;

	private boolean checked;

	MeshDetection(LocalNode self, FailureDetectorSettings settings, Clock clock, long checkIntervalNanos) {
		this.self = self;
		this.settings = settings;
		this.clock = clock;
		this.pauseToleranceNanos = checkIntervalNanos + settings.acceptableHeartbeatPause().toNanos();
	}

	/**
	 * A peer became a member: its detector starts, as if it had just been heard from.
	 * @param peer the peer
	 * @param now the time
	 */
	void joined(MeshPeer peer, long now) {
		peer.detector = new PhiAccrualFailureDetector(this.settings);
		peer.detector.start(now);
		peer.lastReceivedNanos = now;
	}

	/**
	 * A member's heartbeat: it feeds the detector, and an unreachable member is up again.
	 * @param peer the member
	 * @param now the time
	 * @return whether the member was unreachable and is up again
	 */
	boolean heartbeat(MeshPeer peer, long now) {
		// only heartbeats feed the detector: other messages come at any moment, and their short
		// intervals would make it believe heartbeats are irregular, so it would judge later
		peer.detector.heartbeat(now);
		if (peer.member.status() == MemberStatus.UNREACHABLE) {
			logger.info("Node {} is reachable again", peer.name);
			peer.member = peer.member.withStatus(MemberStatus.UP, this.clock.instant());
			peer.silentSinceNanos = Long.MIN_VALUE;
			return true;
		}
		return false;
	}

	/**
	 * Whether this node itself stalled (GC, a stopped process) since the last check; if it did, the
	 * silence is its own, not the peers', and every detector restarts its count.
	 * @param peers the peers
	 * @param now the time
	 * @return whether it was paused
	 */
	boolean paused(Collection<MeshPeer> peers, long now) {
		if (!this.checked || now - this.lastCheckNanos <= this.pauseToleranceNanos) {
			return false;
		}
		logger.warn("Node {} was paused for {} ms; restarting failure detection", this.self.name(),
				(now - this.lastCheckNanos) / 1_000_000);
		peers.stream().filter((p) -> p.detector != null).forEach((p) -> p.detector.restartSilence(now));
		return true;
	}

	/**
	 * The periodic check: notes when it ran, and marks unreachable every member that is up and whose
	 * detector no longer hears it.
	 * @param peers the peers
	 * @param now the time
	 * @return whether any member turned unreachable
	 */
	boolean check(Collection<MeshPeer> peers, long now) {
		this.lastCheckNanos = now;
		this.checked = true;
		boolean changed = false;
		for (MeshPeer peer : peers) {
			if (peer.member != null && peer.member.isUp() && !peer.detector.isAvailable(now)) {
				logger.warn("Node {} is unreachable: nothing heard for {} ms (phi {})", peer.name,
						(now - peer.detector.lastHeartbeatNanos()) / 1_000_000,
						String.format("%.1f", peer.detector.phi(now)));
				peer.member = peer.member.withStatus(MemberStatus.UNREACHABLE, this.clock.instant());
				peer.silentSinceNanos = now;
				changed = true;
			}
		}
		return changed;
	}

}
