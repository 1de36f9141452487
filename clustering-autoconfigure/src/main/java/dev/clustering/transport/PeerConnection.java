package dev.clustering.transport;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.CorruptedFrameException;
import io.netty.handler.codec.DecoderException;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.util.concurrent.ScheduledFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.clustering.membership.LocalNode;
import dev.clustering.membership.NodeAddress;

/**
 * One TCP connection to a peer: runs the handshake, then hands frames to the node. Any frame
 * that does not fit the connection's state (garbage, a heartbeat before authentication, a second
 * hello) closes this connection, and only this one.
 *
 * <pre>
 * initiator                              acceptor
 *   Hello(version, name, nonceI)   --&gt;
 *                                  &lt;--   Challenge(name, nonceA, proofA)
 *   Response(proofI)               --&gt;
 *                                  &lt;--   Welcome | Reject(reason)
 * </pre>
 */
public final class PeerConnection extends SimpleChannelInboundHandler<ByteBuf> {

	private static final Logger logger = LoggerFactory.getLogger(PeerConnection.class);

	/** Where a connection is in its life. */
	public enum State {

		/** Initiator waiting for the acceptor's challenge. */
		AWAIT_CHALLENGE,

		/** Acceptor waiting for the initiator's hello. */
		AWAIT_HELLO,

		/** Acceptor waiting for the initiator's proof. */
		AWAIT_RESPONSE,

		/** Initiator authenticated the acceptor and waits for its welcome. */
		AWAIT_WELCOME,

		/** Both sides authenticated. */
		ESTABLISHED,

		/** Closed. */
		CLOSED

	}

	private final LocalNode self;

	private final CookieAuthenticator authenticator;

	private final ConnectionListener listener;

	private final NodeAddress dialled;

	private final long handshakeTimeoutMillis;

	private final WarningLimiter warnings;

	private String failure;

	private State state;

	private Channel channel;

	private PeerIdentity peer;

	private byte[] ownNonce;

	private byte[] peerNonce;

	private Message.Reject rejection;

	private ScheduledFuture<?> handshakeTimer;

	private boolean wasEstablished;

	// whether this side closed the connection, or saw an error other than the peer resetting it
	private boolean closedHere;

	PeerConnection(LocalNode self, CookieAuthenticator authenticator, ConnectionListener listener, NodeAddress dialled,
			long handshakeTimeoutMillis) {
		this(self, authenticator, listener, dialled, handshakeTimeoutMillis, new WarningLimiter());
	}

