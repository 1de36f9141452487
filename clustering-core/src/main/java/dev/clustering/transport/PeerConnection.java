package dev.clustering.transport;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.Locale;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.CorruptedFrameException;
import io.netty.handler.codec.DecoderException;
import io.netty.handler.codec.EncoderException;
import io.netty.handler.codec.TooLongFrameException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.clustering.membership.LocalNode;
import dev.clustering.membership.NodeAddress;

/**
 * One TCP connection to a peer: runs the handshake ({@link Handshake}, see {@link Message}), then
 * hands frames to the node ({@link EstablishedFrames}). Runs on the node's event loop.
 * <p>
 * What closes a connection, and what the peer then sees:
 * <ul>
 * <li>Before authentication, anything out of place (garbage, a frame over the handshake's size
 * limit, a message out of order) closes it at once.</li>
 * <li>After authentication, a frame that does not decode is skipped, logged (rate-limited) and
 * counted; a message of an unknown type (a newer peer) is skipped; an error of this node's own code
 * while handling a well-formed frame is logged and counted. None of these closes the connection.</li>
 * <li>When this node closes an established connection on purpose (leaving, a spare connection, a
 * frame too large, an error of its own pipeline) it first sends {@link Message.Close} with the
 * reason. So only an end of stream or a reset that no close, reject or leave announced
 * ({@link #closedByPeer()}) reads as the peer's death.</li>
 * </ul>
 */
public final class PeerConnection extends SimpleChannelInboundHandler<ByteBuf> {

	private static final Logger logger = LoggerFactory.getLogger(PeerConnection.class);

	/** Largest frame accepted before the peer has proved it knows the cookie. */
	public static final int HANDSHAKE_FRAME_LIMIT = 1024;

	/** Where a connection is in its life. */
	public enum State {

		/** Initiator waiting for the acceptor's challenge. */
		AWAIT_CHALLENGE,

		/** Acceptor waiting for the initiator's hello. */
		AWAIT_HELLO,

		/** Acceptor waiting for the initiator's proof. */
		AWAIT_RESPONSE,

		/** Initiator proved itself and waits for the acceptor's proof. */
		AWAIT_WELCOME,

		/** Acceptor admitted the initiator and waits for its confirmation. */
		AWAIT_CONFIRM,

		/** Both sides authenticated. */
		ESTABLISHED,

		/** Closed. */
		CLOSED

	}

	private final ConnectionListener listener;

	private final NodeAddress dialled;

	private final int maxFrameSize;

	private final WarningLimiter warnings;

	private final TransportCounters counters;

	private final Handshake handshake;

	private final EstablishedFrames frames;

	private volatile State state;

	private Channel channel;

	private String remoteHost;

	private PeerIdentity peer;

	private int peerMinor;

	private boolean wasEstablished;

	// this side closed the connection, or saw an error other than the peer resetting it
	private boolean closedHere;

	// the peer said why it closes (close, reject, leaving): its end of stream is not a death
	private boolean announced;

	// the connection was reset: a firewall or a middlebox can do that to a live peer, so it is read as
	// a silence, not a death
	private boolean reset;

	PeerConnection(LocalNode self, CookieAuthenticator authenticator, ConnectionListener listener, NodeAddress dialled,
			long handshakeTimeoutMillis, int maxFrameSize, WarningLimiter warnings, TransportCounters counters,
			HandshakeGuard guard) {
		this.listener = listener;
		this.dialled = dialled;
		this.maxFrameSize = maxFrameSize;
		this.warnings = warnings;
		this.counters = counters;
		this.handshake = new Handshake(this, self, authenticator, listener, handshakeTimeoutMillis, warnings, counters,
				guard);
		this.frames = new EstablishedFrames(this, listener, warnings, counters);
		this.state = (dialled != null) ? State.AWAIT_CHALLENGE : State.AWAIT_HELLO;
	}

	/**
	 * Whether this node dialled the connection.
	 * @return whether this side initiated it
	 */
	public boolean isInitiator() {
		return this.dialled != null;
	}

	/**
	 * The address this node dialled, for an initiated connection.
	 * @return the dialled address, or {@code null} for an accepted connection
	 */
	public NodeAddress dialled() {
		return this.dialled;
	}

