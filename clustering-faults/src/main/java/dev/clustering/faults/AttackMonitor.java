package dev.clustering.faults;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.Consumer;

import io.netty.buffer.Unpooled;

import dev.clustering.membership.NodeAddress;
import dev.clustering.transport.FrameCodec;
import dev.clustering.transport.Message;

/**
 * Watches the nodes while they are attacked, every {@value #EVERY_MILLIS} ms: each process is alive,
 * answers HTTP and, on its cluster port, a hello from an address of its own (a challenge, or a
 * refusal); each sees the other real nodes UP, the leader and the {@code distro} run it saw before
 * the attack (same nodes, same tokens), and no error of its own handling a frame; and its resident
 * memory ({@code VmRSS}) stays under its bound. Every failure is told once per node and kind.
 */
final class AttackMonitor implements AutoCloseable {

	static final long EVERY_MILLIS = 2000;

	/** Samples in a row a node may miss (HTTP, cluster port) before it counts as not answering. */
	private static final int MISSES_ALLOWED = 2;

	private final Lab lab;

	private final NodeView baseline;

	private final Map<String, Long> handlerErrorsBefore;

	private final Map<String, Long> rssBefore;

	private final long rssBoundKb;

	private final String probeHost;

	private final Consumer<String> broken;

	private final ClusterViews views = new ClusterViews(Duration.ofSeconds(3));

	private final Map<String, Long> rssMax = new HashMap<>();

	private final Map<String, Integer> httpMisses = new HashMap<>();

	private final Map<String, Integer> portMisses = new HashMap<>();

	private final Set<String> told = new HashSet<>();

	private final Thread thread;

	private volatile boolean stopped;

	private int samples;

	private int lostMembers;

	/**
	 * @param baseline a view from before the attack (the leader and the distro run to keep)
	 * @param handlerErrorsBefore each node's handler errors before the attack
	 * @param rssBefore each node's VmRSS (kB) before the attack
	 * @param rssBoundKb how far above that each node's VmRSS may go
	 * @param broken told of each failure
	 */
	AttackMonitor(Lab lab, NodeView baseline, Map<String, Long> handlerErrorsBefore, Map<String, Long> rssBefore,
			long rssBoundKb, String probeHost, Consumer<String> broken) {
		this.lab = lab;
		this.baseline = baseline;
		this.handlerErrorsBefore = Map.copyOf(handlerErrorsBefore);
		this.rssBefore = Map.copyOf(rssBefore);
		this.rssBoundKb = rssBoundKb;
		this.probeHost = probeHost;
		this.broken = broken;
		this.thread = new Thread(this::watch, "attack-monitor");
		this.thread.setDaemon(true);
		this.thread.start();
	}

	private void watch() {
		try {
			while (!this.stopped) {
				long next = System.nanoTime() + EVERY_MILLIS * 1_000_000;
				sample();
				Lab.sleep(Duration.ofNanos(Math.max(0, next - System.nanoTime())));
			}
		}
		catch (LabException ex) {
			// interrupted by close()
		}
	}

	/** Takes one sample now (also called once more at the end of each phase). */
	synchronized Map<String, NodeView> sample() {
		this.samples++;
		List<NodeProcess> nodes = this.lab.nodes();
		for (NodeProcess node : nodes) {
			if (!node.isAlive()) {
				tell(node.name, "dead", node.name + " died during the attack; its log ends with: " + node.logTail(5));
				continue;
			}
			long rss = rssKb(node.pid());
			this.rssMax.merge(node.name, rss, Math::max);
			long before = this.rssBefore.getOrDefault(node.name, rss);
			if (rss > before + this.rssBoundKb) {
				tell(node.name, "rss", node.name + " grew to " + rss / 1024 + " MB resident, over its bound of "
						+ (before + this.rssBoundKb) / 1024 + " MB (" + before / 1024 + " MB before the attack + "
						+ this.rssBoundKb / 1024 + " MB)");
			}
			missed(this.portMisses, node, !answersHello(node), "does not answer a hello on its cluster port");
		}
		Map<String, NodeView> current = this.views.read(nodes);
		current.forEach((name, view) -> {
			NodeProcess node = nodes.stream().filter((n) -> n.name.equals(name)).findFirst().orElseThrow();
			missed(this.httpMisses, node, view == null, "does not answer /actuator/cluster");
			if (view != null) {
				check(view, current.keySet());
			}
		});
		return current;
	}

