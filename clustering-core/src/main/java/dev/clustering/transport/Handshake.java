package dev.clustering.transport;

import java.net.InetSocketAddress;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import javax.net.ssl.SSLException;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.CorruptedFrameException;
import io.netty.util.concurrent.ScheduledFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.clustering.membership.LocalNode;

/**
 * The handshake of one connection, up to its admission (see {@link Message}): the acceptor's slot
 * in the {@link HandshakeGuard}, the deadline, the steps of the exchange over their
 * {@link HandshakeTranscript}, the node's say on admitting the peer, and why the handshake failed or
 * who refused whom. Anything out of place closes the connection at once. It moves its
 * {@link PeerConnection} through the handshake's states and learns who the peer is, until the
 * connection is established. Runs on the node's event loop, through that connection.
 */
final class Handshake {

	// logs under PeerConnection's name, as before it was split off (log settings name that logger)
	private static final Logger logger = LoggerFactory.getLogger(PeerConnection.class);

	private final PeerConnection connection;

	private final LocalNode self;

	private final CookieAuthenticator authenticator;

	private final ConnectionListener listener;

	private final long timeoutMillis;

	private final WarningLimiter warnings;

	private final TransportCounters counters;

	private final HandshakeGuard guard;

	private final HandshakeTranscript transcript;

	private boolean holdsGuardSlot;

	private ScheduledFuture<?> timer;

	private Message.Reject rejection;

	private String failure;

	Handshake(PeerConnection connection, LocalNode self, CookieAuthenticator authenticator,
			ConnectionListener listener, long timeoutMillis, WarningLimiter warnings, TransportCounters counters,
			HandshakeGuard guard) {
		this.connection = connection;
		this.self = self;
		this.authenticator = authenticator;
		this.listener = listener;
		this.timeoutMillis = timeoutMillis;
		this.warnings = warnings;
		this.counters = counters;
		this.guard = guard;
		this.transcript = new HandshakeTranscript(authenticator);
	}

	/**
	 * The channel is open: an acceptor takes a slot in the guard (or refuses the peer at once, busy),
	 * the deadline starts, and an initiator says hello.
	 * @param ctx the connection's context
	 * @return whether the handshake started, rather than the connection being refused
	 */
	boolean begin(ChannelHandlerContext ctx) {
		if (!this.connection.isInitiator()) {
			if (!this.guard.tryAcquire(this.connection.remoteHost())) {
				this.counters.refusedHandshakes.incrementAndGet();
				this.warnings.warn(logger, "busy", "Refusing connections: too many handshakes pending (one from {})",
						this.connection.remote());
				this.connection.markClosedHere();
				this.connection.moveTo(PeerConnection.State.CLOSED);
				ctx.writeAndFlush(new Message.Reject(Message.RejectReason.BUSY, "too many pending handshakes"))
					.addListener(ChannelFutureListener.CLOSE);
				return false;
			}
			this.holdsGuardSlot = true;
		}
		this.timer = ctx.executor().schedule(() -> timedOut(ctx), this.timeoutMillis, TimeUnit.MILLISECONDS);
		if (this.connection.isInitiator()) {
			Message.Hello hello = new Message.Hello(FrameCodec.PROTOCOL_MAJOR, FrameCodec.PROTOCOL_MINOR,
					this.self.name(), this.self.address(), this.authenticator.newNonce());
			ctx.writeAndFlush(Unpooled.wrappedBuffer(this.transcript.helloSent(hello)));
		}
		return true;
	}

	/**
	 * Reads one frame before the connection is established: the handshake's next step, or its end.
	 * @param ctx the connection's context
	 * @param frame the frame
	 */
	void read(ChannelHandlerContext ctx, ByteBuf frame) {
		byte[] bytes = new byte[frame.readableBytes()];
		frame.getBytes(frame.readerIndex(), bytes);
		Message message;
		try {
			message = FrameCodec.decode(frame, FrameCodec.PROTOCOL_MINOR, false);
		}
		catch (CorruptedFrameException ex) {
			violation(ctx, "malformed handshake frame (" + ex.getMessage() + ")");
			return;
		}
		step(ctx, message, bytes);
	}

	/** The channel closed: the guard's slot, if still held, and the deadline go. */
	void end() {
		releaseGuardSlot();
		if (this.timer != null) {
			this.timer.cancel(false);
		}
	}

