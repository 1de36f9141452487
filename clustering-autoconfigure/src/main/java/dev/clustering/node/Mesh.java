package dev.clustering.node;

import java.time.Clock;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.LongSupplier;

import io.netty.channel.ChannelFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.clustering.detection.FailureDetectorSettings;
import dev.clustering.detection.PhiAccrualFailureDetector;
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
 * The node's view of its peers: who is connected, who is heard from, whom to dial. Every method
 * runs on the transport's single event-loop thread, so nothing here is locked; each change ends
 * in a new immutable {@link ClusterSnapshot} handed to the node.
 * <p>
 * Two nodes that dial each other at the same moment end up with two connections; both sides keep
 * the one dialled by the node whose name sorts first and close the other. A peer stays a member
 * while any authenticated connection to it is open, so closing the spare never reads as a leave.
 */
final class Mesh implements ConnectionListener {

	private static final Logger logger = LoggerFactory.getLogger(Mesh.class);

	private static final Message HEARTBEAT = new Message.Heartbeat();

	private final LocalNode self;

	private final NettyTransport transport;

	private final FailureDetectorSettings detectorSettings;

	private final TransportSettings transportSettings;

	private final LinkFilter links;

	private final Clock clock;

	private final LongSupplier nanoTime;

	private final SnapshotSink sink;

	private Protocol protocol = Protocol.NONE;

	// topology name -> which node names it admits (only for name-scoped strategies)
	private volatile Map<String, java.util.function.Predicate<String>> nameScopes = Map.of();

	private final Map<String, Peer> peers = new HashMap<>();

	// address this node dialled -> name of the node found there (or this node's own name)
	private final Map<NodeAddress, String> aliases = new HashMap<>();

	private final Map<NodeAddress, DialBackoff> dials = new HashMap<>();

	private final Map<String, TopologyStatus> topologies = new HashMap<>();

	// addresses where a node whose name no topology admits answered (not counted as known nodes)
	private final Set<NodeAddress> outOfScope = new HashSet<>();

	private final long pauseToleranceNanos;

	private long lastCheckNanos;

	private boolean leaving;

	Mesh(LocalNode self, NettyTransport transport, FailureDetectorSettings detectorSettings,
			TransportSettings transportSettings, LinkFilter links, Clock clock, LongSupplier nanoTime,
			long checkIntervalNanos, SnapshotSink sink) {
		this.self = self;
		this.transport = transport;
		this.detectorSettings = detectorSettings;
		this.transportSettings = transportSettings;
		this.links = links;
		this.clock = clock;
		this.nanoTime = nanoTime;
		this.sink = sink;
		this.pauseToleranceNanos = checkIntervalNanos + detectorSettings.acceptableHeartbeatPause().toNanos();
	}

	void protocol(Protocol protocol) {
		this.protocol = protocol;
	}

	void nameScopes(Map<String, java.util.function.Predicate<String>> scopes) {
		this.nameScopes = Map.copyOf(scopes);
	}

	@Override
	public Message.Reject admit(PeerConnection connection, PeerIdentity peer) {
		if (this.leaving) {
			return new Message.Reject(Message.RejectReason.LEAVING, "node is shutting down");
		}
		if (peer.name().equals(this.self.name())) {
			if (peer.incarnation() == this.self.incarnation()) {
				if (connection.dialled() != null) {
					this.aliases.put(connection.dialled(), this.self.name());
				}
				return new Message.Reject(Message.RejectReason.NOT_ALLOWED, "connected to itself");
			}
			logger.warn("Refused node {} at {}: that is this node's own name; give each node its own "
					+ "cluster.node.name", peer.name(), peer.address());
			return duplicate(peer);
		}
		NodeAddress at = (connection.dialled() != null) ? connection.dialled() : peer.address();
		String outOfScope = outOfScope(at, peer.name());
		if (outOfScope != null) {
			this.outOfScope.add(at);
			logger.info("[{}] not joining {} at {}: its name does not match the topology's basename", outOfScope,
					peer.name(), peer.address());
			return new Message.Reject(Message.RejectReason.NOT_ALLOWED,
					"name " + peer.name() + " is not part of topology " + outOfScope);
		}
		Peer existing = this.peers.get(peer.name());
		if (existing != null && existing.incarnation != peer.incarnation()) {
			if (existing.member != null && existing.member.isUp()) {
				logger.warn("Refused node {} at {}: a node with that name is already a member (at {}); give each "
						+ "node its own cluster.node.name", peer.name(), peer.address(), existing.member.address());
				return duplicate(peer);
			}
			// the old incarnation is silent (or never finished its handshake): the new process replaces it
			logger.info("Node {} restarted (new incarnation at {}); dropping the silent one", peer.name(),
					peer.address());
			this.peers.remove(peer.name());
			existing.connections.forEach(PeerConnection::close);
			existing = null;
			publish(Map.of());
		}
		if (existing == null) {
			existing = new Peer(peer.name(), peer.incarnation());
			this.peers.put(peer.name(), existing);
		}
		existing.connections.add(connection);
		this.outOfScope.remove(at);
		return null;
	}

