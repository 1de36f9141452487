package dev.clustering.transport;

import java.util.Arrays;

/**
 * Reads a fuzzer's bytes as big-endian fields, front to back. Past the end every field reads as
 * zero, so any input, the empty one included, is a valid script for a fuzz target; seeds are written
 * with {@link FuzzSeeds}.
 */
final class FuzzInput {

	private final byte[] bytes;

	private int position;

	FuzzInput(byte[] bytes) {
		this.bytes = bytes;
	}

	boolean hasMore() {
		return this.position < this.bytes.length;
	}

	int u8() {
		return hasMore() ? this.bytes[this.position++] & 0xff : 0;
	}

	int u16() {
		return (u8() << 8) | u8();
	}

	int i32() {
		return (u16() << 16) | u16();
	}

	long i64() {
		return ((long) i32() << 32) | (i32() & 0xffffffffL);
	}

	/**
	 * Exactly {@code length} bytes, zero-padded past the end (for fixed-size fields).
	 * @param length how many
	 * @return the bytes
	 */
	byte[] fixed(int length) {
		byte[] field = new byte[length];
		int available = Math.min(length, this.bytes.length - this.position);
		System.arraycopy(this.bytes, this.position, field, 0, available);
		this.position += available;
		return field;
	}

	/**
	 * At most {@code length} bytes: fewer if the input ends first (for a step's payload).
	 * @param length how many are wanted
	 * @return the bytes
	 */
	byte[] upTo(int length) {
		int available = Math.min(length, this.bytes.length - this.position);
		byte[] field = Arrays.copyOfRange(this.bytes, this.position, this.position + available);
		this.position += available;
		return field;
	}

	byte[] rest() {
		return upTo(this.bytes.length - this.position);
	}

}