	private void check(NodeView view, Set<String> names) {
		for (String other : names) {
			if (!other.equals(view.node()) && !"UP".equals(view.members().get(other))) {
				this.lostMembers++;
				tell(view.node(), "member " + other, view.node() + " does not see " + other + " UP during the attack ("
						+ Objects.requireNonNullElse(view.members().get(other), "not a member") + ")");
			}
		}
		if (!Objects.equals(view.leader(), this.baseline.leader()) || view.leaderToken() != this.baseline.leaderToken()) {
			tell(view.node(), "leader", view.node() + " sees leader " + view.leaderName() + "#" + view.leaderToken()
					+ " during the attack, not " + this.baseline.leaderName() + "#" + this.baseline.leaderToken());
		}
		if (!Objects.equals(view.distroNode(), this.baseline.distroNode())
				|| view.distroToken() != this.baseline.distroToken()) {
			tell(view.node(), "distro", view.node() + " sees distro on " + view.distroName() + " (token "
					+ view.distroToken() + ") during the attack, not on " + this.baseline.distroName() + " (token "
					+ this.baseline.distroToken() + ")");
		}
		long errors = view.counter("handlerErrors") - this.handlerErrorsBefore.getOrDefault(view.node(), 0L);
		if (errors > 0) {
			tell(view.node(), "handler", view.node() + " counted " + errors + " error(s) of its own handling a frame "
					+ "(its log names the message; the frames sent last are in attack-recent-" + view.node() + ".txt)");
		}
	}

	private void missed(Map<String, Integer> misses, NodeProcess node, boolean missed, String what) {
		int count = missed ? misses.merge(node.name, 1, Integer::sum) : 0;
		if (!missed) {
			misses.put(node.name, 0);
		}
		if (count > MISSES_ALLOWED) {
			tell(node.name, what, node.name + " " + what + " (" + count + " samples in a row, "
					+ EVERY_MILLIS * count / 1000 + " s)");
		}
	}

	// a challenge or a refusal within 3 s: the port answers
	private boolean answersHello(NodeProcess node) {
		try (Socket socket = new Socket()) {
			socket.bind(new InetSocketAddress(this.probeHost, 0));
			socket.connect(new InetSocketAddress(node.address, 9400), 3000);
			socket.setSoTimeout(3000);
			socket.setSoLinger(true, 0);
			byte[] hello = FrameCodec.toBytes(new Message.Hello(FrameCodec.PROTOCOL_MAJOR, 0, "probe@" + this.probeHost,
					new NodeAddress(this.probeHost, 9400), new byte[FrameCodec.NONCE_LENGTH]));
			socket.getOutputStream().write(WireFrame.framed(hello));
			DataInputStream in = new DataInputStream(socket.getInputStream());
			byte[] body = new byte[in.readInt()];
			in.readFully(body);
			Message answer = FrameCodec.decode(Unpooled.wrappedBuffer(body));
			return answer instanceof Message.Challenge || answer instanceof Message.Reject;
		}
		catch (IOException | RuntimeException ex) {
			return false;
		}
	}

	private void tell(String node, String kind, String text) {
		if (this.told.add(node + " " + kind)) {
			this.broken.accept(text);
		}
	}

	/** Resident memory of a process, in kB ({@code VmRSS} in {@code /proc/<pid>/status}), or 0 if it is gone. */
	static long rssKb(long pid) {
		try {
			for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
				if (line.startsWith("VmRSS:")) {
					return Long.parseLong(line.replaceAll("[^0-9]", ""));
				}
			}
			return 0;
		}
		catch (IOException | UncheckedIOException ex) {
			return 0;
		}
	}

	long rssMax(String node) {
		return this.rssMax.getOrDefault(node, 0L);
	}

	int samples() {
		return this.samples;
	}

	/** Samples in which a node did not see another UP, summed over nodes and members. */
	int lostMembers() {
		return this.lostMembers;
	}

	@Override
	public void close() {
		this.stopped = true;
		this.thread.interrupt();
		try {
			this.thread.join(10_000);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
	}

}