	/**
	 * Why the handshake failed, if it did.
	 * @return a description of the failure, or {@code null}
	 */
	String failure() {
		if (this.failure != null) {
			return this.failure;
		}
		return (this.rejection != null) ? "refused (" + this.rejection.reason() + ": " + this.rejection.detail() + ")"
				: null;
	}

	/**
	 * An error ended the connection before it was established: it is why the handshake failed,
	 * unless a reason is known already.
	 * @param root the error
	 */
	void failedOn(Throwable root) {
		if (this.failure == null) {
			this.failure = (root instanceof SSLException) ? "TLS handshake failed: " + WireText.forLog(root.getMessage())
					: WireText.forLog(root);
		}
	}

	private void step(ChannelHandlerContext ctx, Message message, byte[] bytes) {
		PeerConnection.State state = this.connection.state();
		if (message instanceof Message.Reject reject) {
			this.rejection = reject;
			this.connection.markAnnounced();
			this.warnings.warn(logger, "refused-by " + reject.reason() + " " + remoteHost(),
					"Node {} ({}) refused this node: {} {}", peerName(), remote(), reject.reason(), reject.detail());
			this.connection.moveTo(PeerConnection.State.CLOSED);
			ctx.close();
		}
		else if (state == PeerConnection.State.AWAIT_HELLO && message instanceof Message.ForeignHello foreign) {
			refuse(ctx, Message.RejectReason.VERSION, "this node speaks protocol " + FrameCodec.PROTOCOL_MAJOR + "."
					+ FrameCodec.PROTOCOL_MINOR + " and cannot talk to protocol " + foreign.major());
		}
		else if (state == PeerConnection.State.AWAIT_HELLO && message instanceof Message.Hello hello) {
			onHello(ctx, hello, bytes);
		}
		else if (state == PeerConnection.State.AWAIT_CHALLENGE && message instanceof Message.Challenge challenge) {
			onChallenge(ctx, challenge, bytes);
		}
		else if (state == PeerConnection.State.AWAIT_RESPONSE && message instanceof Message.Response response) {
			onResponse(ctx, response);
		}
		else if (state == PeerConnection.State.AWAIT_WELCOME && message instanceof Message.Welcome welcome) {
			onWelcome(ctx, welcome);
		}
		else if (state == PeerConnection.State.AWAIT_CONFIRM && message instanceof Message.Confirm confirm) {
			PeerIdentity peer = this.connection.peer();
			this.connection.identified(
					new PeerIdentity(peer.name(), peer.incarnation(), peer.address(), confirm.metadata()));
			establish();
		}
		else {
			violation(ctx, "unexpected " + message.getClass().getSimpleName() + " in state " + state);
		}
	}

	private void onHello(ChannelHandlerContext ctx, Message.Hello hello, byte[] bytes) {
		// who it says it is, unproven: only its name and address (never resolved) are known so far
		this.connection.introduced(hello.minor(), new PeerIdentity(hello.name(), 0, hello.address(), Map.of()));
		if (!remoteAllowed(ctx)) {
			refuse(ctx, Message.RejectReason.NOT_ALLOWED, "no cookie is configured, so only loopback peers are accepted");
			return;
		}
		this.transcript.helloReceived(bytes);
		Message.Challenge challenge = new Message.Challenge(this.self.name(), FrameCodec.PROTOCOL_MINOR,
				this.authenticator.newNonce());
		byte[] challengeBytes = this.transcript.challengeSent(challenge);
		this.connection.moveTo(PeerConnection.State.AWAIT_RESPONSE);
		ctx.writeAndFlush(Unpooled.wrappedBuffer(challengeBytes));
	}

	private void onChallenge(ChannelHandlerContext ctx, Message.Challenge challenge, byte[] bytes) {
		this.connection.introduced(challenge.minor(),
				new PeerIdentity(challenge.name(), 0, this.connection.dialled(), Map.of()));
		if (!remoteAllowed(ctx)) {
			refuse(ctx, Message.RejectReason.NOT_ALLOWED, "no cookie is configured, so only loopback peers are accepted");
			return;
		}
		byte[] proof = this.transcript.challengeReceived(bytes, this.self.incarnation());
		this.connection.moveTo(PeerConnection.State.AWAIT_WELCOME);
		ctx.writeAndFlush(new Message.Response(proof, this.self.incarnation()));
	}

