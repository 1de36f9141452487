package dev.clustering.transport;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

import io.netty.buffer.ByteBuf;
import io.netty.handler.codec.CorruptedFrameException;

import dev.clustering.membership.NodeAddress;

/**
 * Encodes a {@link Message} into the body of a frame and back. The length prefix itself is added
 * and checked by Netty's length-field codec. Decoding is strict: an unknown type, a field that runs
 * past the frame, or bytes left over are a {@link CorruptedFrameException}.
 */
public final class FrameCodec {

	/** Version of the wire protocol; both sides of a handshake must agree. */
	public static final int PROTOCOL_VERSION = 1;

	/** Bytes of a handshake nonce. */
	public static final int NONCE_LENGTH = 32;

	private static final int MAX_STRING = 4096;

	private static final int MAX_ENTRIES = 256;

	private static final byte HELLO = 1;

	private static final byte CHALLENGE = 2;

	private static final byte RESPONSE = 3;

	private static final byte WELCOME = 4;

	private static final byte REJECT = 5;

	private static final byte HEARTBEAT = 6;

	private static final byte LEAVE = 7;

	private static final byte CLAIM = 8;

	private static final byte SINGLETON_STATE = 9;

	private static final byte SINGLETON_ORDER = 10;

	private FrameCodec() {
	}

	/**
	 * Writes a message.
	 * @param message the message
	 * @param out the frame body
	 */
	public static void encode(Message message, ByteBuf out) {
		if (message instanceof Message.Hello m) {
			out.writeByte(HELLO);
			out.writeShort(m.version());
			writeIdentity(out, m.name(), m.incarnation(), m.address(), m.nonce(), m.metadata());
		}
		else if (message instanceof Message.Challenge m) {
			out.writeByte(CHALLENGE);
			writeIdentity(out, m.name(), m.incarnation(), m.address(), m.nonce(), m.metadata());
			writeBytes(out, m.proof());
		}
		else if (message instanceof Message.Response m) {
			out.writeByte(RESPONSE);
			writeBytes(out, m.proof());
		}
		else if (message instanceof Message.Reject m) {
			out.writeByte(REJECT);
			out.writeByte(m.reason().ordinal());
			writeString(out, m.detail());
		}
		else if (message instanceof Message.Welcome) {
			out.writeByte(WELCOME);
		}
		else if (message instanceof Message.Heartbeat) {
			out.writeByte(HEARTBEAT);
		}
		else if (message instanceof Message.Leave) {
			out.writeByte(LEAVE);
		}
		else if (message instanceof Message.Claim m) {
			out.writeByte(CLAIM);
			out.writeLong(m.token());
		}
		else if (message instanceof Message.SingletonState m) {
			out.writeByte(SINGLETON_STATE);
			writeString(out, m.name());
			out.writeByte(m.state());
			out.writeLong(m.token());
			out.writeByte(m.startType());
			writeString(out, m.from());
			out.writeLong(m.sinceMillis());
		}
		else if (message instanceof Message.SingletonOrder m) {
			out.writeByte(SINGLETON_ORDER);
			writeString(out, m.name());
			out.writeBoolean(m.start());
			out.writeLong(m.token());
			out.writeByte(m.startType());
			writeString(out, m.from());
			out.writeByte(m.stopReason());
		}
		else {
			throw new IllegalArgumentException("unknown message " + message);
		}
	}

