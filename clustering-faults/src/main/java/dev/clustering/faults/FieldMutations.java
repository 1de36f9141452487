package dev.clustering.faults;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

import dev.clustering.faults.WireFrame.Field;
import dev.clustering.faults.WireFrame.Kind;

/**
 * Breaks one field of a frame the way a field of its kind can be broken: an enum ordinal out of
 * range, a token negative or beyond the largest one, a count the frame does not hold, a string that
 * is not UTF-8, holds a control character, is longer than allowed or than the frame, a name outside
 * the grammar ({@code 999.1.2.3}), bytes of the wrong length; and the frame as a whole (cut short,
 * bytes added, a bit flipped). Some results are still valid (a token from the future, a name of a
 * node that does not exist): the caller decides what may be sent.
 */
final class FieldMutations {

	/** Largest leadership token the protocol accepts (FrameCodec.MAX_LEADER_TOKEN). */
	static final long MAX_LEADER_TOKEN = (1L << 43) - 1;

	private static final byte[][] NOT_UTF8 = { { (byte) 0xc3, 0x28 }, { (byte) 0xff }, { (byte) 0xc0, (byte) 0xaf },
			{ (byte) 0xed, (byte) 0xa0, (byte) 0x80 }, { (byte) 0xe2, (byte) 0x82 },
			{ (byte) 0xf8, (byte) 0x88, (byte) 0x80, (byte) 0x80, (byte) 0x80 }, { 'n', '1', (byte) 0x80, '@', 'h' } };

	private static final List<String> CONTROL = List.of("a\nb", "\u0000", "x\u0085y", "line\u2028sep", "\u007f",
			"ok\r\n2026-01-01 ERROR forged log line", "tab\there", "\u001b[31mred");

	private static final List<String> BAD_NAMES = List.of("n1@999.1.2.3", "@10.0.0.1", "a@b@c", "nobody", "-a@h",
			"a@", "a@[::1", "a@::1", "a@host_name", "a@..", "a b@h", "\u00f1@h", "a@1.2.3", "a@256.0.0.1",
			"a".repeat(65) + "@h", "a@" + "b".repeat(254), "a@-h.example", "a@[not-v6]", ".a@h");

	private static final List<String> BAD_HOSTS = List.of("999.1.2.3", "1.2.3", "256.256.256.256", "::ffff:999.1.2.3",
			"[::1]", "a..b", "-h", "host_name", "", "h".repeat(254), "1.2.3.4.5", "0x7f.1", "localhost:9400");

	private FieldMutations() {
	}

	/** A broken (or oddly valid) version of the field. */
	static Field mutate(Field field, Random random, List<String> ghosts) {
		return switch (field.kind()) {
			case TYPE -> new Field(Kind.TYPE, new byte[] { (byte) random.nextInt(256) });
			case BOOL -> new Field(Kind.BOOL, new byte[] { (byte) (2 + random.nextInt(254)) });
			case ENUM -> new Field(Kind.ENUM, new byte[] { (byte) (field.values() + random.nextInt(256 - field.values())) },
					field.values());
			case TOKEN -> new Field(Kind.TOKEN, WireFrame.longBytes(pick(random, -1L, Long.MIN_VALUE,
					MAX_LEADER_TOKEN + 1, Long.MAX_VALUE, MAX_LEADER_TOKEN, -(1L + random.nextInt(1 << 30)),
					MAX_LEADER_TOKEN + 1 + random.nextInt(1 << 30))));
			case COUNT -> new Field(Kind.COUNT, WireFrame.longBytes(pick(random, -1L, Long.MIN_VALUE, Long.MAX_VALUE,
					random.nextLong(), -(1L + random.nextInt(1 << 30)))));
			case KNOWN -> WireFrame.known(pick(random, 0, -1, (1 << 20) + 1, Integer.MAX_VALUE, Integer.MIN_VALUE));
			case DURATION -> WireFrame.duration(pick(random, 86_400_001L, 0xffffffffL, 0x80000000L));
			case LONG -> WireFrame.longValue(pick(random, random.nextLong(), 0L, -1L, Long.MIN_VALUE, Long.MAX_VALUE));
			case SHORT -> WireFrame.shortValue(pick(random, 0, 1, 0xffff, 1025, 0x8000, random.nextInt(0x10000)));
			case FIXED -> fixed(field, random);
			case STRING, NAME, OPTIONAL_NAME, SINGLETON, HOST -> string(field.kind(), random, ghosts);
		};
	}