	/**
	 * The peer, once it introduced itself (its incarnation and metadata once it proved itself).
	 * @return its identity, or {@code null} before the handshake got that far
	 */
	public PeerIdentity peer() {
		return this.peer;
	}

	/**
	 * The connection's state.
	 * @return the state
	 */
	public State state() {
		return this.state;
	}

	/**
	 * The protocol minor version the peer speaks (known once it said hello).
	 * @return the minor version
	 */
	public int peerMinor() {
		return this.peerMinor;
	}

	/**
	 * Whether the handshake ever completed on this connection.
	 * @return whether it was established at some point
	 */
	public boolean wasEstablished() {
		return this.wasEstablished;
	}

	/**
	 * Whether the peer's side ended the connection without saying why (an end of stream with no
	 * close, reject or leave before it), as when its process dies; never when this node closed it,
	 * nor after a local error such as a timeout, nor after a reset (which a firewall can send on a
	 * live peer's behalf): those may be a partition.
	 * @return whether the connection was closed by the peer, unannounced
	 */
	public boolean closedByPeer() {
		return !this.closedHere && !this.announced && !this.reset;
	}

	/**
	 * Marks that the peer announced its departure (it said it is leaving), so the end of the stream
	 * that follows is not read as its death.
	 */
	public void peerAnnouncedLeave() {
		this.announced = true;
	}

	/**
	 * Why the handshake failed, if it did.
	 * @return a description of the failure, or {@code null}
	 */
	public String failure() {
		return this.handshake.failure();
	}

	/**
	 * The remote host as the socket sees it (an IP literal), or the dialled host before connecting.
	 * @return the remote host
	 */
	public String remoteHost() {
		if (this.remoteHost != null) {
			return this.remoteHost;
		}
		return (this.dialled != null) ? this.dialled.host() : "unknown";
	}

	/**
	 * The remote socket address.
	 * @return a description of the remote end
	 */
	public String remote() {
		return (this.channel != null) ? WireText.forLog(this.channel.remoteAddress()) : String.valueOf(this.dialled);
	}

	/**
	 * Sends a message if the connection is established.
	 * @param message the message
	 */
	public void send(Message message) {
		if (this.state == State.ESTABLISHED && this.channel.isActive()) {
			if (!this.channel.isWritable()) {
				// the peer does not read (cut off, or deaf on purpose): what is queued for it is bounded by
				// the channel's high-water mark, and what is dropped here is sent again (heartbeats,
				// renewals, state digests) once it reads again
				this.counters.droppedMessages.incrementAndGet();
				return;
			}
			this.channel.writeAndFlush(message, this.channel.voidPromise());
		}
	}

	/**
	 * Says why, then closes once that is written. Safe to call in any state.
	 * @param reason why
	 * @param detail more, for the peer's log
	 * @return a future completed when the channel closed
	 */
	public ChannelFuture close(Message.CloseReason reason, String detail) {
		this.closedHere = true;
		if (this.channel == null) {
			this.state = State.CLOSED;
			return null;
		}
		if (this.state == State.ESTABLISHED && this.channel.isActive()) {
			this.state = State.CLOSED;
			return this.channel.writeAndFlush(new Message.Close(reason, detail)).addListener(ChannelFutureListener.CLOSE);
		}
		this.state = State.CLOSED;
		return this.channel.close();
	}

	/**
	 * Closes at once without a word, as a crashed process would (for {@code halt()}).
	 */
	public void abort() {
		this.closedHere = true;
		if (this.channel != null) {
			this.channel.close();
		}
	}

	int frameLimit() {
		State current = this.state;
		return (current == State.AWAIT_HELLO || current == State.AWAIT_RESPONSE || current == State.AWAIT_CHALLENGE)
				? Math.min(HANDSHAKE_FRAME_LIMIT, this.maxFrameSize) : this.maxFrameSize;
	}

	/**
	 * The peer's name, once it introduced itself, for the log.
	 * @return its name, or "unknown peer"
	 */
	String peerName() {
		return (this.peer != null) ? this.peer.name() : "unknown peer";
	}

