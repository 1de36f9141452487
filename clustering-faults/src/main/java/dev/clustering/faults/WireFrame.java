package dev.clustering.faults;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * A frame body laid out field by field as protocol 2 lays it out ({@code FrameCodec}), each field
 * tagged with what it is, so that the attacker can break one field the way such a field can be
 * broken (an enum out of range, a token from the future, a string that is not UTF-8) and leave the
 * others valid. {@code WireFrameTests} checks that each valid frame built here is byte for byte what
 * the engine's codec writes for the same message.
 *
 * @param fields the fields, the type byte first
 */
record WireFrame(List<Field> fields) {

	WireFrame {
		fields = List.copyOf(fields);
	}

	/** What a field is, which decides how it can be broken. */
	enum Kind {

		/** The message type byte. */
		TYPE,

		/** A byte 0 or 1. */
		BOOL,

		/** A byte holding an enum ordinal. */
		ENUM,

		/** A leadership token: 8 bytes, 0 to 2^43 - 1. */
		TOKEN,

		/** A singleton token or a sequence number: 8 bytes, not negative. */
		COUNT,

		/** How many nodes the sender knows: 4 bytes, 1 to 2^20. */
		KNOWN,

		/** A lease or timeout in milliseconds: 4 bytes unsigned, at most a day. */
		DURATION,

		/** Any 8 bytes (a digest, a time, an incarnation, a minor version in a hello). */
		LONG,

		/** Two bytes: a version, a port, a count of what follows. */
		SHORT,

		/** A string: 2 bytes of length, then strict UTF-8 without control characters. */
		STRING,

		/** A node name ({@code part@host}) as a string. */
		NAME,

		/** A node name or the empty string. */
		OPTIONAL_NAME,

		/** A singleton name: 1 to 128 characters. */
		SINGLETON,

		/** A host as a string: an IP literal or a DNS name. */
		HOST,

		/** Bytes of a fixed length (a nonce, a proof). */
		FIXED

	}

	/**
	 * One field as it is on the wire.
	 *
	 * @param kind what it is
	 * @param bytes its bytes (for strings, the length prefix included)
	 * @param values for an enum, how many values it has; else 0
	 */
	record Field(Kind kind, byte[] bytes, int values) {

		Field(Kind kind, byte[] bytes) {
			this(kind, bytes, 0);
		}

	}

	/** The frame body. */
	byte[] bytes() {
		ByteArrayOutputStream out = new ByteArrayOutputStream(64);
		this.fields.forEach((field) -> out.writeBytes(field.bytes()));
		return out.toByteArray();
	}

	/** This frame with field {@code index} replaced. */
	WireFrame with(int index, Field field) {
		List<Field> copy = new ArrayList<>(this.fields);
		copy.set(index, field);
		return new WireFrame(copy);
	}

	int type() {
		return this.fields.get(0).bytes()[0] & 0xff;
	}

	/** A frame of these fields. */
	static WireFrame of(Field... fields) {
		return new WireFrame(List.of(fields));
	}

	static Field type(int type) {
		return new Field(Kind.TYPE, new byte[] { (byte) type });
	}

	static Field bool(boolean value) {
		return new Field(Kind.BOOL, new byte[] { (byte) (value ? 1 : 0) });
	}

	static Field enumeration(int ordinal, int values) {
		return new Field(Kind.ENUM, new byte[] { (byte) ordinal }, values);
	}

	static Field token(long value) {
		return new Field(Kind.TOKEN, longBytes(value));
	}

	static Field count(long value) {
		return new Field(Kind.COUNT, longBytes(value));
	}

	static Field known(int value) {
		return new Field(Kind.KNOWN, ByteBuffer.allocate(4).putInt(value).array());
	}

	static Field duration(long millis) {
		return new Field(Kind.DURATION, ByteBuffer.allocate(4).putInt((int) millis).array());
	}

	static Field longValue(long value) {
		return new Field(Kind.LONG, longBytes(value));
	}

	static Field shortValue(int value) {
		return new Field(Kind.SHORT, new byte[] { (byte) (value >>> 8), (byte) value });
	}

	static Field string(Kind kind, String text) {
		return string(kind, text.getBytes(StandardCharsets.UTF_8));
	}

	/** A string field of any bytes, its length prefix saying how many there are. */
	static Field string(Kind kind, byte[] utf8) {
		return string(kind, utf8.length, utf8);
	}

	/** A string field whose length prefix may lie about its bytes. */
	static Field string(Kind kind, int declaredLength, byte[] bytes) {
		byte[] field = new byte[2 + bytes.length];
		field[0] = (byte) (declaredLength >>> 8);
		field[1] = (byte) declaredLength;
		System.arraycopy(bytes, 0, field, 2, bytes.length);
		return new Field(kind, field);
	}

	static Field fixed(byte[] bytes) {
		return new Field(Kind.FIXED, bytes.clone());
	}

	static byte[] longBytes(long value) {
		return ByteBuffer.allocate(8).putLong(value).array();
	}

	/** The bytes of a frame on the wire: a 4-byte length, then the body. */
	static byte[] framed(byte[] body) {
		return ByteBuffer.allocate(4 + body.length).putInt(body.length).put(body).array();
	}

}
