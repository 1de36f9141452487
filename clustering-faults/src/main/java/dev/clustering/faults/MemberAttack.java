package dev.clustering.faults;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.function.Consumer;

import dev.clustering.faults.MemberFuzz.Shot;
import dev.clustering.faults.MemberFuzz.Verdict;
import dev.clustering.membership.NodeAddress;
import dev.clustering.transport.CookieAuthenticator;
import dev.clustering.transport.FrameCodec;
import dev.clustering.transport.Message;

/**
 * The attack after the handshake: to each node, a thread joins as the fake member and sends its
 * share of {@link MemberFuzz} frames as fast as the node takes them, heartbeating meanwhile. The
 * share is cut into sessions; between two, the member leaves (Leaving, Close), vanishes (a reset),
 * or sends a length prefix the node must refuse (0, or over its 64 KiB limit: it must say why, then
 * close), and joins again under the same name with a new incarnation, alternately speaking minor 0
 * and a newer minor (whose enum values and types the node must skip, not refuse). Optionally, a last
 * session is deaf: it sends state requests and never reads the answers, which the node must not
 * keep without bound.
 */
final class MemberAttack {

	private static final int RECENT = 256;

	private final List<NodeProcess> nodes;

	private final String bindHost;

	private final AttackContext context;

	private final CookieAuthenticator authenticator;

	private final long seed;

	private final List<Tally> tallies = new ArrayList<>();

	/** What was sent to one node, and what came of it. */
	static final class Tally {

		final NodeProcess node;

		long sent;

		long invalid;

		long unknown;

		long handled;

		long heartbeats;

		long withheld;

		int sessions;

		final List<String> sessionEnds = new ArrayList<>();

		/** Whether a connection ended unexpectedly, so frames in flight may not have been read. */
		boolean uncertain;

		final Map<String, Long> received = new TreeMap<>();

		final Deque<String> recent = new ArrayDeque<>();

		Tally(NodeProcess node) {
			this.node = node;
		}

		synchronized List<String> recent() {
			return List.copyOf(this.recent);
		}

		private synchronized void remember(Shot shot) {
			if (this.recent.size() == RECENT) {
				this.recent.removeFirst();
			}
			this.recent.addLast("type " + shot.template() + " " + shot.verdict() + " "
					+ HexFormat.of().formatHex(shot.body(), 0, Math.min(shot.body().length, 200)));
		}

	}

	MemberAttack(List<NodeProcess> nodes, String bindHost, AttackContext context, CookieAuthenticator authenticator,
			long seed) {
		this.nodes = List.copyOf(nodes);
		this.bindHost = bindHost;
		this.context = context;
		this.authenticator = authenticator;
		this.seed = seed;
		this.nodes.forEach((node) -> this.tallies.add(new Tally(node)));
	}

	List<Tally> tallies() {
		return this.tallies;
	}

	/**
	 * Sends {@code total} frames, spread over the nodes, in {@code sessions} sessions per node, then
	 * {@code deaf} state requests to each node from a member that does not read.
	 * @param broken told of every surprise (an unexpected close, a refusal), one line each
	 */
	void run(long total, int sessions, long deaf, Consumer<String> broken) throws InterruptedException {
		List<Thread> threads = new ArrayList<>();
		for (Tally tally : this.tallies) {
			Random random = new Random(this.seed * 17 + tally.node.index);
			Thread thread = new Thread(() -> {
				attack(tally, total / this.nodes.size(), sessions, random, broken);
				if (deaf > 0) {
					deaf(tally, deaf, random, broken);
				}
			}, "member-fuzz " + tally.node.name);
			thread.setDaemon(true);
			threads.add(thread);
			thread.start();
		}
		for (Thread thread : threads) {
			thread.join();
		}
	}

	private void attack(Tally tally, long share, int sessions, Random random, Consumer<String> broken) {
		NodeProcess node = tally.node;
		for (int session = 0; session < sessions; session++) {
			int minor = (session % 2 == 0) ? 0 : 1;
			long until = share * (session + 1) / sessions;
			FakeMember member = join(node, minor, random, broken, true);
			if (member == null) {
				return;
			}
			tally.sessions++;
			MemberFuzz fuzz = new MemberFuzz(this.context, random, minor);
			try {
				while (tally.sent < until && !member.ended()) {
					Shot shot = fuzz.next();
					member.send(shot.body());
					tally.sent++;
					switch (shot.verdict()) {
						case INVALID -> tally.invalid++;
						case UNKNOWN -> tally.unknown++;
						case HANDLED -> tally.handled++;
					}
					tally.remember(shot);
				}
				member.flush();
				if (member.ended()) {
					unexpected(tally, member, broken);
					continue;
				}
				end(tally, member, (session == sessions - 1) ? 0 : 1 + random.nextInt(3), broken);
			}
			catch (IOException ex) {
				member.awaitEnd(2000);
				unexpected(tally, member, broken);
			}
			finally {
				tally.withheld += fuzz.withheld();
				tally.heartbeats += member.heartbeats();
				member.received().forEach((type, count) -> tally.received.merge(type, count, Long::sum));
				member.close();
			}
		}
	}

