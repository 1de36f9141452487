package dev.clustering.transport;

/**
 * The handshake's transcript on one connection: the hello and the challenge exactly as they
 * crossed the wire, and the proofs over them (see {@link CookieAuthenticator}). Dropped once the
 * connection is established. Runs on the node's event loop, through {@link Handshake}.
 */
final class HandshakeTranscript {

	private final CookieAuthenticator authenticator;

	private byte[] hello;

	private byte[] challenge;

	private byte[] initiatorProof;

	HandshakeTranscript(CookieAuthenticator authenticator) {
		this.authenticator = authenticator;
	}

	/**
	 * The initiator says hello.
	 * @param hello its hello
	 * @return the bytes to send
	 */
	byte[] helloSent(Message.Hello hello) {
		this.hello = FrameCodec.toBytes(hello);
		return this.hello;
	}

	/**
	 * The acceptor heard hello.
	 * @param bytes the hello's exact bytes
	 */
	void helloReceived(byte[] bytes) {
		this.hello = bytes;
	}

	/**
	 * The acceptor challenges the initiator.
	 * @param challenge its challenge
	 * @return the bytes to send
	 */
	byte[] challengeSent(Message.Challenge challenge) {
		this.challenge = FrameCodec.toBytes(challenge);
		return this.challenge;
	}

	/**
	 * The initiator heard the challenge, and proves it knows the cookie.
	 * @param bytes the challenge's exact bytes
	 * @param incarnation the initiator's incarnation
	 * @return the initiator's proof
	 */
	byte[] challengeReceived(byte[] bytes, long incarnation) {
		this.challenge = bytes;
		this.initiatorProof = this.authenticator.initiatorProof(this.hello, this.challenge, incarnation);
		return this.initiatorProof;
	}

	/**
	 * Whether the initiator's response proves it knows the cookie (checked by the acceptor).
	 * @param response the response
	 * @return whether it does
	 */
	boolean initiatorProved(Message.Response response) {
		byte[] expected = this.authenticator.initiatorProof(this.hello, this.challenge, response.incarnation());
		return CookieAuthenticator.matches(expected, response.proof());
	}

	/**
	 * The acceptor's proof, bound to the initiator's.
	 * @param incarnation the acceptor's incarnation
	 * @param initiatorProof the initiator's proof
	 * @return the acceptor's proof
	 */
	byte[] acceptorProof(long incarnation, byte[] initiatorProof) {
		return this.authenticator.acceptorProof(this.hello, this.challenge, incarnation, initiatorProof);
	}

	/**
	 * Whether the acceptor's welcome proves it knows the cookie (checked by the initiator).
	 * @param welcome the welcome
	 * @return whether it does
	 */
	boolean acceptorProved(Message.Welcome welcome) {
		byte[] expected = this.authenticator.acceptorProof(this.hello, this.challenge, welcome.incarnation(),
				this.initiatorProof);
		return CookieAuthenticator.matches(expected, welcome.proof());
	}

	/** The handshake is over: the transcript is no longer needed. */
	void clear() {
		this.hello = null;
		this.challenge = null;
		this.initiatorProof = null;
	}

}
