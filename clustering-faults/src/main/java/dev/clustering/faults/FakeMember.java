package dev.clustering.faults;

import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

import io.netty.buffer.Unpooled;

import dev.clustering.membership.NodeAddress;
import dev.clustering.transport.CookieAuthenticator;
import dev.clustering.transport.FrameCodec;
import dev.clustering.transport.Message;

/**
 * The attacker's member, on a plain socket: it dials a node, runs the real handshake with the
 * cookie (the dialling side's part, as {@code RawPeer} in the engine's tests does), and then writes
 * whatever frames it is given, with a heartbeat (of a random digest) every {@value #HEARTBEAT_MILLIS}
 * ms so that it stays UP. A thread reads and counts what the node sends back, so the node's writes
 * never back up, and notices when the node closes the connection and whether it said why first.
 */
final class FakeMember implements AutoCloseable {

	static final long HEARTBEAT_MILLIS = 300;

	/** Tokens below this are the barriers' (the fuzzers never send a token this small but 0). */
	static final long BARRIER_TOKENS = 1_000_000;

	private final Socket socket;

	private final DataOutputStream out;

	private final Random random;

	private final Thread reader;

	private final Map<String, AtomicLong> received = new ConcurrentHashMap<>();

	private final Set<Long> answered = ConcurrentHashMap.newKeySet();

	private volatile Message.Close closeFromNode;

	private volatile boolean ended;

	private volatile String readerProblem;

	private long nextHeartbeatNanos;

	private long heartbeats;

	private FakeMember(Socket socket, DataOutputStream out, Random random, String label) {
		this.socket = socket;
		this.out = out;
		this.random = random;
		this.reader = new Thread(this::read, "fake-member " + label);
		this.reader.setDaemon(true);
	}

	/**
	 * Dials and authenticates.
	 * @param reads whether to read what the node sends (a member that does not is deaf: the node's
	 * answers back up)
	 * @return the member, or the node's refusal
	 */
	static Joined join(NodeAddress node, String bindHost, String name, int minor, CookieAuthenticator authenticator,
			Random random, boolean reads) throws IOException {
		Socket socket = new Socket();
		try {
			socket.bind(new InetSocketAddress(bindHost, 0));
			socket.connect(new InetSocketAddress(node.host(), node.port()), 3000);
			socket.setTcpNoDelay(true);
			socket.setSoTimeout(10_000);
			DataInputStream in = new DataInputStream(socket.getInputStream());
			DataOutputStream out = new DataOutputStream(new BufferedOutputStream(socket.getOutputStream(), 1 << 16));
			byte[] hello = FrameCodec.toBytes(new Message.Hello(FrameCodec.PROTOCOL_MAJOR, minor, name,
					new NodeAddress(bindHost, node.port()), authenticator.newNonce()));
			write(out, hello);
			out.flush();
			byte[] challenge = readFrame(in);
			if (FrameCodec.decode(Unpooled.wrappedBuffer(challenge)) instanceof Message.Reject reject) {
				socket.close();
				return new Joined(null, reject);
			}
			long incarnation = authenticator.newIncarnation();
			byte[] proof = authenticator.initiatorProof(hello, challenge, incarnation);
			write(out, FrameCodec.toBytes(new Message.Response(proof, incarnation)));
			out.flush();
			Message answer = FrameCodec.decode(Unpooled.wrappedBuffer(readFrame(in)));
			if (answer instanceof Message.Reject reject) {
				socket.close();
				return new Joined(null, reject);
			}
			Message.Welcome welcome = (Message.Welcome) answer;
			if (!CookieAuthenticator.matches(
					authenticator.acceptorProof(hello, challenge, welcome.incarnation(), proof), welcome.proof())) {
				throw new IOException(node + " did not prove it knows the cookie");
			}
			// no metadata: the fake member hosts no singleton, so none is ever placed on it
			write(out, FrameCodec.toBytes(new Message.Confirm(Map.of())));
			out.flush();
			socket.setSoTimeout(0);
			FakeMember member = new FakeMember(socket, out, random, name + " to " + node);
			member.nextHeartbeatNanos = System.nanoTime();
			if (reads) {
				member.reader.start();
			}
			return new Joined(member, null);
		}
		catch (IOException | RuntimeException ex) {
			socket.close();
			throw ex;
		}
	}

