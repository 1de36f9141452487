package dev.clustering.transport;

import java.util.List;
import java.util.function.IntSupplier;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.netty.handler.codec.TooLongFrameException;

/**
 * Splits the stream into frames (a 4-byte big-endian length, then the body) with a limit that the
 * connection sets by its state: small until the peer has proved it knows the cookie, so a
 * connection that never authenticates holds at most a handshake's worth of memory. A frame over
 * the limit fails at once, from its length alone, before any of its body is buffered; after that
 * failure the rest of the stream is discarded.
 */
final class FrameDecoder extends ByteToMessageDecoder {

	private final IntSupplier limit;

	private boolean failed;

	FrameDecoder(IntSupplier limit) {
		this.limit = limit;
	}

	@Override
	protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
		if (this.failed) {
			in.skipBytes(in.readableBytes());
			return;
		}
		// one frame per call: the next frame's limit is read only after this one was handled (it may
		// have completed the handshake)
		if (in.readableBytes() < 4) {
			return;
		}
		int length = in.getInt(in.readerIndex());
		int max = this.limit.getAsInt();
		if (length < 1 || length > max) {
			this.failed = true;
			in.skipBytes(in.readableBytes());
			throw new TooLongFrameException(
					(length < 1) ? "frame length " + length : "frame of " + length + " bytes over the limit of " + max);
		}
		if (in.readableBytes() < 4 + length) {
			return;
		}
		in.skipBytes(4);
		out.add(in.readRetainedSlice(length));
	}

}
