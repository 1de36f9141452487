package dev.clustering.transport;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import dev.clustering.membership.NodeAddress;

/**
 * Writes the fuzz targets' seed inputs into {@code src/test/resources}, where Jazzer reads them in
 * every test run and starts from them when fuzzing. Run from the module directory after changing an
 * input layout:
 * {@code java -cp target/test-classes:target/classes:<test class path> dev.clustering.transport.FuzzSeeds}.
 */
final class FuzzSeeds {

	private static final Path ROOT = Path.of("src/test/resources/dev/clustering/transport");

	private static final byte[] NONCE = new byte[FrameCodec.NONCE_LENGTH];

	private FuzzSeeds() {
	}

	public static void main(String[] args) throws IOException {
		frameCodec(ROOT.resolve("FrameCodecFuzzTestsInputs/aFrameEitherIsCorruptOrDecodesToAMessageThatRoundTrips"));
		acceptor(ROOT.resolve("HandshakeFuzzTestsInputs/anAcceptorAdmitsNoOneWhoCannotProveTheCookie"));
		initiator(ROOT.resolve("HandshakeFuzzTestsInputs/anInitiatorAdmitsNoOneWhoCannotProveTheCookie"));
		established(ROOT.resolve(
				"EstablishedConnectionFuzzTestsInputs/anEstablishedConnectionPassesOnOnlyWhatDecodesAndStaysOpen"));
	}

	// [flags][peer minor i32][body]
	private static void frameCodec(Path dir) throws IOException {
		byte[] hello = FrameCodec.toBytes(hello(FrameCodec.PROTOCOL_MAJOR));
		seed(dir, "valid-hello", new Bytes().u8(0).i32(0).raw(hello));
		seed(dir, "foreign-version-hello", new Bytes().u8(0).i32(0).raw(FrameCodec.toBytes(hello(3))));
		seed(dir, "truncated-hello", new Bytes().u8(0).i32(0).raw(Arrays.copyOf(hello, hello.length - 5)));
		seed(dir, "welcome", new Bytes().u8(0).i32(0).raw(FrameCodec.toBytes(new Message.Welcome(NONCE, 7,
				new NodeAddress("::1", 9402), Map.of("zone", "eu-1", "rack", "r7")))));
		seed(dir, "singleton-state-newer-minor", new Bytes().u8(1).i32(FrameCodec.PROTOCOL_MINOR + 1)
			.raw(FrameCodec.toBytes(new Message.SingletonState("distro", 200, 5, 9, "abc@h", 1700000000000L))));
		seed(dir, "state-sync", new Bytes().u8(1).i32(0)
			.raw(FrameCodec.toBytes(new Message.StateSync(List.of(new Message.SingletonState("distro", 1, 5, 0, "", 1),
					new Message.SingletonState("orders", 2, 6, 1, "bcd@[::1]", 2))))));
		seed(dir, "vote", new Bytes().u8(1).i32(0).raw(FrameCodec.toBytes(new Message.Vote(5, false, "abc@h", 4, 6))));
		seed(dir, "singleton-order", new Bytes().u8(1).i32(0)
			.raw(FrameCodec.toBytes(new Message.SingletonOrder("distro", true, 9, 1, "abc@h", 0, 5000))));
		seed(dir, "move-request", new Bytes().u8(1).i32(0).raw(FrameCodec.toBytes(new Message.MoveRequest("distro", "bcd@h"))));
		seed(dir, "unknown-type", new Bytes().u8(1).i32(3).raw(new byte[] { (byte) 200, 1, 2, 3 }));
		seed(dir, "lease-renew", new Bytes().u8(1).i32(0).raw(FrameCodec.toBytes(new Message.LeaseRenew(5, 9, 8, 3, 2000))));
	}

	// [config] then [op][split][length u16][payload]
	private static void acceptor(Path dir) throws IOException {
		byte[] helloFrame = frame(FrameCodec.toBytes(hello(FrameCodec.PROTOCOL_MAJOR)));
		seed(dir, "valid-hello", new Bytes().u8(0).step(2, 0, helloFields(FrameCodec.PROTOCOL_MAJOR)));
		seed(dir, "valid-hello-wrong-proof", new Bytes().u8(0).step(2, 0, helloFields(FrameCodec.PROTOCOL_MAJOR))
			.step(4, 0, new Bytes().raw(NONCE).i64(5)));
		seed(dir, "foreign-version-hello", new Bytes().u8(0).step(2, 0, helloFields(3)));
		seed(dir, "hello-in-two-chunks", new Bytes().u8(0).step(2, 100, helloFields(FrameCodec.PROTOCOL_MAJOR)));
		seed(dir, "truncated-hello", new Bytes().u8(0).step(0, 0, new Bytes().raw(Arrays.copyOf(helloFrame, 20))));
		seed(dir, "oversized-length", new Bytes().u8(0).step(0, 0, new Bytes().i32(64 * 1024).raw(new byte[100])));
		seed(dir, "heartbeat-first", new Bytes().u8(0).step(8, 0, new Bytes().u8(0).i64(7)));
		seed(dir, "no-cookie-hello", new Bytes().u8(1).step(2, 0, helloFields(FrameCodec.PROTOCOL_MAJOR)));
		seed(dir, "hello-then-timeout", new Bytes().u8(0).step(2, 0, helloFields(FrameCodec.PROTOCOL_MAJOR))
			.step(9, 0, new Bytes().u16(501)));
	}

