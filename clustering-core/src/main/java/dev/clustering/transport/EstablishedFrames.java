package dev.clustering.transport;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.CorruptedFrameException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The frames of one established connection: each is decoded with the peer's protocol minor, and
 * what does not decode, what is of an unknown type and a handshake message come late are skipped
 * (logged, rate-limited, and counted); a close or a leave is noted as announced by the peer, and a
 * close ends the connection; every other message goes to the node, and an error of the node's own
 * code while handling it is logged and counted, never a reason to close. Holds no state of its own.
 * Runs on the node's event loop, through {@link PeerConnection}.
 */
final class EstablishedFrames {

	// logs under PeerConnection's name, as before it was split off (log settings name that logger)
	private static final Logger logger = LoggerFactory.getLogger(PeerConnection.class);

	private final PeerConnection connection;

	private final ConnectionListener listener;

	private final WarningLimiter warnings;

	private final TransportCounters counters;

	EstablishedFrames(PeerConnection connection, ConnectionListener listener, WarningLimiter warnings,
			TransportCounters counters) {
		this.connection = connection;
		this.listener = listener;
		this.warnings = warnings;
		this.counters = counters;
	}

	/**
	 * Reads one frame of the established connection.
	 * @param ctx the connection's context
	 * @param frame the frame
	 */
	void read(ChannelHandlerContext ctx, ByteBuf frame) {
		Message message;
		try {
			message = FrameCodec.decode(frame, this.connection.peerMinor(), true);
		}
		catch (CorruptedFrameException ex) {
			// the length prefix kept the stream in step: skip this frame, keep the connection
			this.counters.invalidFrames.incrementAndGet();
			this.warnings.warn(logger, "invalid " + peerName(), "Skipped an invalid frame from {} ({}): {}", peerName(),
					this.connection.remote(), WireText.forLog(ex.getMessage()));
			return;
		}
		if (message instanceof Message.Unknown unknown) {
			this.counters.unknownMessages.incrementAndGet();
			logger.debug("Skipped a message of unknown type {} from {} (protocol minor {})", unknown.type(), peerName(),
					this.connection.peerMinor());
			return;
		}
		if (message instanceof Message.Close close) {
			this.connection.markAnnounced();
			logger.debug("{} closes the connection: {} {}", peerName(), close.reason(), close.detail());
			this.connection.moveTo(PeerConnection.State.CLOSED);
			ctx.channel().close();
			return;
		}
		if (message instanceof Message.Hello || message instanceof Message.ForeignHello
				|| message instanceof Message.Challenge || message instanceof Message.Response
				|| message instanceof Message.Welcome || message instanceof Message.Confirm
				|| message instanceof Message.Reject) {
			this.counters.invalidFrames.incrementAndGet();
			this.warnings.warn(logger, "late-handshake " + peerName(), "Skipped a {} from {} after the handshake",
					message.getClass().getSimpleName(), peerName());
			return;
		}
		if (message instanceof Message.Leaving) {
			this.connection.markAnnounced();
		}
		try {
			this.listener.received(this.connection, message);
		}
		catch (RuntimeException ex) {
			// our own bug: the peer did nothing wrong, so the connection stays (closing it would read as
			// the peer's death on the other side)
			this.counters.handlerErrors.incrementAndGet();
			if (this.warnings.shouldWarn("handler " + message.getClass().getSimpleName())) {
				logger.error("Failed to handle a {} from {}; the connection stays open",
						message.getClass().getSimpleName(), peerName(), ex);
			}
		}
	}

	private String peerName() {
		return this.connection.peerName();
	}

}