	private static Field fixed(Field field, Random random) {
		int length = field.bytes().length;
		int changed = switch (random.nextInt(3)) {
			case 0 -> Math.max(0, length - 1 - random.nextInt(Math.max(1, length)));
			case 1 -> length + 1 + random.nextInt(8);
			default -> 0;
		};
		return new Field(Kind.FIXED, randomBytes(random, changed));
	}

	private static Field string(Kind kind, Random random, List<String> ghosts) {
		switch (random.nextInt(9)) {
			case 0:
				return WireFrame.string(kind, NOT_UTF8[random.nextInt(NOT_UTF8.length)]);
			case 1:
				return WireFrame.string(kind, pick(random, CONTROL));
			case 2:
				// one byte over the limit, all there
				return WireFrame.string(kind, "a".repeat(4097));
			case 3: {
				// a length the frame does not hold
				byte[] some = "abc".getBytes(StandardCharsets.UTF_8);
				return WireFrame.string(kind, pick(random, 4097, 0xffff, 200, some.length + 1), some);
			}
			case 4:
				// the longest valid string (too long for a name): 4096 bytes, ASCII or two-byte characters
				return WireFrame.string(kind, random.nextBoolean() ? "x".repeat(4096) : "\u00e9".repeat(2048));
			case 5:
				return WireFrame.string(kind, "");
			case 6:
				return WireFrame.string(kind, pick(random, BAD_HOSTS));
			case 7:
				return WireFrame.string(kind, pick(random, BAD_NAMES));
			default:
				// well-formed, but of nothing that exists: a ghost node, or a singleton nobody runs
				return WireFrame.string(kind, (kind == Kind.SINGLETON) ? "ghost-" + random.nextInt(1000)
						: pick(random, ghosts));
		}
	}

	/** Cuts the frame short, adds bytes, or flips a bit; never returns an empty frame. */
	static byte[] damage(byte[] body, Random random) {
		switch (random.nextInt(4)) {
			case 0:
				return (body.length > 1) ? Arrays.copyOf(body, 1 + random.nextInt(body.length - 1)) : body;
			case 1: {
				byte[] extra = randomBytes(random, 1 + random.nextInt(16));
				byte[] longer = Arrays.copyOf(body, body.length + extra.length);
				System.arraycopy(extra, 0, longer, body.length, extra.length);
				return longer;
			}
			case 2: {
				byte[] flipped = body.clone();
				int at = random.nextInt(flipped.length);
				flipped[at] ^= (byte) (1 << random.nextInt(8));
				return flipped;
			}
			default: {
				int at = random.nextInt(body.length + 1);
				byte[] inserted = randomBytes(random, 1 + random.nextInt(8));
				byte[] longer = new byte[body.length + inserted.length];
				System.arraycopy(body, 0, longer, 0, at);
				System.arraycopy(inserted, 0, longer, at, inserted.length);
				System.arraycopy(body, at, longer, at + inserted.length, body.length - at);
				return longer;
			}
		}
	}

	static byte[] randomBytes(Random random, int length) {
		byte[] bytes = new byte[length];
		random.nextBytes(bytes);
		return bytes;
	}

	@SafeVarargs
	static <T> T pick(Random random, T... choices) {
		return choices[random.nextInt(choices.length)];
	}

	static <T> T pick(Random random, List<T> choices) {
		return choices.get(random.nextInt(choices.size()));
	}

}
