package dev.clustering.node;

import java.util.ArrayList;
import java.util.List;

import dev.clustering.detection.PhiAccrualFailureDetector;
import dev.clustering.membership.Member;
import dev.clustering.transport.PeerConnection;

/**
 * One admitted peer process (a name and an incarnation) in the {@link MeshPeers} table: its
 * connections, and once one of them is established its member entry, its failure detector, the host
 * it connected from, when it was last heard from, since when it is silent, and whether it said it is
 * leaving. Mutable, and owned by the node's event loop, like {@link Mesh}.
 */
final class MeshPeer {

	final String name;

	final long incarnation;

	final List<PeerConnection> connections = new ArrayList<>(2);

	Member member;

	PhiAccrualFailureDetector detector;

	String remoteHost;

	long lastReceivedNanos = Long.MIN_VALUE;

	long silentSinceNanos = Long.MIN_VALUE;

	boolean leaving;

	MeshPeer(String name, long incarnation) {
		this.name = name;
		this.incarnation = incarnation;
	}

}
