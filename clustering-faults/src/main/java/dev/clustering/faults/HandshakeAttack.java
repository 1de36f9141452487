package dev.clustering.faults;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

import io.netty.buffer.Unpooled;

import dev.clustering.faults.HelloFuzz.Answer;
import dev.clustering.faults.HelloFuzz.Opening;
import dev.clustering.transport.FrameCodec;
import dev.clustering.transport.Message;

/**
 * The attack before the handshake, without the cookie: worker threads open connection after
 * connection to every node and send {@link HelloFuzz} openings, checking each answer against the
 * prediction, until {@code frames} frames are sent. Half-open connections are held meanwhile by
 * {@link HalfOpenWave}s.
 */
final class HandshakeAttack {

	private static final int ANSWER_TIMEOUT_MILLIS = 3000;

	private static final int EXAMPLES = 5;

	private final List<NodeProcess> nodes;

	private final String bindHost;

	private final AttackContext context;

	private final long seed;

	private final AtomicLong frames = new AtomicLong();

	private final AtomicLong connections = new AtomicLong();

	private final AtomicLong busy = new AtomicLong();

	private final Map<String, AtomicLong> answers = new ConcurrentHashMap<>();

	private final Map<String, AtomicLong> perNodeBusy = new ConcurrentHashMap<>();

	private final List<String> mismatches = new ArrayList<>();

	private final AtomicLong mismatchCount = new AtomicLong();

	HandshakeAttack(List<NodeProcess> nodes, String bindHost, AttackContext context, long seed) {
		this.nodes = List.copyOf(nodes);
		this.bindHost = bindHost;
		this.context = context;
		this.seed = seed;
	}

	/** Sends {@code target} frames with {@code threadsPerNode} connections at a time to each node. */
	void run(long target, int threadsPerNode) throws InterruptedException {
		List<Thread> workers = new ArrayList<>();
		for (NodeProcess node : this.nodes) {
			for (int t = 0; t < threadsPerNode; t++) {
				Random random = new Random(this.seed * 31 + node.index * 1009L + t);
				Thread worker = new Thread(() -> work(node, random, target), "hello-fuzz " + node.name + "-" + t);
				worker.setDaemon(true);
				workers.add(worker);
				worker.start();
			}
		}
		for (Thread worker : workers) {
			worker.join();
		}
	}

	private void work(NodeProcess node, Random random, long target) {
		HelloFuzz fuzz = new HelloFuzz(this.context, random);
		while (this.frames.get() < target) {
			Opening opening = fuzz.next();
			try {
				attempt(node, opening, opening.frames().size() > 1 && random.nextInt(3) == 0);
			}
			catch (IOException ex) {
				tally("connect failed: " + ex.getClass().getSimpleName());
				Lab.sleep(Duration.ofMillis(50));
			}
		}
	}

	// together: all frames in one write, without waiting for the challenge
	private void attempt(NodeProcess node, Opening opening, boolean together) throws IOException {
		try (Socket socket = new Socket()) {
			socket.bind(new InetSocketAddress(this.bindHost, 0));
			socket.connect(new InetSocketAddress(node.address, 9400), 3000);
			socket.setTcpNoDelay(true);
			this.connections.incrementAndGet();
			OutputStream out = socket.getOutputStream();
			if (together) {
				ByteArrayOutputStream all = new ByteArrayOutputStream();
				opening.frames().forEach(all::writeBytes);
				out.write(all.toByteArray());
			}
			this.frames.addAndGet(opening.frames().size());
			if (opening.expected().isEmpty()) {
				if (!together) {
					for (byte[] frame : opening.frames()) {
						out.write(frame);
					}
				}
				tally("not awaited (" + opening.label() + ")");
				return;
			}
			// the node closes first, or this side after a challenge: a reset then leaves no TIME_WAIT here
			socket.setSoLinger(true, 0);
			socket.setSoTimeout(ANSWER_TIMEOUT_MILLIS);
			DataInputStream in = new DataInputStream(socket.getInputStream());
			List<String> got = new ArrayList<>();
			for (int i = 0; i < opening.frames().size(); i++) {
				if (!together) {
					out.write(opening.frames().get(i));
				}
				String answer = answer(in, node);
				got.add(answer);
				if (!answer.equals(Answer.CHALLENGE.name())) {
					break;
				}
			}
			judge(node, opening, got);
		}
	}

	// the node's next answer: CHALLENGE, REJECTED <reason>, CLOSED (end of stream or reset), or SILENT
	private String answer(DataInputStream in, NodeProcess node) throws IOException {
		try {
			int length = in.readInt();
			if (length < 1 || length > 1 << 16) {
				return "BAD LENGTH " + length;
			}
			byte[] body = new byte[length];
			in.readFully(body);
			Message message = FrameCodec.decode(Unpooled.wrappedBuffer(body));
			if (message instanceof Message.Reject reject) {
				if (reject.reason() == Message.RejectReason.BUSY) {
					this.busy.incrementAndGet();
					this.perNodeBusy.computeIfAbsent(node.name, (k) -> new AtomicLong()).incrementAndGet();
				}
				return Answer.REJECTED.name() + " " + reject.reason();
			}
			return (message instanceof Message.Challenge) ? Answer.CHALLENGE.name()
					: "UNEXPECTED " + message.getClass().getSimpleName();
		}
		catch (EOFException ex) {
			return Answer.CLOSED.name();
		}
		catch (SocketTimeoutException ex) {
			return "SILENT";
		}
		catch (IOException ex) {
			String text = String.valueOf(ex.getMessage()).toLowerCase(Locale.ROOT);
			return (text.contains("reset") || text.contains("broken pipe")) ? Answer.CLOSED.name() : "ERROR " + ex;
		}
	}

	private void judge(NodeProcess node, Opening opening, List<String> got) {
		List<String> expected = new ArrayList<>();
		for (Answer answer : opening.expected()) {
			expected.add((answer == Answer.REJECTED) ? answer.name() + " " + opening.reason() : answer.name());
		}
		tally(String.join(", ", got));
		if (got.equals(expected) || got.stream().anyMatch((a) -> a.endsWith("BUSY"))) {
			return;
		}
		this.mismatchCount.incrementAndGet();
		synchronized (this.mismatches) {
			if (this.mismatches.size() < EXAMPLES) {
				StringBuilder hex = new StringBuilder();
				opening.frames().forEach((f) -> hex.append(hex.isEmpty() ? "" : " | ")
					.append(HexFormat.of().formatHex(f, 0, Math.min(f.length, 96))));
				this.mismatches.add(node.name + " answered [" + String.join(", ", got) + "] where [" + String.join(", ", expected)
						+ "] was due, to a " + opening.label() + ": " + hex);
			}
		}
	}

	private void tally(String answer) {
		this.answers.computeIfAbsent(answer, (k) -> new AtomicLong()).incrementAndGet();
	}

	long frames() {
		return this.frames.get();
	}

	long connections() {
		return this.connections.get();
	}

	long busy(String node) {
		AtomicLong count = this.perNodeBusy.get(node);
		return (count != null) ? count.get() : 0;
	}

	long mismatchCount() {
		return this.mismatchCount.get();
	}

	List<String> mismatches() {
		synchronized (this.mismatches) {
			return List.copyOf(this.mismatches);
		}
	}

	/** How often each sequence of answers came, by sequence. */
	Map<String, Long> answers() {
		Map<String, Long> sorted = new TreeMap<>();
		this.answers.forEach((answer, count) -> sorted.put(answer, count.get()));
		return sorted;
	}

}