	// a member that never reads: each state request is answered, and the answers cannot be sent; the
	// node may drop them or the member, but not keep them all (the monitor watches its memory)
	private void deaf(Tally tally, long frames, Random random, Consumer<String> broken) {
		FakeMember member = join(tally.node, 0, random, broken, false);
		if (member == null) {
			return;
		}
		// a write that blocks for good (the node stopped reading) is ended by closing the socket
		Thread guard = new Thread(() -> {
			try {
				Thread.sleep(120_000);
				member.close();
			}
			catch (InterruptedException ex) {
				// done in time
			}
		}, "deaf-guard " + tally.node.name);
		guard.setDaemon(true);
		guard.start();
		byte[] request = FrameCodec.toBytes(new Message.StateRequest());
		long sent = 0;
		try {
			while (sent < frames) {
				member.send(request);
				sent++;
			}
			member.flush();
			Lab.sleep(Duration.ofSeconds(2 * AttackMonitor.EVERY_MILLIS / 1000 + 1));
		}
		catch (IOException ex) {
			// the node closed the connection: a way to refuse a peer that does not read
		}
		finally {
			guard.interrupt();
			member.close();
		}
		tally.sessionEnds.add("deaf, " + sent + " state requests unread");
	}

	// 0: leave as a member does; 1: a reset; 2: a length of 0; 3: a frame over the node's limit
	private void end(Tally tally, FakeMember member, int how, Consumer<String> broken) throws IOException {
		String name = tally.node.name;
		switch (how) {
			case 0 -> {
				member.leave();
				tally.sessionEnds.add("left");
				if (!member.ended()) {
					broken.accept(name + " did not close the fake member's connection within 5 s of its Close");
				}
			}
			case 1 -> {
				// a reset drops what the node has not read yet: first make sure it has read everything
				if (!member.barrier(1 + tally.sessions, 30_000)) {
					tally.uncertain = true;
					broken.accept(name + " did not answer a vote request from the fake member within 30 s");
				}
				member.close();
				member.awaitEnd(2000);
				tally.sessionEnds.add("reset");
			}
			default -> {
				int length = (how == 2) ? 0 : 70_000;
				member.sendRaw(ByteBuffer.allocate(4 + 64).putInt(length).array());
				member.awaitEnd(5000);
				Message.Close close = member.closeFromNode();
				tally.sessionEnds.add("length " + length + " -> " + ((close != null) ? "Close " + close.reason()
						: member.ended() ? "closed without a word" : "still open"));
				if (close == null || close.reason() != Message.CloseReason.PROTOCOL) {
					broken.accept(name + " answered a frame length of " + length + " from an authenticated member with "
							+ ((close != null) ? "Close " + close.reason() : member.ended() ? "a close without a word"
									: "nothing in 5 s")
							+ " instead of Close PROTOCOL");
				}
			}
		}
		Lab.sleep(Duration.ofMillis(100));
	}

	private void unexpected(Tally tally, FakeMember member, Consumer<String> broken) {
		tally.uncertain = true;
		Message.Close close = member.closeFromNode();
		String why = (close != null) ? "Close " + close.reason() + " (" + close.detail() + ")"
				: (member.readerProblem() != null) ? member.readerProblem() : "no word";
		tally.sessionEnds.add("closed by the node: " + why);
		broken.accept(tally.node.name + " closed the fake member's connection after " + tally.sent + " frames: " + why
				+ "; the last frames sent are in attack-recent-" + tally.node.name + ".txt");
	}

	// joins, waiting while the node still holds the previous session (a duplicate name) or is busy
	private FakeMember join(NodeProcess node, int minor, Random random, Consumer<String> broken, boolean reads) {
		NodeAddress address = new NodeAddress(node.address, 9400);
		String last = "";
		for (int attempt = 0; attempt < 50; attempt++) {
			try {
				FakeMember.Joined joined = FakeMember.join(address, this.bindHost, this.context.self(), minor,
						this.authenticator, random, reads);
				if (joined.member() != null) {
					return joined.member();
				}
				last = joined.refusal().reason() + " " + joined.refusal().detail();
				if (joined.refusal().reason() != Message.RejectReason.DUPLICATE_NAME
						&& joined.refusal().reason() != Message.RejectReason.BUSY) {
					break;
				}
			}
			catch (IOException ex) {
				last = String.valueOf(ex);
			}
			Lab.sleep(Duration.ofMillis(200));
		}
		broken.accept(node.name + " did not let the fake member (with the cookie) join: " + last);
		return null;
	}

	/** All tallies' frames by verdict, for the report. */
	static long sum(List<Tally> tallies, Verdict verdict) {
		return tallies.stream()
			.mapToLong((t) -> switch (verdict) {
				case INVALID -> t.invalid;
				case UNKNOWN -> t.unknown;
				case HANDLED -> t.handled;
			})
			.sum();
	}

}