	private static void initiator(Path dir) throws IOException {
		Bytes challenge = new Bytes().u8(1).u16(FrameCodec.PROTOCOL_MINOR).raw(NONCE);
		seed(dir, "valid-challenge", new Bytes().u8(0).step(3, 0, challenge));
		seed(dir, "challenge-then-welcome-wrong-proof", new Bytes().u8(0).step(3, 0, challenge)
			.step(5, 0, new Bytes().raw(NONCE).i64(22).u8(0).u16(9402).u8(1).u16(12)));
		seed(dir, "challenge-then-large-welcome", new Bytes().u8(0).step(3, 0, challenge)
			.step(5, 60, new Bytes().raw(NONCE).i64(22).u8(0).u16(9402).u8(2).u16(1500).u16(900)));
		seed(dir, "refused-for-version", new Bytes().u8(0).step(7, 0, new Bytes().u8(0).u16(40)));
		seed(dir, "truncated-challenge", new Bytes().u8(0).step(0, 0,
				new Bytes().raw(Arrays.copyOf(frame(FrameCodec.toBytes(new Message.Challenge("bcd@127.0.0.1", 0, NONCE))), 12))));
		seed(dir, "oversized-length", new Bytes().u8(0).step(0, 0, new Bytes().i32(2000).raw(new byte[100])));
		seed(dir, "hello-to-an-initiator", new Bytes().u8(0).step(2, 0, helloFields(FrameCodec.PROTOCOL_MAJOR)));
		seed(dir, "challenge-then-timeout", new Bytes().u8(0).step(3, 0, challenge).step(9, 0, new Bytes().u16(501)));
	}

	// [config] then [split][length u16][body]
	private static void established(Path dir) throws IOException {
		seed(dir, "heartbeats", new Bytes().u8(0).frame(0, new Message.Heartbeat(7)).frame(128, new Message.Heartbeat(-1)));
		seed(dir, "singleton-traffic", new Bytes().u8(1)
			.frame(0, new Message.SingletonState("distro", 1, 5, 0, "", 1700000000000L))
			.frame(0, new Message.SingletonOrder("distro", false, 5, 0, "abc@127.0.0.1", 1, 5000))
			.frame(30, new Message.StateSync(List.of(new Message.SingletonState("distro", 1, 5, 0, "", 1))))
			.frame(0, new Message.StateRequest())
			.frame(0, new Message.MoveRequest("distro", "bcd@127.0.0.1")));
		seed(dir, "leadership", new Bytes().u8(0).frame(0, new Message.VoteRequest(5, 3, 2000))
			.frame(0, new Message.Vote(5, true, "", 0, 6))
			.frame(0, new Message.LeaseRenew(5, 1, 0, 3, 2000))
			.frame(0, new Message.LeaseAck(5, 1))
			.frame(0, new Message.Resign(5)));
		seed(dir, "invalid-then-late-hello-then-unknown", new Bytes().u8(0)
			.frame(0, new byte[] { FrameCodec.SINGLETON_STATE, 0, 50, 1 })
			.frame(0, FrameCodec.toBytes(hello(FrameCodec.PROTOCOL_MAJOR)))
			.frame(0, new byte[] { (byte) 200, 1, 2, 3 })
			.frame(0, new Message.Leaving()));
		seed(dir, "close", new Bytes().u8(1).frame(0, new Message.Close(Message.CloseReason.LEAVING, "bye"))
			.frame(0, new Message.Heartbeat(1)));
	}

	private static Message.Hello hello(int major) {
		return new Message.Hello(major, FrameCodec.PROTOCOL_MINOR, "abc@127.0.0.1", new NodeAddress("127.0.0.1", 9401),
				NONCE);
	}

	// the fields HandshakeFuzzTests.message reads for a Hello: major, minor, name, host, port, nonce
	private static Bytes helloFields(int major) {
		return new Bytes().u16(major).u16(FrameCodec.PROTOCOL_MINOR).u8(0).u8(0).u16(9401).raw(NONCE);
	}

	private static byte[] frame(byte[] body) {
		return new Bytes().i32(body.length).raw(body).toByteArray();
	}

	private static void seed(Path dir, String name, Bytes bytes) throws IOException {
		Files.createDirectories(dir);
		Files.write(dir.resolve(name), bytes.toByteArray());
	}

	/** Big-endian fields, as {@link FuzzInput} reads them. */
	private static final class Bytes {

		private final ByteArrayOutputStream buffer = new ByteArrayOutputStream();

		private final DataOutputStream out = new DataOutputStream(this.buffer);

		Bytes u8(int value) {
			return write(() -> this.out.writeByte(value));
		}

		Bytes u16(int value) {
			return write(() -> this.out.writeShort(value));
		}

		Bytes i32(int value) {
			return write(() -> this.out.writeInt(value));
		}

		Bytes i64(long value) {
			return write(() -> this.out.writeLong(value));
		}

		Bytes raw(byte[] bytes) {
			return write(() -> this.out.write(bytes));
		}

		Bytes step(int op, int split, Bytes payload) {
			byte[] bytes = payload.toByteArray();
			return u8(op).u8(split).u16(bytes.length).raw(bytes);
		}

		Bytes frame(int split, Message message) {
			return frame(split, FrameCodec.toBytes(message));
		}

		Bytes frame(int split, byte[] body) {
			return u8(split).u16(body.length).raw(body);
		}

		byte[] toByteArray() {
			return this.buffer.toByteArray();
		}

		private Bytes write(Write write) {
			try {
				write.run();
			}
			catch (IOException ex) {
				throw new UncheckedIOException(ex);
			}
			return this;
		}

		private interface Write {

			void run() throws IOException;

		}

	}

}
