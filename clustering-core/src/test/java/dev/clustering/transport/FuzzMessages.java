package dev.clustering.transport;

import java.lang.reflect.RecordComponent;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import io.netty.buffer.Unpooled;

/**
 * What the fuzz targets check of a decoded message: it re-encodes and reads back as the same message,
 * compared field by field (record equality compares the {@code byte[]} nonces and proofs by identity).
 */
final class FuzzMessages {

	private FuzzMessages() {
	}

	/**
	 * Re-encodes a message that was decoded from a peer's frame and reads it back.
	 * @param message the decoded message
	 * @param peerMinor the minor version it was decoded for
	 * @param established whether it was decoded as on an established connection
	 * @return an error, or {@code null} if it round-trips
	 */
	static String roundTripError(Message message, int peerMinor, boolean established) {
		byte[] encoded;
		try {
			encoded = FrameCodec.toBytes(message);
		}
		catch (RuntimeException ex) {
			return "decoded " + message + " but it does not encode: " + ex;
		}
		Message back = FrameCodec.decode(Unpooled.wrappedBuffer(encoded), peerMinor, established);
		return same(message, back) ? null : "decoded " + message + " but its encoding reads back as " + back;
	}

	/**
	 * Whether two values are equal, byte arrays by content, records field by field.
	 * @param a one value
	 * @param b the other
	 * @return whether they are the same
	 */
	static boolean same(Object a, Object b) {
		if (a == b) {
			return true;
		}
		if (a == null || b == null) {
			return false;
		}
		if (a instanceof byte[] x) {
			return b instanceof byte[] y && Arrays.equals(x, y);
		}
		if (a instanceof List<?> x) {
			if (!(b instanceof List<?> y) || x.size() != y.size()) {
				return false;
			}
			for (int i = 0; i < x.size(); i++) {
				if (!same(x.get(i), y.get(i))) {
					return false;
				}
			}
			return true;
		}
		if (a instanceof Map<?, ?>) {
			return a.equals(b);
		}
		if (a.getClass().isRecord() && a.getClass() == b.getClass()) {
			for (RecordComponent component : a.getClass().getRecordComponents()) {
				try {
					if (!same(component.getAccessor().invoke(a), component.getAccessor().invoke(b))) {
						return false;
					}
				}
				catch (ReflectiveOperationException ex) {
					throw new IllegalStateException(ex);
				}
			}
			return true;
		}
		return a.equals(b);
	}

}