	@Override
	public void established(PeerConnection connection) {
		PeerIdentity identity = connection.peer();
		Peer peer = this.peers.get(identity.name());
		if (peer == null || !peer.connections.contains(connection)) {
			connection.close();
			return;
		}
		long now = this.nanoTime.getAsLong();
		if (connection.dialled() != null) {
			this.aliases.put(connection.dialled(), identity.name());
			dial(connection.dialled()).connected();
		}
		if (peer.member == null) {
			peer.detector = new PhiAccrualFailureDetector(this.detectorSettings);
			peer.detector.start(now);
			peer.member = new Member(identity.name(), identity.address(), identity.incarnation(), MemberStatus.UP,
					Set.of(), this.clock.instant(), identity.metadata());
			logger.info("Node {} joined ({})", identity.name(), identity.address());
			publish(Map.of());
		}
		keepOneConnection(peer);
	}

	@Override
	public void received(PeerConnection connection, Message message) {
		Peer peer = owner(connection);
		if (peer == null || peer.member == null || this.links.isCut(peer.name)) {
			return;
		}
		if (message instanceof Message.Heartbeat) {
			// only heartbeats feed the detector: other messages come at any moment, and their short
			// intervals would make it believe heartbeats are irregular, so it would judge later
			peer.detector.heartbeat(this.nanoTime.getAsLong());
		}
		if (message instanceof Message.Leave) {
			peer.leaving = true;
			logger.info("Node {} is leaving", peer.name);
			new ArrayList<>(peer.connections).forEach(PeerConnection::close);
		}
		else {
			if (peer.member.status() == MemberStatus.UNREACHABLE && message instanceof Message.Heartbeat) {
				logger.info("Node {} is reachable again", peer.name);
				peer.member = peer.member.withStatus(MemberStatus.UP, this.clock.instant());
				publish(Map.of());
			}
			if (!(message instanceof Message.Heartbeat)) {
				this.protocol.received(peer.name, message);
			}
		}
	}