	/**
	 * The connection moves on (its handshake's steps, a close).
	 * @param next the state it is now in
	 */
	void moveTo(State next) {
		this.state = next;
	}

	/**
	 * The peer introduced itself (its hello, or its challenge), unproven.
	 * @param minor the protocol minor version it speaks
	 * @param claimed who it says it is
	 */
	void introduced(int minor, PeerIdentity claimed) {
		this.peerMinor = minor;
		this.peer = claimed;
	}

	/**
	 * The handshake learned more of the peer (its incarnation, address, metadata).
	 * @param identity who it is
	 */
	void identified(PeerIdentity identity) {
		this.peer = identity;
	}

	/** The handshake completed. */
	void markEstablished() {
		this.state = State.ESTABLISHED;
		this.wasEstablished = true;
	}

	/** This side closes the connection, or saw an error of its own: its end is not the peer's death. */
	void markClosedHere() {
		this.closedHere = true;
	}

	/** The peer said why it closes (close, reject, leaving): its end of stream is not a death. */
	void markAnnounced() {
		this.announced = true;
	}

	@Override
	public void channelActive(ChannelHandlerContext ctx) {
		this.channel = ctx.channel();
		if (this.channel.remoteAddress() instanceof InetSocketAddress address && address.getAddress() != null) {
			this.remoteHost = new NodeAddress(address.getAddress().getHostAddress(), 1).host();
		}
		if (this.handshake.begin(ctx)) {
			ctx.fireChannelActive();
		}
	}

	@Override
	public void channelInactive(ChannelHandlerContext ctx) {
		this.state = State.CLOSED;
		this.handshake.end();
		this.listener.closed(this);
	}

	@Override
	protected void channelRead0(ChannelHandlerContext ctx, ByteBuf frame) {
		if (this.state == State.CLOSED) {
			return;
		}
		if (this.state == State.ESTABLISHED) {
			this.frames.read(ctx, frame);
			return;
		}
		this.handshake.read(ctx, frame);
	}

	@Override
	public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
		Throwable root = (cause instanceof DecoderException && cause.getCause() != null
				&& !(cause instanceof TooLongFrameException) && !(cause instanceof CorruptedFrameException))
						? cause.getCause() : cause;
		if (this.state != State.ESTABLISHED) {
			this.handshake.failedOn(root);
		}
		// a reset ("Connection reset", "Connection reset by peer") comes from the peer's side, as when its
		// process dies; any other I/O error (a timeout, no route) may be the network's, not a death
		String text = String.valueOf(root.getMessage()).toLowerCase(Locale.ROOT);
		if (root instanceof IOException && text.contains("connection reset")) {
			logger.debug("Connection with {} ({}) was reset", peerName(), remote());
			this.reset = true;
			ctx.close();
			return;
		}
		if (cause instanceof EncoderException) {
			// a message of our own did not encode: our bug, not the peer's; drop the message, keep the link
			this.counters.handlerErrors.incrementAndGet();
			if (this.warnings.shouldWarn("encode")) {
				logger.error("Failed to send a message to {}; the connection stays open", peerName(), root);
			}
			return;
		}
		if (root instanceof IOException) {
			logger.debug("Connection with {} ({}) failed: {}", peerName(), remote(), WireText.forLog(root));
			this.closedHere = true;
			ctx.close();
			return;
		}
		if (root instanceof TooLongFrameException) {
			this.warnings.warn(logger, "frame " + remoteHost(), "Closing connection with {} ({}): {}", peerName(),
					remote(), WireText.forLog(root.getMessage()));
		}
		else {
			this.warnings.warn(logger, "error " + remoteHost(), "Closing connection with {} ({}): {}", peerName(),
					remote(), WireText.forLog(root));
		}
		// said before closing, so the peer does not read this close as this node's death
		close((root instanceof TooLongFrameException) ? Message.CloseReason.PROTOCOL : Message.CloseReason.OTHER,
				"closed after an error");
	}

	@Override
	public String toString() {
		return "PeerConnection[" + peerName() + " " + remote() + " " + this.state + (isInitiator() ? " out" : " in")
				+ "]";
	}

}