	private void onResponse(ChannelHandlerContext ctx, Message.Response response) {
		if (!this.transcript.initiatorProved(response)) {
			this.warnings.warn(logger, "auth " + remoteHost(), "Refused a connection from {} claiming to be {}: "
					+ "authentication failed (do both nodes use the same cluster.cookie?)", remote(), peerName());
			this.failure = "authentication failed";
			refuseQuietly(ctx, Message.RejectReason.AUTHENTICATION, "authentication failed");
			return;
		}
		PeerIdentity peer = this.connection.peer();
		this.connection.identified(new PeerIdentity(peer.name(), response.incarnation(), peer.address(), Map.of()));
		if (!admitted(ctx)) {
			return;
		}
		byte[] proof = this.transcript.acceptorProof(this.self.incarnation(), response.proof());
		this.connection.moveTo(PeerConnection.State.AWAIT_CONFIRM);
		releaseGuardSlot();
		ctx.writeAndFlush(new Message.Welcome(proof, this.self.incarnation(), this.self.address(), this.self.metadata()));
	}

	private void onWelcome(ChannelHandlerContext ctx, Message.Welcome welcome) {
		if (!this.transcript.acceptorProved(welcome)) {
			this.failure = "node " + peerName() + " failed to prove it knows the cookie (do both nodes use the "
					+ "same cluster.cookie?)";
			this.warnings.warn(logger, "auth " + remoteHost(), "Not connecting to {}: {}", remote(), this.failure);
			this.connection.markClosedHere();
			this.connection.moveTo(PeerConnection.State.CLOSED);
			ctx.close();
			return;
		}
		PeerIdentity peer = this.connection.peer();
		this.connection
			.identified(new PeerIdentity(peer.name(), welcome.incarnation(), welcome.address(), welcome.metadata()));
		if (!admitted(ctx)) {
			return;
		}
		ctx.writeAndFlush(new Message.Confirm(this.self.metadata()));
		establish();
	}

	private boolean admitted(ChannelHandlerContext ctx) {
		Message.Reject reject = this.listener.admit(this.connection, this.connection.peer());
		if (reject != null) {
			refuseQuietly(ctx, reject.reason(), reject.detail());
			return false;
		}
		return true;
	}

	private void establish() {
		this.connection.markEstablished();
		this.transcript.clear();
		releaseGuardSlot();
		this.timer.cancel(false);
		this.listener.established(this.connection);
	}

	private void refuse(ChannelHandlerContext ctx, Message.RejectReason reason, String detail) {
		this.warnings.warn(logger, "refuse " + reason + " " + remoteHost(), "Refused connection from {} ({}): {}",
				peerName(), remote(), detail);
		refuseQuietly(ctx, reason, detail);
	}

	private void refuseQuietly(ChannelHandlerContext ctx, Message.RejectReason reason, String detail) {
		this.rejection = new Message.Reject(reason, detail);
		this.connection.markClosedHere();
		this.connection.moveTo(PeerConnection.State.CLOSED);
		ctx.writeAndFlush(this.rejection).addListener(ChannelFutureListener.CLOSE);
	}

	private boolean remoteAllowed(ChannelHandlerContext ctx) {
		if (this.authenticator.isCookieConfigured()) {
			return true;
		}
		return (ctx.channel().remoteAddress() instanceof InetSocketAddress address) && address.getAddress() != null
				&& address.getAddress().isLoopbackAddress();
	}

	private void timedOut(ChannelHandlerContext ctx) {
		PeerConnection.State state = this.connection.state();
		if (state != PeerConnection.State.ESTABLISHED && state != PeerConnection.State.CLOSED) {
			this.connection.markClosedHere();
			this.counters.handshakeTimeouts.incrementAndGet();
			this.failure = "no handshake within " + this.timeoutMillis + " ms";
			this.warnings.warn(logger, "handshake-timeout",
					"Closing connection with {}: no handshake within {} ms (more such closes are counted, and logged "
							+ "at most once a minute)",
					remote(), this.timeoutMillis);
			this.connection.moveTo(PeerConnection.State.CLOSED);
			ctx.channel().close();
		}
	}

	private void violation(ChannelHandlerContext ctx, String what) {
		this.connection.markClosedHere();
		this.warnings.warn(logger, "violation " + remoteHost(), "Closing connection with {} ({}): {}", peerName(),
				remote(), what);
		this.connection.moveTo(PeerConnection.State.CLOSED);
		ctx.channel().close();
	}

	private void releaseGuardSlot() {
		if (this.holdsGuardSlot) {
			this.holdsGuardSlot = false;
			this.guard.release(remoteHost());
		}
	}

	private String peerName() {
		return this.connection.peerName();
	}

	private String remoteHost() {
		return this.connection.remoteHost();
	}

	private String remote() {
		return this.connection.remote();
	}

}
