package dev.clustering.node;

import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.LongSupplier;
import java.util.function.Predicate;

import io.netty.channel.ChannelFuture;
import io.netty.channel.EventLoop;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.clustering.detection.FailureDetectorSettings;
import dev.clustering.discovery.TopologyStatus;
import dev.clustering.membership.ClusterSnapshot;
import dev.clustering.membership.LeaveReason;
import dev.clustering.membership.LocalNode;
import dev.clustering.membership.Member;
import dev.clustering.membership.MemberStatus;
import dev.clustering.membership.NodeAddress;
import dev.clustering.transport.ConnectionListener;
import dev.clustering.transport.LinkFilter;
import dev.clustering.transport.Message;
import dev.clustering.transport.NettyTransport;
import dev.clustering.transport.PeerConnection;
import dev.clustering.transport.PeerIdentity;
import dev.clustering.transport.TransportSettings;

/**
 * The node's view of its peers: who is connected, who is heard from (each member's failure
 * detector, {@link MeshDetection}), who is admitted ({@link MeshAdmission}). The peers themselves,
 * and the snapshot made of them, are {@link MeshPeers}; what discovery lists and the nodes beyond the
 * members are {@link KnownNodes}; dialling them is the {@link Dialer}'s. Every method runs on the
 * transport's single event-loop thread (asserted at each entry point), so nothing here is locked;
 * each change ends in a new immutable {@link ClusterSnapshot} handed to the node.
 * <p>
 * Two nodes that dial each other at the same moment end up with two connections; both sides keep
 * the one dialled by the node whose name sorts first and close the other, saying why. A peer stays
 * a member while any authenticated connection to it is open, so closing the spare never reads as a
 * leave. A member whose last connection ends without a word (no close, no leave) died: that, and
 * only that, is reported as a crash.
 */
final class Mesh implements ConnectionListener {

	private static final Logger logger = LoggerFactory.getLogger(Mesh.class);

	private final LocalNode self;

	private final NettyTransport transport;

	private final EventLoop loop;

	private final LinkFilter links;

	private final Clock clock;

	private final LongSupplier nanoTime;

	private Protocol protocol = Protocol.NONE;

	// what discovery lists, aliases, out-of-scope and departed nodes
	private final KnownNodes known;

	private final MeshPeers peers;

	private final Dialer dialer;

	private final MeshDetection detection;

	private final MeshAdmission admission;

	private boolean leaving;

	Mesh(LocalNode self, NettyTransport transport, FailureDetectorSettings detectorSettings,
			TransportSettings transportSettings, LinkFilter links, Clock clock, LongSupplier nanoTime,
			long checkIntervalNanos, SnapshotSink sink) {
		this.self = self;
		this.transport = transport;
		this.loop = transport.eventLoop();
		this.known = new KnownNodes(self);
		this.peers = new MeshPeers(self, this.known, sink);
		this.dialer = new Dialer(transport, transportSettings, nanoTime);
		this.detection = new MeshDetection(self, detectorSettings, clock, checkIntervalNanos);
		this.admission = new MeshAdmission(self, this.known, this.peers, detectorSettings, nanoTime);
		this.links = links;
		this.clock = clock;
		this.nanoTime = nanoTime;
	}

	void protocol(Protocol protocol) {
		this.protocol = protocol;
	}

	void nameScopes(Map<String, Predicate<String>> scopes) {
		this.known.nameScopes(scopes);
	}

	@Override
	public Message.Reject admit(PeerConnection connection, PeerIdentity peer) {
		assert this.loop.inEventLoop() : "Mesh is used from its event loop only";
		if (this.leaving) {
			return new Message.Reject(Message.RejectReason.LEAVING, "node is shutting down");
		}
		return this.admission.admit(connection, peer);
	}

