package dev.clustering.transport;

import java.lang.reflect.Method;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.netty.handler.codec.LengthFieldPrepender;

import dev.clustering.membership.LocalNode;
import dev.clustering.membership.NodeAddress;

/**
 * One {@link PeerConnection} on an {@link EmbeddedChannel} with the real framing, as the fuzz targets
 * drive it: what they write is tracked so that a leaked buffer is noticed, what the connection
 * writes is read back as messages, and what its frame decoder holds can be measured.
 */
final class FuzzPipeline {

	static final String COOKIE = "correct-horse-battery-staple";

	static final LocalNode INITIATOR = new LocalNode("abc@127.0.0.1", new NodeAddress("127.0.0.1", 9401), 11,
			Map.of("zone", "eu-1"));

	static final LocalNode ACCEPTOR = new LocalNode("bcd@127.0.0.1", new NodeAddress("127.0.0.1", 9402), 22,
			Map.of("secret-ish", "acceptor-metadata"));

	static final long HANDSHAKE_TIMEOUT_MILLIS = 5000;

	static final int MAX_FRAME_SIZE = 64 * 1024;

	// the key derivation is slow; one authenticator per cookie for the whole run
	private static final Map<String, CookieAuthenticator> AUTHENTICATORS = new ConcurrentHashMap<>();

	// shared, so that warnings are rate-limited across executions, as in a node
	private static final WarningLimiter WARNINGS = new WarningLimiter();

	private static final Method INTERNAL_BUFFER;

	static {
		try {
			INTERNAL_BUFFER = ByteToMessageDecoder.class.getDeclaredMethod("internalBuffer");
			INTERNAL_BUFFER.setAccessible(true);
		}
		catch (NoSuchMethodException ex) {
			throw new ExceptionInInitializerError(ex);
		}
	}

	final EmbeddedChannel channel;

	final PeerConnection connection;

	final TransportCounters counters = new TransportCounters();

	private final FrameDecoder decoder;

	private final List<ByteBuf> written = new ArrayList<>();

	private final ByteBuf outbound = Unpooled.buffer();

	private FuzzPipeline(LocalNode self, String cookie, ConnectionListener listener, NodeAddress dialled) {
		CookieAuthenticator authenticator = AUTHENTICATORS.computeIfAbsent(cookie,
				(c) -> new CookieAuthenticator(c.toCharArray()));
		this.connection = new PeerConnection(self, authenticator, listener, dialled, HANDSHAKE_TIMEOUT_MILLIS,
				MAX_FRAME_SIZE, WARNINGS, this.counters, new HandshakeGuard(8, 8));
		this.decoder = new FrameDecoder(this.connection::frameLimit);
		this.channel = new EmbeddedChannel(this.decoder, new LengthFieldPrepender(4), MessageEncoder.INSTANCE,
				this.connection);
	}

	/**
	 * Opens a connection: an initiator if {@code dialled} is given, else an acceptor.
	 * @param self this node
	 * @param cookie the cookie, empty for none
	 * @param listener what the connection tells
	 * @param dialled the address dialled, or {@code null}
	 * @return the pipeline, active
	 */
	static FuzzPipeline open(LocalNode self, String cookie, ConnectionListener listener, NodeAddress dialled) {
		return new FuzzPipeline(self, cookie, listener, dialled);
	}

	/**
	 * Writes one chunk of the stream, as one read from the socket.
	 * @param bytes the chunk
	 */
	void write(byte[] bytes) {
		ByteBuf chunk = Unpooled.wrappedBuffer(bytes);
		if (bytes.length > 0) {
			// an empty array wraps as the shared empty buffer, which is never released
			this.written.add(chunk);
		}
		this.channel.writeInbound(chunk);
	}

	/**
	 * Writes a frame (the body with its length prefix) in one chunk, or in two if {@code split} is
	 * not zero, cut at {@code split / 256} of its length.
	 * @param body the frame body
	 * @param split where to cut
	 */
	void writeFrame(byte[] body, int split) {
		byte[] frame = ByteBuffer.allocate(4 + body.length).putInt(body.length).put(body).array();
		int cut = frame.length * (split & 0xff) / 256;
		if (cut == 0) {
			write(frame);
			return;
		}
		write(Arrays.copyOfRange(frame, 0, cut));
		if (this.channel.isOpen()) {
			write(Arrays.copyOfRange(frame, cut, frame.length));
		}
	}

	/**
	 * The bytes the frame decoder holds: the start of a frame whose end has not arrived.
	 * @return how many
	 */
	int retained() {
		return held().readableBytes();
	}

	/**
	 * The length the frame the decoder waits for says it has.
	 * @return its declared length, or -1 if no whole length prefix is held
	 */
	long pendingFrameLength() {
		ByteBuf held = held();
		return (held.readableBytes() >= 4) ? held.getUnsignedInt(held.readerIndex()) : -1;
	}

	private ByteBuf held() {
		try {
			return (ByteBuf) INTERNAL_BUFFER.invoke(this.decoder);
		}
		catch (ReflectiveOperationException ex) {
			throw new IllegalStateException(ex);
		}
	}

	/**
	 * The whole frames this side wrote since the last call, decoded.
	 * @return the messages
	 */
	List<Message> sent() {
		ByteBuf chunk;
		while ((chunk = this.channel.readOutbound()) != null) {
			this.outbound.writeBytes(chunk);
			chunk.release();
		}
		List<Message> messages = new ArrayList<>();
		while (this.outbound.readableBytes() >= 4
				&& this.outbound.readableBytes() >= 4 + this.outbound.getInt(this.outbound.readerIndex())) {
			int length = this.outbound.readInt();
			// our own frames: any decoding error here is a finding
			messages.add(FrameCodec.decode(this.outbound.readSlice(length), FrameCodec.PROTOCOL_MINOR, true));
		}
		this.outbound.discardReadBytes();
		return messages;
	}

	/**
	 * Moves bytes between two connections until neither has more to say.
	 * @param a one side
	 * @param b the other
	 */
	static void pump(FuzzPipeline a, FuzzPipeline b) {
		boolean moved = true;
		while (moved) {
			moved = transfer(a, b) | transfer(b, a);
		}
	}

	private static boolean transfer(FuzzPipeline from, FuzzPipeline to) {
		boolean moved = false;
		ByteBuf chunk;
		while ((chunk = from.channel.readOutbound()) != null) {
			moved = true;
			if (to.channel.isOpen()) {
				to.channel.writeInbound(chunk);
			}
			else {
				chunk.release();
			}
		}
		return moved;
	}

	/**
	 * Closes the channel, rethrows what its pipeline raised, and releases what is left.
	 * @return how many of the chunks written in were never released (leaked)
	 */
	int finish() {
		this.channel.finishAndReleaseAll();
		this.outbound.release();
		return (int) this.written.stream().filter((chunk) -> chunk.refCnt() != 0).count();
	}

}