	/** Sends to one member, if connected and the link is not cut. */
	void send(String name, Message message) {
		Peer peer = this.peers.get(name);
		if (peer != null && peer.member != null && !this.links.isCut(name)) {
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
		for (Peer peer : this.peers.values()) {
			if (peer.member != null) {
				send(peer.name, message);
			}
		}
	}

	/**
	 * Members that are up and whose last heartbeat is more recent than the given age.
	 * @param maxAgeNanos how recent
	 * @return how many
	 */
	int heardWithin(long maxAgeNanos) {
		long now = this.nanoTime.getAsLong();
		int heard = 0;
		for (Peer peer : this.peers.values()) {
			if (peer.member != null && peer.member.isUp() && now - peer.detector.lastHeartbeatNanos() < maxAgeNanos) {
				heard++;
			}
		}
		return heard;
	}

	/**
	 * Nodes this node knows of, itself included: members (up or not) and the addresses that
	 * discovery lists but no member answers for (except where a node outside the topology's
	 * basename answered). The base of the keep-majority quorum.
	 */
	int knownNodeCount() {
		Set<NodeAddress> memberAddresses = new HashSet<>();
		Set<String> members = new HashSet<>();
		for (Peer peer : this.peers.values()) {
			if (peer.member != null) {
				members.add(peer.name);
				memberAddresses.add(peer.member.address());
			}
		}
		Set<NodeAddress> strangers = new HashSet<>();
		for (TopologyStatus status : this.topologies.values()) {
			for (NodeAddress address : status.discovered()) {
				String alias = this.aliases.get(address);
				boolean known = address.equals(this.self.address()) || memberAddresses.contains(address)
						|| (alias != null && (alias.equals(this.self.name()) || members.contains(alias)))
						|| this.outOfScope.contains(address);
				if (!known) {
					strangers.add(address);
				}
			}
		}
		return 1 + members.size() + strangers.size();
	}

	@Override
	public void closed(PeerConnection connection) {
		long now = this.nanoTime.getAsLong();
		NodeAddress dialled = connection.dialled();
		if (dialled != null) {
			DialBackoff backoff = dial(dialled);
			if (connection.wasEstablished()) {
				backoff.disconnected(now);
			}
			else if (this.self.name().equals(this.aliases.get(dialled))) {
				backoff.connected(); // that address is this node; it is never dialled again
			}
			else {
				dialFailed(dialled, backoff, now,
						(connection.failure() != null) ? connection.failure() : "closed during the handshake");
			}
		}
		Peer peer = owner(connection);
		if (peer == null) {
			return;
		}
		peer.connections.remove(connection);
		if (peer.connections.isEmpty()) {
			this.peers.remove(peer.name);
			// a node that is leaving itself does not report its peers as gone
			if (peer.member != null && !this.leaving) {
				LeaveReason reason = peer.leaving ? LeaveReason.LEFT : LeaveReason.CONNECTION_LOST;
				logger.info("Node {} left ({})", peer.name, reason);
				publish(Map.of(peer.name, reason));
				if (reason == LeaveReason.CONNECTION_LOST && connection.closedByPeer()) {
					this.protocol.crashed(peer.name);
				}
			}
		}
	}

	/** Sends a heartbeat to every established peer whose link is not cut, on one connection each. */
	void sendHeartbeats() {
		for (Peer peer : this.peers.values()) {
			if (peer.member != null) {
				send(peer.name, HEARTBEAT);
			}
		}
	}

	/** Judges silent peers, then dials whatever discovery lists and is not connected. */
	void check() {
		long now = this.nanoTime.getAsLong();
		if (this.lastCheckNanos != 0 && now - this.lastCheckNanos > this.pauseToleranceNanos) {
			// This node itself stalled (GC, a stopped process): the silence is ours, not the peers'.
			logger.warn("Node {} was paused for {} ms; restarting failure detection", this.self.name(),
					(now - this.lastCheckNanos) / 1_000_000);
			this.peers.values().stream().filter((p) -> p.detector != null).forEach((p) -> p.detector.restartSilence(now));
			this.protocol.paused();
		}
		this.lastCheckNanos = now;
		boolean changed = false;
		for (Peer peer : this.peers.values()) {
			if (peer.member != null && peer.member.isUp() && !peer.detector.isAvailable(now)) {
				logger.warn("Node {} is unreachable: nothing heard for {} ms (phi {})", peer.name,
						(now - peer.detector.lastHeartbeatNanos()) / 1_000_000,
						String.format("%.1f", peer.detector.phi(now)));
				peer.member = peer.member.withStatus(MemberStatus.UNREACHABLE, this.clock.instant());
				changed = true;
			}
		}
		if (changed) {
			publish(Map.of());
		}
		dialDiscovered(now);
	}

	/** A topology reported: attribute members to it and dial what is new. */
	void topologyChanged(TopologyStatus status) {
		this.topologies.put(status.name(), status);
		publish(Map.of());
		dialDiscovered(this.nanoTime.getAsLong());
	}

	/**
	 * Starts a graceful leave: refuses new peers and says goodbye on every connection.
	 * @return futures completing when each connection has closed
	 */
	List<ChannelFuture> leave() {
		this.leaving = true;
		List<ChannelFuture> closing = new ArrayList<>();
		for (Peer peer : this.peers.values()) {
			for (PeerConnection connection : peer.connections) {
				closing.add(connection.sendAndClose(new Message.Leave()));
			}
		}
		return closing;
	}

	/** Closes every connection without a goodbye, as a crash would. */
	void abort() {
		this.leaving = true;
		new ArrayList<>(this.peers.values()).forEach((p) -> new ArrayList<>(p.connections).forEach(PeerConnection::close));
	}

	/**
	 * The topology that keeps a node out, or {@code null}: a node is refused only when every topology
	 * listing its address is name-scoped and none admits its name. A node no topology lists may join.
	 */
	private String outOfScope(NodeAddress address, String name) {
		String refusing = null;
		for (TopologyStatus status : this.topologies.values()) {
			if (!status.discovered().contains(address)) {
				continue;
			}
			java.util.function.Predicate<String> scope = this.nameScopes.get(status.name());
			if (scope == null || scope.test(name)) {
				return null;
			}
			refusing = status.name();
		}
		return refusing;
	}

	private Message.Reject duplicate(PeerIdentity peer) {
		return new Message.Reject(Message.RejectReason.DUPLICATE_NAME,
				"a node named " + peer.name() + " is already a member of " + this.self.name() + "'s cluster");
	}

	private void dialDiscovered(long now) {
		if (this.leaving) {
			return;
		}
		Map<NodeAddress, Set<String>> wanted = new HashMap<>();
		this.topologies.values().forEach((status) -> status.discovered()
			.forEach((address) -> wanted.computeIfAbsent(address, (a) -> new TreeSet<>()).add(status.name())));
		Set<NodeAddress> connected = new HashSet<>();
		this.peers.values().stream().filter((p) -> p.member != null).forEach((p) -> connected.add(p.member.address()));
		this.dials.keySet().removeIf((address) -> !wanted.containsKey(address) && !this.dials.get(address).inFlight());
		wanted.forEach((address, names) -> {
			String alias = this.aliases.get(address);
			if (address.equals(this.self.address()) || this.self.name().equals(alias) || connected.contains(address)
					|| (alias != null && isMember(alias))) {
				return;
			}
			DialBackoff backoff = dial(address);
			backoff.topologies = names;
			if (backoff.mayDial(now)) {
				backoff.dialling();
				this.transport.connect(address).addListener((future) -> {
					if (!future.isSuccess()) {
						Throwable cause = future.cause();
						dialFailed(address, backoff, this.nanoTime.getAsLong(),
								(cause.getMessage() != null) ? cause.getMessage() : cause.toString());
					}
				});
			}
		});
	}

	private void dialFailed(NodeAddress address, DialBackoff backoff, long now, String reason) {
		if (backoff.failed(now, reason)) {
			logger.info("{} cannot reach {}: {}; retrying with back-off", backoff.topologies, address, reason);
		}
	}

	private DialBackoff dial(NodeAddress address) {
		return this.dials.computeIfAbsent(address, (a) -> new DialBackoff(
				this.transportSettings.reconnectInitialBackoff(), this.transportSettings.reconnectMaxBackoff()));
	}

	private boolean isMember(String name) {
		Peer peer = this.peers.get(name);
		return peer != null && peer.member != null;
	}

	private void keepOneConnection(Peer peer) {
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
				spare.close();
			}
		}
	}

	private Peer owner(PeerConnection connection) {
		PeerIdentity identity = connection.peer();
		if (identity == null) {
			return null;
		}
		Peer peer = this.peers.get(identity.name());
		return (peer != null && peer.connections.contains(connection)) ? peer : null;
	}

	private void publish(Map<String, LeaveReason> departures) {
		Map<String, Member> members = new HashMap<>();
		for (Peer peer : this.peers.values()) {
			if (peer.member != null) {
				Set<String> names = topologiesOf(peer.member);
				if (!names.equals(peer.member.topologies())) {
					peer.member = peer.member.withTopologies(names);
				}
				members.put(peer.name, peer.member);
			}
		}
		this.sink.accept(new ClusterSnapshot(this.self, members, departures));
	}

	private Set<String> topologiesOf(Member member) {
		Set<String> names = new TreeSet<>();
		for (TopologyStatus status : this.topologies.values()) {
			for (NodeAddress address : status.discovered()) {
				if (address.equals(member.address()) || member.name().equals(this.aliases.get(address))) {
					names.add(status.name());
					break;
				}
			}
		}
		return names;
	}

	/** What the node does with messages beyond membership, and with its own pauses. */
	interface Protocol {

		Protocol NONE = new Protocol() {
			@Override
			public void received(String peer, Message message) {
			}

			@Override
			public void paused() {
			}

			@Override
			public void crashed(String peer) {
			}
		};

		void received(String peer, Message message);

		void paused();

		/** A member's last connection was closed by its side without a goodbye: its process died. */
		void crashed(String peer);

	}

	/** Receives every new snapshot. */
	@FunctionalInterface
	interface SnapshotSink {

		void accept(ClusterSnapshot snapshot);

	}

	private static final class Peer {

		final String name;

		final long incarnation;

		final List<PeerConnection> connections = new ArrayList<>(2);

		Member member;

		PhiAccrualFailureDetector detector;

		boolean leaving;

		Peer(String name, long incarnation) {
			this.name = name;
			this.incarnation = incarnation;
		}

	}

}