	@Override
	public void established(PeerConnection connection) {
		assert this.loop.inEventLoop() : "Mesh is used from its event loop only";
		PeerIdentity identity = connection.peer();
		MeshPeer peer = this.peers.get(identity.name());
		if (peer == null || !peer.connections.contains(connection)) {
			connection.close(Message.CloseReason.SPARE, "no longer wanted");
			return;
		}
		long now = this.nanoTime.getAsLong();
		if (connection.dialled() != null) {
			this.known.alias(connection.dialled(), identity.name());
			this.dialer.connected(connection.dialled());
		}
		if (this.known.returned(identity.name())) {
			logger.debug("Node {} is back after saying goodbye; it counts towards the quorum again", identity.name());
		}
		if (peer.member == null) {
			this.detection.joined(peer, now);
			peer.remoteHost = connection.remoteHost();
			peer.member = new Member(identity.name(), identity.address(), identity.incarnation(), MemberStatus.UP,
					Set.of(), this.clock.instant(), identity.metadata());
			logger.info("Node {} joined ({})", identity.name(), identity.address());
			this.peers.publish(Map.of());
		}
		this.admission.keepOneConnection(peer);
	}

	@Override
	public void received(PeerConnection connection, Message message) {
		assert this.loop.inEventLoop() : "Mesh is used from its event loop only";
		// a frame that arrives on a connection this node already gave up as a spare still comes from that
		// authenticated process: dropping it would lose, say, a claim sent just before the spare closed
		MeshPeer peer = this.peers.sender(connection);
		if (peer == null || peer.member == null || this.links.dropsFrom(peer.name)) {
			return;
		}
		long now = this.nanoTime.getAsLong();
		peer.lastReceivedNanos = now;
		if (message instanceof Message.Heartbeat heartbeat) {
			if (this.detection.heartbeat(peer, now)) {
				this.peers.publish(Map.of());
			}
			this.protocol.heartbeat(peer.name, heartbeat.digest());
			return;
		}
		if (message instanceof Message.Leaving) {
			if (!peer.leaving) {
				peer.leaving = true;
				logger.info("Node {} is leaving", peer.name);
				peer.connections.forEach(PeerConnection::peerAnnouncedLeave);
				this.peers.publish(Map.of());
			}
			return;
		}
		this.protocol.received(peer.name, peer.incarnation, message);
	}

	/** Sends to one member, if connected and the link is not cut. */
	void send(String name, Message message) {
		MeshPeer peer = this.peers.get(name);
		if (peer != null && peer.member != null && !this.links.dropsTo(name)) {
			for (PeerConnection connection : peer.connections) {
				if (connection.state() == PeerConnection.State.ESTABLISHED) {
					connection.send(message);
					return;
				}
			}
		}
	}

	/** Sends to every member. */
	void broadcast(Message message) {
		for (MeshPeer peer : this.peers.all()) {
			if (peer.member != null) {
				send(peer.name, message);
			}
		}
	}

	/**
	 * When anything was last heard from a member.
	 * @param name the member
	 * @return monotonic nanoseconds, or {@link Long#MIN_VALUE} if it is not a member
	 */
	long lastReceivedNanos(String name) {
		return this.peers.lastReceivedNanos(name);
	}

	/**
	 * Members that announced they are leaving.
	 * @return their names
	 */
	Set<String> leavingMembers() {
		return this.peers.leavingMembers();
	}

	/**
	 * Nodes this node knows of, itself included (see {@link QuorumCount}).
	 * @return the count
	 */
	int knownNodeCount() {
		return this.peers.knownNodeCount();
	}

	/**
	 * The listed-but-silent nodes (see {@link QuorumCount#strangers}).
	 * @return node names, or addresses where no node ever answered
	 */
	Set<String> strangers() {
		return this.peers.strangers();
	}

	@Override
	public void closed(PeerConnection connection) {
		assert this.loop.inEventLoop() : "Mesh is used from its event loop only";
		long now = this.nanoTime.getAsLong();
		NodeAddress dialled = connection.dialled();
		if (dialled != null) {
			this.dialer.closed(connection, this.self.name().equals(this.known.alias(dialled)), now);
		}
		MeshPeer peer = this.peers.owner(connection);
		if (peer == null) {
			return;
		}
		peer.connections.remove(connection);
		if (!peer.connections.isEmpty()) {
			return;
		}
		this.peers.remove(peer);
		// a node that is leaving itself does not report its peers as gone
		if (peer.member == null || this.leaving) {
			return;
		}
		LeaveReason reason = peer.leaving ? LeaveReason.LEFT : LeaveReason.CONNECTION_LOST;
		boolean crashed = !peer.leaving && connection.closedByPeer();
		logger.info("Node {} left ({}{})", peer.name, reason, crashed ? ", its connection was closed by its side" : "");
		if (reason == LeaveReason.LEFT) {
			this.known.departed(peer.member);
		}
		this.peers.publish(Map.of(peer.name, reason));
		if (crashed) {
			this.protocol.crashed(peer.name, peer.incarnation);
		}
		else if (reason == LeaveReason.LEFT) {
			this.protocol.left(peer.name);
		}
	}