	/**
	 * The outcome of a join.
	 *
	 * @param member the established member, or {@code null}
	 * @param refusal why the node refused, or {@code null}
	 */
	record Joined(FakeMember member, Message.Reject refusal) {
	}

	/** Writes one frame (buffered), after a heartbeat if one is due. */
	void send(byte[] body) throws IOException {
		long now = System.nanoTime();
		if (now - this.nextHeartbeatNanos >= 0) {
			write(this.out, FrameCodec.toBytes(new Message.Heartbeat(this.random.nextLong())));
			this.out.flush();
			this.heartbeats++;
			this.nextHeartbeatNanos = now + HEARTBEAT_MILLIS * 1_000_000;
		}
		write(this.out, body);
	}

	/** Writes raw bytes as they are (a length prefix that lies, for instance). */
	void sendRaw(byte[] bytes) throws IOException {
		this.out.write(bytes);
		this.out.flush();
	}

	void flush() throws IOException {
		this.out.flush();
	}

	long heartbeats() {
		return this.heartbeats;
	}

	/**
	 * Waits until the node has read everything sent so far: asks for a vote with a token no one uses
	 * (it is refused, changes nothing, and is answered in order) and waits for the answer.
	 * @param token a small number, unique for this member
	 * @return whether the answer came within the time
	 */
	boolean barrier(long token, long millis) throws IOException {
		write(this.out, FrameCodec.toBytes(new Message.VoteRequest(token, 1 << 20, 0)));
		this.out.flush();
		long deadline = System.nanoTime() + millis * 1_000_000;
		while (!this.answered.contains(token) && !this.ended && System.nanoTime() < deadline) {
			Lab.sleep(Duration.ofMillis(5));
		}
		return this.answered.contains(token);
	}

	/** Leaves as a member does (Leaving, then Close) and waits for the node to close. */
	void leave() throws IOException {
		write(this.out, FrameCodec.toBytes(new Message.Leaving()));
		write(this.out, FrameCodec.toBytes(new Message.Close(Message.CloseReason.LEAVING, "attack over")));
		this.out.flush();
		awaitEnd(5000);
	}

	/** Waits until the node closes the connection; whether it did. */
	boolean awaitEnd(long millis) {
		try {
			this.reader.join(millis);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
		return this.ended;
	}

	/** Whether the node closed the connection. */
	boolean ended() {
		return this.ended;
	}

	/** The Close the node sent before closing, or {@code null} if it said nothing. */
	Message.Close closeFromNode() {
		return this.closeFromNode;
	}

	/** What went wrong reading the node's frames (other than the end of the stream), or {@code null}. */
	String readerProblem() {
		return this.readerProblem;
	}

	/** What the node sent, by message type. */
	Map<String, Long> received() {
		Map<String, Long> copy = new TreeMap<>();
		this.received.forEach((type, count) -> copy.put(type, count.get()));
		return copy;
	}

	private void read() {
		try {
			DataInputStream in = new DataInputStream(this.socket.getInputStream());
			while (true) {
				Message message = FrameCodec.decode(Unpooled.wrappedBuffer(readFrame(in)), FrameCodec.PROTOCOL_MINOR,
						true);
				this.received.computeIfAbsent(message.getClass().getSimpleName(), (k) -> new AtomicLong()).incrementAndGet();
				if (message instanceof Message.Close close) {
					this.closeFromNode = close;
				}
				else if (message instanceof Message.Vote vote && vote.token() < BARRIER_TOKENS) {
					this.answered.add(vote.token());
				}
			}
		}
		catch (EOFException ex) {
			// the node closed the connection
		}
		catch (IOException ex) {
			if (!this.socket.isClosed()) {
				this.readerProblem = String.valueOf(ex.getMessage());
			}
		}
		catch (RuntimeException ex) {
			this.readerProblem = "a frame from the node did not decode: " + ex;
		}
		finally {
			this.ended = true;
		}
	}

	private static void write(DataOutputStream out, byte[] body) throws IOException {
		out.writeInt(body.length);
		out.write(body);
	}

	private static byte[] readFrame(DataInputStream in) throws IOException {
		int length = in.readInt();
		if (length < 1 || length > 1 << 20) {
			throw new IOException("bad frame length " + length + " from the node");
		}
		byte[] body = new byte[length];
		in.readFully(body);
		return body;
	}

	@Override
	public void close() {
		try {
			this.socket.setSoLinger(true, 0);
			this.socket.close();
		}
		catch (IOException ex) {
			// closing anyway
		}
	}

}