	PeerConnection(LocalNode self, CookieAuthenticator authenticator, ConnectionListener listener, NodeAddress dialled,
			long handshakeTimeoutMillis, WarningLimiter warnings) {
		this.warnings = warnings;
		this.self = self;
		this.authenticator = authenticator;
		this.listener = listener;
		this.dialled = dialled;
		this.handshakeTimeoutMillis = handshakeTimeoutMillis;
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
	 * The peer, once it introduced itself.
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
	 * Whether the handshake ever completed on this connection.
	 * @return whether it was established at some point
	 */
	public boolean wasEstablished() {
		return this.wasEstablished;
	}

	/**
	 * Whether the peer's side ended the connection (end of stream, or a reset), as when its process
	 * dies; not when this node closed it, nor after a local error such as a timeout, which may be a
	 * partition rather than a death.
	 * @return whether the connection was closed by the peer
	 */
	public boolean closedByPeer() {
		return !this.closedHere;
	}

	/**
	 * Why the handshake failed, if it did.
	 * @return a description of the failure, or {@code null}
	 */
	public String failure() {
		if (this.failure != null) {
			return this.failure;
		}
		return (this.rejection != null) ? "refused (" + this.rejection.reason() + ": " + this.rejection.detail() + ")"
				: null;
	}

	/**
	 * The remote socket address.
	 * @return a description of the remote end
	 */
	public String remote() {
		return (this.channel != null) ? String.valueOf(this.channel.remoteAddress()) : String.valueOf(this.dialled);
	}

	/**
	 * Sends a message if the connection is established.
	 * @param message the message
	 */
	public void send(Message message) {
		if (this.state == State.ESTABLISHED && this.channel.isActive()) {
			this.channel.writeAndFlush(message, this.channel.voidPromise());
		}
	}

	/**
	 * Sends a message and closes once it is written.
	 * @param message the last message
	 * @return a future completed when the channel closed
	 */
	public io.netty.channel.ChannelFuture sendAndClose(Message message) {
		this.closedHere = true;
		if (this.channel.isActive()) {
			return this.channel.writeAndFlush(message).addListener(ChannelFutureListener.CLOSE);
		}
		return this.channel.closeFuture();
	}

	/**
	 * Closes the connection.
	 */
	public void close() {
		this.closedHere = true;
		if (this.channel != null) {
			this.channel.close();
		}
	}

	@Override
	public void channelActive(ChannelHandlerContext ctx) {
		this.channel = ctx.channel();
		this.handshakeTimer = ctx.executor().schedule(this::handshakeTimedOut, this.handshakeTimeoutMillis,
				TimeUnit.MILLISECONDS);
		if (isInitiator()) {
			this.ownNonce = this.authenticator.newNonce();
			ctx.writeAndFlush(new Message.Hello(FrameCodec.PROTOCOL_VERSION, this.self.name(), this.self.incarnation(),
					this.self.address(), this.ownNonce, this.self.metadata()));
		}
		ctx.fireChannelActive();
	}

	@Override
	public void channelInactive(ChannelHandlerContext ctx) {
		this.state = State.CLOSED;
		if (this.handshakeTimer != null) {
			this.handshakeTimer.cancel(false);
		}
		this.listener.closed(this);
	}

	@Override
	protected void channelRead0(ChannelHandlerContext ctx, ByteBuf frame) {
		if (this.state == State.CLOSED) {
			return;
		}
		Message message = FrameCodec.decode(frame);
		if (this.state == State.ESTABLISHED) {
			if (message instanceof Message.Hello || message instanceof Message.Challenge
					|| message instanceof Message.Response || message instanceof Message.Welcome
					|| message instanceof Message.Reject) {
				violation("unexpected " + message.getClass().getSimpleName() + " after the handshake");
			}
			else {
				this.listener.received(this, message);
			}
			return;
		}
		if (message instanceof Message.Reject reject) {
			this.rejection = reject;
			warn("refused-by " + reject.reason() + " " + remoteHost(), "Node {} ({}) refused this node: {} {}",
					peerName(), remote(), reject.reason(), reject.detail());
			ctx.close();
		}
		else if (this.state == State.AWAIT_HELLO && message instanceof Message.Hello hello) {
			onHello(ctx, hello);
		}
		else if (this.state == State.AWAIT_CHALLENGE && message instanceof Message.Challenge challenge) {
			onChallenge(ctx, challenge);
		}
		else if (this.state == State.AWAIT_RESPONSE && message instanceof Message.Response response) {
			onResponse(ctx, response);
		}
		else if (this.state == State.AWAIT_WELCOME && message instanceof Message.Welcome) {
			establish();
		}
		else {
			violation("unauthenticated " + message.getClass().getSimpleName() + " in state " + this.state);
		}
	}

	private void onHello(ChannelHandlerContext ctx, Message.Hello hello) {
		if (hello.version() != FrameCodec.PROTOCOL_VERSION) {
			refuse(ctx, Message.RejectReason.VERSION, "protocol version " + hello.version() + " is not "
					+ FrameCodec.PROTOCOL_VERSION);
			return;
		}
		this.peer = new PeerIdentity(hello.name(), hello.incarnation(), hello.address(), hello.metadata());
		if (!remoteAllowed()) {
			refuse(ctx, Message.RejectReason.NOT_ALLOWED, "no cookie is configured, so only loopback peers are accepted");
			return;
		}
		this.peerNonce = hello.nonce();
		this.ownNonce = this.authenticator.newNonce();
		byte[] proof = this.authenticator.acceptorProof(this.peerNonce, this.ownNonce, this.peer.name(), this.self.name());
		this.state = State.AWAIT_RESPONSE;
		ctx.writeAndFlush(new Message.Challenge(this.self.name(), this.self.incarnation(), this.self.address(),
				this.ownNonce, this.self.metadata(), proof));
	}

	private void onChallenge(ChannelHandlerContext ctx, Message.Challenge challenge) {
		this.peer = new PeerIdentity(challenge.name(), challenge.incarnation(), challenge.address(),
				challenge.metadata());
		this.peerNonce = challenge.nonce();
		byte[] expected = this.authenticator.acceptorProof(this.ownNonce, this.peerNonce, this.self.name(),
				this.peer.name());
		if (!CookieAuthenticator.matches(expected, challenge.proof())) {
			this.failure = "node " + this.peer.name() + " failed to prove it knows the cookie (do both nodes use the "
					+ "same cluster.cookie?)";
			warn("auth " + remoteHost(), "Not connecting to {}: {}", remote(), this.failure);
			ctx.close();
			return;
		}
		if (!remoteAllowed()) {
			refuse(ctx, Message.RejectReason.NOT_ALLOWED, "no cookie is configured, so only loopback peers are accepted");
			return;
		}
		if (!admitted(ctx)) {
			return;
		}
		this.state = State.AWAIT_WELCOME;
		ctx.writeAndFlush(new Message.Response(this.authenticator.initiatorProof(this.ownNonce, this.peerNonce,
				this.self.name(), this.peer.name())));
	}

	private void onResponse(ChannelHandlerContext ctx, Message.Response response) {
		byte[] expected = this.authenticator.initiatorProof(this.peerNonce, this.ownNonce, this.peer.name(),
				this.self.name());
		if (!CookieAuthenticator.matches(expected, response.proof())) {
			warn("auth " + remoteHost(), "Refused node {} at {}: authentication failed (do both nodes use the same "
					+ "cluster.cookie?)", this.peer.name(), remote());
			this.rejection = new Message.Reject(Message.RejectReason.AUTHENTICATION, "authentication failed");
			ctx.writeAndFlush(this.rejection).addListener(ChannelFutureListener.CLOSE);
			this.state = State.CLOSED;
			return;
		}
		if (!admitted(ctx)) {
			return;
		}
		ctx.writeAndFlush(new Message.Welcome());
		establish();
	}

	private boolean admitted(ChannelHandlerContext ctx) {
		Message.Reject reject = this.listener.admit(this, this.peer);
		if (reject != null) {
			this.rejection = reject;
			ctx.writeAndFlush(reject).addListener(ChannelFutureListener.CLOSE);
			this.state = State.CLOSED;
			return false;
		}
		return true;
	}

	private void establish() {
		this.state = State.ESTABLISHED;
		this.wasEstablished = true;
		this.handshakeTimer.cancel(false);
		this.listener.established(this);
	}

	private void refuse(ChannelHandlerContext ctx, Message.RejectReason reason, String detail) {
		warn("refuse " + reason + " " + remoteHost(), "Refused connection from {} ({}): {}", peerName(), remote(),
				detail);
		this.rejection = new Message.Reject(reason, detail);
		ctx.writeAndFlush(this.rejection).addListener(ChannelFutureListener.CLOSE);
		this.state = State.CLOSED;
	}

	private boolean remoteAllowed() {
		if (this.authenticator.isCookieConfigured()) {
			return true;
		}
		return (this.channel.remoteAddress() instanceof InetSocketAddress address) && address.getAddress() != null
				&& address.getAddress().isLoopbackAddress();
	}

	private void handshakeTimedOut() {
		if (this.state != State.ESTABLISHED && this.state != State.CLOSED) {
			this.closedHere = true;
			logger.warn("Closing connection with {}: no handshake within {} ms", remote(), this.handshakeTimeoutMillis);
			this.channel.close();
		}
	}

	private void violation(String what) {
		this.closedHere = true;
		warn("violation " + remoteHost(), "Closing connection with {} ({}): {}", peerName(), remote(), what);
		this.channel.close();
	}

	private void warn(String key, String format, Object... arguments) {
		if (this.warnings.shouldWarn(key)) {
			logger.warn(format, arguments);
		}
		else {
			logger.debug(format, arguments);
		}
	}

	private String remoteHost() {
		return (this.channel != null && this.channel.remoteAddress() instanceof InetSocketAddress address)
				? address.getHostString() : String.valueOf(this.dialled);
	}

	private String peerName() {
		return (this.peer != null) ? this.peer.name() : "unknown peer";
	}

	@Override
	public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
		Throwable root = (cause instanceof DecoderException && cause.getCause() != null
				&& !(cause instanceof TooLongFrameException) && !(cause instanceof CorruptedFrameException))
						? cause.getCause() : cause;
		if (this.state != State.ESTABLISHED && this.failure == null) {
			this.failure = (root instanceof javax.net.ssl.SSLException) ? "TLS handshake failed: " + root.getMessage()
					: root.toString();
		}
		// a reset ("Connection reset", "Connection reset by peer") comes from the peer's side, as when
		// its process dies; any other error (a timeout, no route) may be the network's, not a death
		String text = String.valueOf(root.getMessage()).toLowerCase(java.util.Locale.ROOT);
		if (!(root instanceof IOException) || !text.contains("connection reset")) {
			this.closedHere = true;
		}
		if (root instanceof IOException) {
			logger.debug("Connection with {} ({}) failed: {}", peerName(), remote(), root.toString());
		}
		else if (root instanceof TooLongFrameException) {
			warn("frame " + remoteHost(), "Closing connection with {} ({}): frame too large ({})", peerName(), remote(),
					root.getMessage());
		}
		else {
			warn("frame " + remoteHost(), "Closing connection with {} ({}): malformed frame ({})", peerName(), remote(),
					root.toString());
		}
		ctx.close();
	}

	@Override
	public String toString() {
		return "PeerConnection[" + peerName() + " " + remote() + " " + this.state + (isInitiator() ? " out" : " in")
				+ "]";
	}

}
