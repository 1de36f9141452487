package dev.clustering.transport;

/**
 * What the transport tells the node about its connections. All calls come on the node's single
 * event-loop thread.
 */
public interface ConnectionListener {

	/**
	 * The peer proved it knows the cookie; may it join? Called on the initiator once the acceptor's
	 * proof checked out, and on the acceptor once the initiator's proof did.
	 * @param connection the connection
	 * @param peer who the peer says it is
	 * @return {@code null} to admit it, or why not
	 */
	Message.Reject admit(PeerConnection connection, PeerIdentity peer);

	/**
	 * The handshake completed on both sides.
	 * @param connection the connection
	 */
	void established(PeerConnection connection);

	/**
	 * A frame arrived on an established connection.
	 * @param connection the connection
	 * @param message the message
	 */
	void received(PeerConnection connection, Message message);

	/**
	 * The connection closed, whatever its state.
	 * @param connection the connection
	 */
	void closed(PeerConnection connection);

}
