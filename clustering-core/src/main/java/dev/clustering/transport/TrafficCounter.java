package dev.clustering.transport;

import java.util.concurrent.atomic.LongAdder;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;

/**
 * Counts the bytes a node's connections read and write at the socket (after TLS, if any).
 */
@ChannelHandler.Sharable
public final class TrafficCounter extends ChannelDuplexHandler {

	private final LongAdder written = new LongAdder();

	private final LongAdder read = new LongAdder();

	/**
	 * Bytes written so far.
	 * @return the total
	 */
	public long bytesWritten() {
		return this.written.sum();
	}

	/**
	 * Bytes read so far.
	 * @return the total
	 */
	public long bytesRead() {
		return this.read.sum();
	}

	@Override
	public void channelRead(ChannelHandlerContext ctx, Object msg) {
		if (msg instanceof ByteBuf buf) {
			this.read.add(buf.readableBytes());
		}
		ctx.fireChannelRead(msg);
	}

	@Override
	public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
		if (msg instanceof ByteBuf buf) {
			this.written.add(buf.readableBytes());
		}
		ctx.write(msg, promise);
	}

}
