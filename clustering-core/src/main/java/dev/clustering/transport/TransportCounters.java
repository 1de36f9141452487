package dev.clustering.transport;

import java.util.concurrent.atomic.AtomicLong;

/**
 * What the transport counted of peers' misbehaviour and of its own errors; thread-safe, for metrics
 * and tests.
 */
public final class TransportCounters {

	final AtomicLong invalidFrames = new AtomicLong();

	final AtomicLong unknownMessages = new AtomicLong();

	final AtomicLong handlerErrors = new AtomicLong();

	final AtomicLong refusedHandshakes = new AtomicLong();

	final AtomicLong handshakeTimeouts = new AtomicLong();

	final AtomicLong droppedMessages = new AtomicLong();

	/**
	 * Frames from authenticated peers that did not decode (skipped; the connection stays).
	 * @return the count
	 */
	public long invalidFrames() {
		return this.invalidFrames.get();
	}

	/**
	 * Messages of a type this node does not know, from peers of a newer minor version (skipped).
	 * @return the count
	 */
	public long unknownMessages() {
		return this.unknownMessages.get();
	}

	/**
	 * Errors of this node's own code while handling a well-formed frame (logged; the connection stays).
	 * @return the count
	 */
	public long handlerErrors() {
		return this.handlerErrors.get();
	}

	/**
	 * Accepted connections closed at once because too many handshakes were pending.
	 * @return the count
	 */
	public long refusedHandshakes() {
		return this.refusedHandshakes.get();
	}

	/**
	 * Messages not sent because the peer did not read what was already queued for it (its
	 * connection's outbound buffer was over its high-water mark).
	 * @return the count
	 */
	public long droppedMessages() {
		return this.droppedMessages.get();
	}

	/**
	 * Connections closed because they did not finish the handshake in time.
	 * @return the count
	 */
	public long handshakeTimeouts() {
		return this.handshakeTimeouts.get();
	}

}
