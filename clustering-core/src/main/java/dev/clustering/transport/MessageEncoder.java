package dev.clustering.transport;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.MessageToByteEncoder;

/**
 * Writes {@link Message}s as frame bodies; the length prefix is added further down the pipeline.
 */
@ChannelHandler.Sharable
final class MessageEncoder extends MessageToByteEncoder<Message> {

	static final MessageEncoder INSTANCE = new MessageEncoder();

	@Override
	protected void encode(ChannelHandlerContext ctx, Message message, ByteBuf out) {
		FrameCodec.encode(message, out);
	}

}
