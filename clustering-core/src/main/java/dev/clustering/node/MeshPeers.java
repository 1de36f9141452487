package dev.clustering.node;

import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

import dev.clustering.membership.ClusterSnapshot;
import dev.clustering.membership.LeaveReason;
import dev.clustering.membership.LocalNode;
import dev.clustering.membership.Member;
import dev.clustering.membership.NodeAddress;
import dev.clustering.transport.PeerConnection;
import dev.clustering.transport.PeerIdentity;

/**
 * The peers table: each admitted peer process by name ({@link MeshPeer}), whose members are what
 * the node publishes as a {@link ClusterSnapshot}, and what the quorum and the failover rules ask of
 * them (who is leaving, how many nodes are known, which listed nodes are silent, when a node was
 * last heard from). When a peer goes, what was last heard from it is kept in {@link KnownNodes}.
 * Owned by the node's event loop, like {@link Mesh}.
 */
final class MeshPeers {

	private final LocalNode self;

	private final KnownNodes known;

	private final Mesh.SnapshotSink sink;

	private final Map<String, MeshPeer> peers = new HashMap<>();

	MeshPeers(LocalNode self, KnownNodes known, Mesh.SnapshotSink sink) {
		this.self = self;
		this.known = known;
		this.sink = sink;
	}

	/**
	 * The peer of a name, member or not yet.
	 * @param name its name
	 * @return the peer, or {@code null}
	 */
	MeshPeer get(String name) {
		return this.peers.get(name);
	}

	/**
	 * Every peer, member or not yet.
	 * @return a live view of the table
	 */
	Collection<MeshPeer> all() {
		return this.peers.values();
	}

	/**
	 * A peer process is admitted under its name.
	 * @param name its name
	 * @param incarnation its incarnation
	 * @return the new peer, with no connection yet
	 */
	MeshPeer add(String name, long incarnation) {
		MeshPeer peer = new MeshPeer(name, incarnation);
		this.peers.put(name, peer);
		return peer;
	}

	/**
	 * A peer goes (its last connection closed, or a new process took its name); for a member, when
	 * it was last heard from is remembered, for the failover rules (bounded).
	 * @param peer the peer
	 */
	void remove(MeshPeer peer) {
		this.peers.remove(peer.name);
		if (peer.member != null && peer.lastReceivedNanos != Long.MIN_VALUE) {
			this.known.lastHeard(peer.name, peer.lastReceivedNanos);
		}
	}

	/**
	 * The peer process that sent on a connection, even one given up as a spare.
	 * @param connection the connection
	 * @return the peer of that name and incarnation, or {@code null}
	 */
	MeshPeer sender(PeerConnection connection) {
		PeerIdentity identity = connection.peer();
		if (identity == null) {
			return null;
		}
		MeshPeer peer = this.peers.get(identity.name());
		return (peer != null && peer.incarnation == identity.incarnation()) ? peer : null;
	}

	/**
	 * The peer that holds a connection.
	 * @param connection the connection
	 * @return the peer, or {@code null} if none holds it
	 */
	MeshPeer owner(PeerConnection connection) {
		PeerIdentity identity = connection.peer();
		if (identity == null) {
			return null;
		}
		MeshPeer peer = this.peers.get(identity.name());
		return (peer != null && peer.connections.contains(connection)) ? peer : null;
	}

	/**
	 * Whether a node is a member.
	 * @param name its name, or {@code null}
	 * @return whether it is
	 */
	boolean isMember(String name) {
		MeshPeer peer = (name != null) ? this.peers.get(name) : null;
		return peer != null && peer.member != null;
	}

	/**
	 * The addresses the members advertise.
	 * @return a new set of them
	 */
	Set<NodeAddress> memberAddresses() {
		Set<NodeAddress> addresses = new HashSet<>();
		this.peers.values().stream().filter((p) -> p.member != null).forEach((p) -> addresses.add(p.member.address()));
		return addresses;
	}

	/**
	 * When anything was last heard from a member.
	 * @param name the member
	 * @return monotonic nanoseconds, or {@link Long#MIN_VALUE} if it is not a member
	 */
	long lastReceivedNanos(String name) {
		MeshPeer peer = this.peers.get(name);
		if (peer != null && peer.member != null) {
			return peer.lastReceivedNanos;
		}
		return this.known.lastHeard(name);
	}

	/**
	 * Members that announced they are leaving.
	 * @return their names
	 */
	Set<String> leavingMembers() {
		Set<String> names = new HashSet<>();
		this.peers.values().forEach((p) -> {
			if (p.member != null && p.leaving) {
				names.add(p.name);
			}
		});
		return names;
	}

	/**
	 * Nodes this node knows of, itself included (see {@link QuorumCount}).
	 * @return the count
	 */
	int knownNodeCount() {
		return 1 + (int) this.peers.values().stream().filter((p) -> p.member != null).count() + strangers().size();
	}

	/**
	 * The listed-but-silent nodes (see {@link QuorumCount#strangers}).
	 * @return node names, or addresses where no node ever answered
	 */
	Set<String> strangers() {
		Map<String, NodeAddress> members = new HashMap<>();
		this.peers.values().forEach((p) -> {
			if (p.member != null) {
				members.put(p.name, p.member.address());
			}
		});
		return this.known.strangers(members);
	}

	/**
	 * Hands the node a new snapshot of the members, each with the topologies that now list it.
	 * @param departures the members that just left, and why
	 */
	void publish(Map<String, LeaveReason> departures) {
		Map<String, Member> members = new HashMap<>();
		for (MeshPeer peer : this.peers.values()) {
			if (peer.member != null) {
				Set<String> names = this.known.topologiesOf(peer.member);
				if (!names.equals(peer.member.topologies())) {
					peer.member = peer.member.withTopologies(names);
				}
				members.put(peer.name, peer.member);
			}
		}
		this.sink.accept(new ClusterSnapshot(this.self, members, departures));
	}

}
