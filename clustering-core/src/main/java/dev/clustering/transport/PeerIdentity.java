package dev.clustering.transport;

import java.util.Map;

import dev.clustering.membership.NodeAddress;

/**
 * Who is at the other end of a connection, as it introduced itself in the handshake.
 *
 * @param name its node name
 * @param incarnation its process incarnation
 * @param address the address it advertises
 * @param metadata its metadata
 */
public record PeerIdentity(String name, long incarnation, NodeAddress address, Map<String, String> metadata) {

	public PeerIdentity {
		metadata = Map.copyOf(metadata);
	}

}
