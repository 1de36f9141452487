package dev.clustering.transport;

import java.util.LinkedHashMap;
import java.util.Map;

import io.netty.buffer.ByteBuf;
import io.netty.handler.codec.CorruptedFrameException;

import dev.clustering.membership.NodeAddress;

/**
 * The fields of a frame, each written within the protocol's limits (else an
 * {@link IllegalArgumentException}: a bug of this node) and read back without trusting the peer
 * (else a {@link CorruptedFrameException}): strings through {@link WireText}'s grammar, bounded
 * counts, tokens and durations, enum values in range unless the peer speaks a newer minor version,
 * and metadata of at most {@link FrameCodec#MAX_METADATA_ENTRIES} distinct keys. Used by
 * {@link FrameCodec}.
 */
final class WireFields {

	/** Longest lease or timeout on the wire: a day. */
	private static final long MAX_DURATION_MILLIS = 86_400_000L;

	/** Most nodes a count may name. */
	private static final int MAX_KNOWN = 1 << 20;

	private WireFields() {
	}

	static void writeAddress(ByteBuf out, NodeAddress address) {
		writeString(out, address.host());
		out.writeShort(address.port());
	}

	static NodeAddress readAddress(ByteBuf in) {
		String host = readString(in);
		if (!WireText.isHost(host)) {
			throw new CorruptedFrameException("not a host");
		}
		int port = in.readUnsignedShort();
		if (port == 0) {
			throw new CorruptedFrameException("port 0");
		}
		// the host is a literal or a name checked by the grammar: building the address looks nothing up
		return new NodeAddress(host, port);
	}

	static void writeToken(ByteBuf out, long token) {
		if (token < 0 || token > FrameCodec.MAX_LEADER_TOKEN) {
			throw new IllegalArgumentException("leadership token out of range: " + token);
		}
		out.writeLong(token);
	}

	static long readToken(ByteBuf in) {
		long token = in.readLong();
		if (token < 0 || token > FrameCodec.MAX_LEADER_TOKEN) {
			throw new CorruptedFrameException("leadership token out of range");
		}
		return token;
	}

	static void writeKnown(ByteBuf out, int known) {
		if (known < 1 || known > MAX_KNOWN) {
			throw new IllegalArgumentException("node count out of range: " + known);
		}
		out.writeInt(known);
	}

	static int readKnown(ByteBuf in) {
		int known = in.readInt();
		if (known < 1 || known > MAX_KNOWN) {
			throw new CorruptedFrameException("node count out of range");
		}
		return known;
	}

	static void writeDuration(ByteBuf out, long millis) {
		if (millis < 0 || millis > MAX_DURATION_MILLIS) {
			throw new IllegalArgumentException("duration out of range: " + millis);
		}
		out.writeInt((int) millis);
	}

	static long readDuration(ByteBuf in) {
		long millis = in.readUnsignedInt();
		if (millis > MAX_DURATION_MILLIS) {
			throw new CorruptedFrameException("duration out of range");
		}
		return millis;
	}

	static void writeCount(ByteBuf out, long value) {
		if (value < 0) {
			throw new IllegalArgumentException("negative value: " + value);
		}
		out.writeLong(value);
	}

	static long readCount(ByteBuf in) {
		long value = in.readLong();
		if (value < 0) {
			throw new CorruptedFrameException("negative value");
		}
		return value;
	}

	static int ordinal(ByteBuf in, int known, int peerMinor) {
		int value = in.readUnsignedByte();
		if (value >= known && peerMinor <= FrameCodec.PROTOCOL_MINOR) {
			throw new CorruptedFrameException("enum value " + value + " out of range");
		}
		return value;
	}

	static void writeFixed(ByteBuf out, byte[] bytes, int length) {
		if (bytes.length != length) {
			throw new IllegalArgumentException("expected " + length + " bytes, got " + bytes.length);
		}
		out.writeBytes(bytes);
	}

	static byte[] readFixed(ByteBuf in, int length) {
		byte[] bytes = new byte[length];
		in.readBytes(bytes);
		return bytes;
	}

	static void writeString(ByteBuf out, String value) {
		byte[] bytes = WireText.encode(value);
		out.writeShort(bytes.length);
		out.writeBytes(bytes);
	}

	static String readString(ByteBuf in) {
		int length = in.readUnsignedShort();
		if (length > WireText.MAX_STRING_BYTES) {
			throw new CorruptedFrameException("string longer than " + WireText.MAX_STRING_BYTES + " bytes");
		}
		if (length > in.readableBytes()) {
			throw new CorruptedFrameException("frame ends inside a field");
		}
		byte[] bytes = new byte[length];
		in.readBytes(bytes);
		return WireText.decode(bytes);
	}

	static void writeName(ByteBuf out, String name) {
		if (!WireText.isNodeName(name)) {
			throw new IllegalArgumentException("not a node name: " + WireText.forLog(name));
		}
		writeString(out, name);
	}

	static String readName(ByteBuf in) {
		String name = readString(in);
		if (!WireText.isNodeName(name)) {
			throw new CorruptedFrameException("not a node name");
		}
		return name;
	}

	static void writeOptionalName(ByteBuf out, String name) {
		if (name == null || name.isEmpty()) {
			out.writeShort(0);
		}
		else {
			writeName(out, name);
		}
	}

	static String readOptionalName(ByteBuf in) {
		String name = readString(in);
		if (!name.isEmpty() && !WireText.isNodeName(name)) {
			throw new CorruptedFrameException("not a node name");
		}
		return name;
	}

	static void writeSingletonName(ByteBuf out, String name) {
		if (name.isEmpty() || name.length() > FrameCodec.MAX_SINGLETON_NAME) {
			throw new IllegalArgumentException("singleton name must have 1 to " + FrameCodec.MAX_SINGLETON_NAME + " characters");
		}
		writeString(out, name);
	}

	static String readSingletonName(ByteBuf in) {
		String name = readString(in);
		if (name.isEmpty() || name.length() > FrameCodec.MAX_SINGLETON_NAME) {
			throw new CorruptedFrameException("singleton name length out of range");
		}
		return name;
	}

	static void writeMap(ByteBuf out, Map<String, String> map) {
		if (map.size() > FrameCodec.MAX_METADATA_ENTRIES) {
			throw new IllegalArgumentException("more than " + FrameCodec.MAX_METADATA_ENTRIES + " metadata entries");
		}
		out.writeShort(map.size());
		map.forEach((key, value) -> {
			writeString(out, key);
			writeString(out, value);
		});
	}

	static Map<String, String> readMap(ByteBuf in) {
		int entries = in.readUnsignedShort();
		if (entries > FrameCodec.MAX_METADATA_ENTRIES) {
			throw new CorruptedFrameException("more than " + FrameCodec.MAX_METADATA_ENTRIES + " metadata entries");
		}
		Map<String, String> map = new LinkedHashMap<>();
		for (int i = 0; i < entries; i++) {
			String key = readString(in);
			if (key.isEmpty() || map.put(key, readString(in)) != null) {
				throw new CorruptedFrameException("empty or repeated metadata key");
			}
		}
		return Map.copyOf(map);
	}

}
