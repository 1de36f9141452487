package dev.clustering.faults;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

import dev.clustering.transport.FrameCodec;

/**
 * Connections that never finish their handshake, {@code perNode} to each node at once, from several
 * source addresses: a third say nothing, a third send part of a frame, a third dribble a hello one
 * byte at a time. The first source address opens {@value #OVER_CAP} to each node, more than the
 * {@value #PER_ADDRESS_CAP} a node lets one address hold, so the rest must be refused at once (BUSY);
 * the others open fewer. After the nodes' handshake timeout every accepted one must have been closed
 * by the node.
 */
final class HalfOpenWave {

	/** Pending handshakes a node allows from one address (NettyTransport). */
	static final int PER_ADDRESS_CAP = 64;

	static final int OVER_CAP = 70;

	private final List<NodeProcess> nodes;

	private final List<String> sources;

	private final int perNode;

	private final Random random;

	private final List<Held> held = new ArrayList<>();

	/** One held connection; a dribbling one remembers how much of its hello it sent. */
	private static final class Held {

		final NodeProcess node;

		final Socket socket;

		final int style;

		final byte[] hello;

		int sent;

		Held(NodeProcess node, Socket socket, int style, byte[] hello) {
			this.node = node;
			this.socket = socket;
			this.style = style;
			this.hello = hello;
		}

	}

	/** What a wave saw, per node: refused at once, closed by the node in time, still open after it. */
	record Outcome(int opened, int refused, int closedInTime, int stillOpen, int failedToOpen) {
	}

	HalfOpenWave(List<NodeProcess> nodes, List<String> sources, int perNode, Random random) {
		if (sources.size() < 1 + (perNode - OVER_CAP + PER_ADDRESS_CAP - 5) / (PER_ADDRESS_CAP - 4)) {
			throw new IllegalArgumentException("not enough source addresses for " + perNode + " per node");
		}
		this.nodes = List.copyOf(nodes);
		this.sources = List.copyOf(sources);
		this.perNode = perNode;
		this.random = random;
	}

	/**
	 * Opens the connections, dribbles for {@code hold}, then checks each one.
	 * @return per node (in the order given), what happened
	 */
	List<Outcome> run(Duration hold) {
		int[] failed = new int[this.nodes.size()];
		for (int n = 0; n < this.nodes.size(); n++) {
			NodeProcess node = this.nodes.get(n);
			for (int i = 0; i < this.perNode; i++) {
				String source = (i < OVER_CAP) ? this.sources.get(0)
						: this.sources.get(1 + (i - OVER_CAP) / (PER_ADDRESS_CAP - 4));
				try {
					// those over the cap stay silent, so that nothing this side sends resets the refusal away
					this.held.add(open(node, source, (i >= PER_ADDRESS_CAP && i < OVER_CAP) ? 0 : i % 3));
				}
				catch (IOException ex) {
					failed[n]++;
				}
			}
		}
		long end = System.nanoTime() + hold.toNanos();
		while (System.nanoTime() < end) {
			for (Held h : this.held) {
				if (h.style == 2) {
					dribble(h);
				}
			}
			Lab.sleep(Duration.ofMillis(400));
		}
		List<Outcome> outcomes = new ArrayList<>();
		for (int n = 0; n < this.nodes.size(); n++) {
			NodeProcess node = this.nodes.get(n);
			int opened = 0;
			int refused = 0;
			int closed = 0;
			int open = 0;
			for (Held h : this.held) {
				if (h.node != node) {
					continue;
				}
				opened++;
				switch (state(h.socket)) {
					case 1 -> refused++;
					case 0 -> closed++;
					default -> open++;
				}
			}
			outcomes.add(new Outcome(opened, refused, closed, open, failed[n]));
		}
		close();
		return outcomes;
	}

	private Held open(NodeProcess node, String source, int style) throws IOException {
		Socket socket = new Socket();
		try {
			socket.bind(new InetSocketAddress(source, 0));
			socket.connect(new InetSocketAddress(node.address, 9400), 3000);
			socket.setSoLinger(true, 0);
			byte[] hello = WireFrame.framed(WireMessages.hello(FrameCodec.PROTOCOL_MAJOR, "slow@" + source, 0, source,
					9400, FieldMutations.randomBytes(this.random, FrameCodec.NONCE_LENGTH)).bytes());
			if (style == 1) {
				// a length that promises more than ever comes
				socket.getOutputStream().write(Arrays.copyOf(hello, 4 + this.random.nextInt(hello.length - 5)));
			}
			return new Held(node, socket, style, hello);
		}
		catch (IOException ex) {
			socket.close();
			throw ex;
		}
	}

	private static void dribble(Held held) {
		if (held.sent >= held.hello.length - 1) {
			return; // never the last byte: the hello stays unfinished
		}
		try {
			held.socket.getOutputStream().write(held.hello[held.sent]);
			held.sent++;
		}
		catch (IOException ex) {
			held.sent = held.hello.length; // the node closed it: state() will see that
		}
	}

	// 1: refused (a Reject, then the end), 0: closed by the node without a word, -1: still open
	private static int state(Socket socket) {
		try {
			socket.setSoTimeout(200);
			InputStream in = socket.getInputStream();
			int first = in.read();
			if (first < 0) {
				return 0;
			}
			// a frame came first: the refusal (BUSY); the end of the stream follows it
			byte[] rest = in.readNBytes(64);
			return (rest.length > 4 && rest[3] == WireMessages.REJECT) ? 1 : -1;
		}
		catch (SocketTimeoutException ex) {
			return -1;
		}
		catch (IOException ex) {
			return 0; // reset by the node
		}
	}

	private void close() {
		for (Held h : this.held) {
			try {
				h.socket.close();
			}
			catch (IOException ex) {
				// closing anyway
			}
		}
		this.held.clear();
	}

}
