package dev.clustering.transport;

import java.util.ArrayList;
import java.util.List;

/**
 * Records what a connection tells its node, for the fuzz targets to check afterwards (an assertion
 * thrown from {@link #received} would be caught and counted by the connection, not reported).
 */
final class FuzzListener implements ConnectionListener {

	int admitted;

	int established;

	int closed;

	final List<Message> received = new ArrayList<>();

	@Override
	public Message.Reject admit(PeerConnection connection, PeerIdentity peer) {
		this.admitted++;
		return null;
	}

	@Override
	public void established(PeerConnection connection) {
		this.established++;
	}

	@Override
	public void received(PeerConnection connection, Message message) {
		this.received.add(message);
	}

	@Override
	public void closed(PeerConnection connection) {
		this.closed++;
	}

}