	/**
	 * Sends a heartbeat to every established peer whose link is not cut, on one connection each.
	 * @param digest the digest of what this node announces
	 */
	void sendHeartbeats(long digest) {
		assert this.loop.inEventLoop() : "Mesh is used from its event loop only";
		Message heartbeat = new Message.Heartbeat(digest);
		for (MeshPeer peer : this.peers.all()) {
			if (peer.member != null) {
				send(peer.name, heartbeat);
			}
		}
	}

	/** Judges silent peers, then dials whatever discovery lists and is not connected. */
	void check() {
		assert this.loop.inEventLoop() : "Mesh is used from its event loop only";
		long now = this.nanoTime.getAsLong();
		if (this.detection.paused(this.peers.all(), now)) {
			this.protocol.paused();
		}
		if (this.detection.check(this.peers.all(), now)) {
			this.peers.publish(Map.of());
		}
		dialDiscovered(now);
	}

	/** A topology reported: attribute members to it and dial what is new. */
	void topologyChanged(TopologyStatus status) {
		assert this.loop.inEventLoop() : "Mesh is used from its event loop only";
		this.known.topologyChanged(status);
		this.peers.publish(Map.of());
		dialDiscovered(this.nanoTime.getAsLong());
	}

	/** Tells every member this node is leaving: nothing is placed on it from now on. */
	void announceLeaving() {
		assert this.loop.inEventLoop() : "Mesh is used from its event loop only";
		broadcast(new Message.Leaving());
	}

	/**
	 * Finishes a graceful leave: refuses new peers and closes every connection, saying why.
	 * @return futures completing when each connection has closed
	 */
	List<ChannelFuture> leave() {
		assert this.loop.inEventLoop() : "Mesh is used from its event loop only";
		this.leaving = true;
		List<ChannelFuture> closing = new ArrayList<>();
		for (MeshPeer peer : this.peers.all()) {
			for (PeerConnection connection : new ArrayList<>(peer.connections)) {
				ChannelFuture future = connection.close(Message.CloseReason.LEAVING, "node is leaving");
				if (future != null) {
					closing.add(future);
				}
			}
		}
		return closing;
	}

	/** Closes every connection without a word, as a crash would. */
	void abort() {
		this.leaving = true;
		new ArrayList<>(this.peers.all()).forEach((p) -> new ArrayList<>(p.connections).forEach(PeerConnection::abort));
	}

	private void dialDiscovered(long now) {
		if (this.leaving) {
			return;
		}
		Map<NodeAddress, Set<String>> wanted = this.known.wanted();
		Set<NodeAddress> connected = this.peers.memberAddresses();
		this.known.pruneAliases(wanted.keySet(), connected, this.peers::isMember);
		this.dialer.dial(wanted, (address) -> this.known.isSelf(address) || connected.contains(address)
				|| this.peers.isMember(this.known.alias(address)), now);
	}

	/** What the node does with messages beyond membership, and with its own pauses. */
	interface Protocol {

		Protocol NONE = new Protocol() {
		};

		/** A message from a member (not a heartbeat, not a leave). */
		default void received(String peer, long incarnation, Message message) {
		}

		/** A member's heartbeat, with the digest of what it announces. */
		default void heartbeat(String peer, long digest) {
		}

		/** This node found it was paused. */
		default void paused() {
		}

		/** A member's last connection ended without a word from it: its process died. */
		default void crashed(String peer, long incarnation) {
		}

		/** A member said goodbye and its last connection closed. */
		default void left(String peer) {
		}

	}

	/** Receives every new snapshot. */
	@FunctionalInterface
	interface SnapshotSink {

		void accept(ClusterSnapshot snapshot);

	}

}