	/**
	 * Reads one message from a whole frame body.
	 * @param in the frame body
	 * @return the message
	 * @throws CorruptedFrameException if the frame is not a well-formed message
	 */
	public static Message decode(ByteBuf in) {
		try {
			Message message = switch (in.readByte()) {
				case HELLO -> {
					int version = in.readUnsignedShort();
					yield new Message.Hello(version, readString(in), in.readLong(), readAddress(in), readNonce(in),
							readMap(in));
				}
				case CHALLENGE -> new Message.Challenge(readString(in), in.readLong(), readAddress(in), readNonce(in),
						readMap(in), readBytes(in));
				case RESPONSE -> new Message.Response(readBytes(in));
				case WELCOME -> new Message.Welcome();
				case REJECT -> new Message.Reject(readReason(in), readString(in));
				case HEARTBEAT -> new Message.Heartbeat();
				case LEAVE -> new Message.Leave();
				case CLAIM -> new Message.Claim(in.readLong());
				case SINGLETON_STATE -> new Message.SingletonState(readString(in), in.readUnsignedByte(), in.readLong(),
						in.readUnsignedByte(), readString(in), in.readLong());
				case SINGLETON_ORDER -> new Message.SingletonOrder(readString(in), in.readBoolean(), in.readLong(),
						in.readUnsignedByte(), readString(in), in.readUnsignedByte());
				default -> throw new CorruptedFrameException("unknown message type");
			};
			if (in.isReadable()) {
				throw new CorruptedFrameException(in.readableBytes() + " unexpected trailing bytes");
			}
			return message;
		}
		catch (IndexOutOfBoundsException ex) {
			throw new CorruptedFrameException("frame ends inside a field");
		}
		catch (IllegalArgumentException ex) {
			throw new CorruptedFrameException("invalid field: " + ex.getMessage());
		}
	}

	private static void writeIdentity(ByteBuf out, String name, long incarnation, NodeAddress address, byte[] nonce,
			Map<String, String> metadata) {
		writeString(out, name);
		out.writeLong(incarnation);
		writeString(out, address.host());
		out.writeShort(address.port());
		out.writeBytes(nonce);
		out.writeShort(metadata.size());
		metadata.forEach((key, value) -> {
			writeString(out, key);
			writeString(out, value);
		});
	}

	private static void writeString(ByteBuf out, String value) {
		byte[] bytes = value.getBytes(StandardCharsets.UTF_8);
		if (bytes.length > MAX_STRING) {
			throw new IllegalArgumentException("string longer than " + MAX_STRING + " bytes");
		}
		out.writeShort(bytes.length);
		out.writeBytes(bytes);
	}

	private static void writeBytes(ByteBuf out, byte[] value) {
		out.writeShort(value.length);
		out.writeBytes(value);
	}

	private static String readString(ByteBuf in) {
		int length = in.readUnsignedShort();
		if (length > MAX_STRING) {
			throw new CorruptedFrameException("string longer than " + MAX_STRING + " bytes");
		}
		byte[] bytes = new byte[length];
		in.readBytes(bytes);
		return new String(bytes, StandardCharsets.UTF_8);
	}

	private static byte[] readBytes(ByteBuf in) {
		int length = in.readUnsignedShort();
		if (length > MAX_STRING) {
			throw new CorruptedFrameException("field longer than " + MAX_STRING + " bytes");
		}
		byte[] bytes = new byte[length];
		in.readBytes(bytes);
		return bytes;
	}

	private static byte[] readNonce(ByteBuf in) {
		byte[] nonce = new byte[NONCE_LENGTH];
		in.readBytes(nonce);
		return nonce;
	}

	private static NodeAddress readAddress(ByteBuf in) {
		String host = readString(in);
		int port = in.readUnsignedShort();
		return new NodeAddress(host, port);
	}

	private static Map<String, String> readMap(ByteBuf in) {
		int entries = in.readUnsignedShort();
		if (entries > MAX_ENTRIES) {
			throw new CorruptedFrameException("more than " + MAX_ENTRIES + " metadata entries");
		}
		Map<String, String> map = new LinkedHashMap<>();
		for (int i = 0; i < entries; i++) {
			map.put(readString(in), readString(in));
		}
		return map;
	}

	private static Message.RejectReason readReason(ByteBuf in) {
		int ordinal = in.readUnsignedByte();
		Message.RejectReason[] reasons = Message.RejectReason.values();
		if (ordinal >= reasons.length) {
			throw new CorruptedFrameException("unknown reject reason");
		}
		return reasons[ordinal];
	}

}
