package dev.clustering.node;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.function.LongSupplier;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.clustering.detection.FailureDetectorSettings;
import dev.clustering.membership.LeaveReason;
import dev.clustering.membership.LocalNode;
import dev.clustering.membership.NodeAddress;
import dev.clustering.transport.Message;
import dev.clustering.transport.PeerConnection;
import dev.clustering.transport.PeerIdentity;
import dev.clustering.transport.WarningLimiter;

/**
 * Who is admitted to the {@link MeshPeers}, and on which connection. A peer that proved itself is
 * refused when it is this node (or another process with this node's name), or when no topology
 * listing its address admits its name. A new process with a peer's name replaces the old one, unless
 * the old one is a member that is up, or a silent member and the new process connects from another
 * host before that silence has lasted long enough (a frozen member may come back: its name is not
 * handed to a process elsewhere). A peer that advertises another address than it connects from is
 * warned of. Of two connections to one peer (both nodes dialled), both sides keep the one dialled by
 * the node whose name sorts first. Holds its warnings' rate limit. Owned by the node's event loop,
 * like {@link Mesh}, which asks it once it made sure this node is not leaving.
 */
final class MeshAdmission {

	// logs under Mesh's name, as before it was split off (log settings name that logger)
	private static final Logger logger = LoggerFactory.getLogger(Mesh.class);

	private final LocalNode self;

	private final KnownNodes known;

	private final MeshPeers peers;

	private final LongSupplier nanoTime;

	private final WarningLimiter warnings = new WarningLimiter();

	private final long replaceSilentAfterNanos;

	MeshAdmission(LocalNode self, KnownNodes known, MeshPeers peers, FailureDetectorSettings detectorSettings,
			LongSupplier nanoTime) {
		this.self = self;
		this.known = known;
		this.peers = peers;
		this.nanoTime = nanoTime;
		long detection = detectorSettings.heartbeatInterval().toNanos()
				+ detectorSettings.acceptableHeartbeatPause().toNanos();
		this.replaceSilentAfterNanos = Math.max(30_000_000_000L, 10 * detection);
	}

	/**
	 * Whether a peer that proved itself is admitted on a connection (the node is not leaving).
	 * @param connection the connection
	 * @param peer who the peer is
	 * @return why it is refused, or {@code null} once it is in the table with this connection
	 */
	Message.Reject admit(PeerConnection connection, PeerIdentity peer) {
		if (peer.name().equals(this.self.name())) {
			if (peer.incarnation() == this.self.incarnation()) {
				if (connection.dialled() != null) {
					this.known.alias(connection.dialled(), this.self.name());
				}
				return new Message.Reject(Message.RejectReason.NOT_ALLOWED, "connected to itself");
			}
			logger.warn("Refused node {} at {}: that is this node's own name; give each node its own "
					+ "cluster.node.name", peer.name(), peer.address());
			return duplicate(peer, "");
		}
		if (!connection.isInitiator() && peer.address().isIpLiteral()
				&& !peer.address().host().equals(connection.remoteHost())) {
			this.warnings.warn(logger, "address " + peer.name(), "Node {} advertises {} but connects from {} (behind "
					+ "NAT, or a different bind address?)", peer.name(), peer.address().host(), connection.remoteHost());
		}
		NodeAddress at = (connection.dialled() != null) ? connection.dialled() : peer.address();
		String outOfScope = this.known.refuses(at, peer.name());
		if (outOfScope != null) {
			logger.info("[{}] not joining {} at {}: its name does not match the topology's basename", outOfScope,
					peer.name(), peer.address());
			return new Message.Reject(Message.RejectReason.NOT_ALLOWED,
					"name " + peer.name() + " is not part of topology " + outOfScope);
		}
		MeshPeer existing = this.peers.get(peer.name());
		if (existing != null && existing.incarnation != peer.incarnation()) {
			Message.Reject refused = replace(existing, peer, connection);
			if (refused != null) {
				return refused;
			}
			existing = null;
		}
		if (existing == null) {
			existing = this.peers.add(peer.name(), peer.incarnation());
		}
		existing.connections.add(connection);
		this.known.admitted(at);
		return null;
	}

	// another process claims the name of a member: a restart replaces it, an impostor does not
	private Message.Reject replace(MeshPeer existing, PeerIdentity peer, PeerConnection connection) {
		if (existing.member != null && existing.member.isUp()) {
			logger.warn("Refused node {} at {}: a node with that name is already a member (at {}); give each "
					+ "node its own cluster.node.name", peer.name(), peer.address(), existing.member.address());
			return duplicate(peer, "");
		}
		long now = this.nanoTime.getAsLong();
		boolean sameHost = existing.remoteHost != null && existing.remoteHost.equals(connection.remoteHost());
		boolean silentLong = existing.member != null && existing.silentSinceNanos != Long.MIN_VALUE
				&& now - existing.silentSinceNanos >= this.replaceSilentAfterNanos;
		if (existing.member != null && !sameHost && !silentLong) {
			// a silent member may be frozen and come back: its name is not handed to a process elsewhere
			this.warnings.warn(logger, "impostor " + peer.name(), "Refused node {} connecting from {}: member {} "
					+ "(at {}) is silent, not gone; a new process with its name is accepted from the same host, or "
					+ "after {} s of silence", peer.name(), connection.remoteHost(), peer.name(), existing.remoteHost,
					this.replaceSilentAfterNanos / 1_000_000_000L);
			return duplicate(peer, " (silent, not gone)");
		}
		logger.info("Node {} restarted (new incarnation at {}); dropping the old one", peer.name(), peer.address());
		this.peers.remove(existing);
		new ArrayList<>(existing.connections)
			.forEach((c) -> c.close(Message.CloseReason.REPLACED, "a new process took this name"));
		if (existing.member != null) {
			// the old process may be frozen rather than dead: it is treated as gone silent, not as crashed
			this.peers.publish(Map.of(peer.name(), LeaveReason.CONNECTION_LOST));
		}
		return null;
	}

	/**
	 * Two nodes that dialled each other at the same moment have two established connections: both
	 * keep the one dialled by the node whose name sorts first and close the other, saying why.
	 * @param peer the peer whose connections are checked
	 */
	void keepOneConnection(MeshPeer peer) {
		List<PeerConnection> open = peer.connections.stream()
			.filter((c) -> c.state() == PeerConnection.State.ESTABLISHED)
			.toList();
		if (open.size() < 2) {
			return;
		}
		// keep a connection dialled by the node whose name sorts first; both sides agree on it
		boolean selfFirst = this.self.name().compareTo(peer.name) < 0;
		PeerConnection kept = open.stream()
			.min(Comparator.comparing((PeerConnection c) -> c.isInitiator() != selfFirst))
			.orElseThrow();
		for (PeerConnection spare : open) {
			if (spare != kept) {
				peer.connections.remove(spare);
				spare.close(Message.CloseReason.SPARE, "both nodes dialled; keeping the other connection");
			}
		}
	}

	private Message.Reject duplicate(PeerIdentity peer, String why) {
		return new Message.Reject(Message.RejectReason.DUPLICATE_NAME,
				"a node named " + peer.name() + " is already a member of " + this.self.name() + "'s cluster" + why);
	}

}
