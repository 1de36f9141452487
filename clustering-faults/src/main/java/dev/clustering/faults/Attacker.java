package dev.clustering.faults;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Collectors;

import dev.clustering.faults.HalfOpenWave.Outcome;
import dev.clustering.faults.MemberAttack.Tally;
import dev.clustering.faults.MemberFuzz.Verdict;
import dev.clustering.transport.CookieAuthenticator;

/**
 * The transport attack, from the root namespace through the bridge, in two fault windows: before
 * the handshake without the cookie ({@link HandshakeAttack}, {@link HalfOpenWave}), then as a member
 * with it ({@link MemberAttack}). An {@link AttackMonitor} watches the nodes throughout; afterwards
 * each node's transport counters must show the frames arrived: as many invalid frames and unknown
 * messages as were sent, and no error of its own. Every failure is a {@code broken} line in the
 * driver log, hence a violation; the numbers go to the report.
 */
final class Attacker {

	/** The nodes' handshake timeout (cluster.transport.handshake-timeout, the default). */
	static final Duration HANDSHAKE_TIMEOUT = Duration.ofSeconds(5);

	/**
	 * How much an attack may do.
	 *
	 * @param name for the report
	 * @param preFrames frames to send before the handshake
	 * @param preThreadsPerNode connections at a time to each node before the handshake
	 * @param halfOpenPerNode half-open connections held to each node at once
	 * @param postFrames frames the fake member sends, all nodes together
	 * @param sessionsPerNode how many times the fake member joins each node
	 * @param deafFramesPerNode state requests a member that never reads sends each node at the end (0:
	 * none; off by default: the nodes keep every answer they cannot send, see the README)
	 * @param rssBoundMb how far above its resident memory before the attack a node may grow
	 */
	record Plan(String name, long preFrames, int preThreadsPerNode, int halfOpenPerNode, long postFrames,
			int sessionsPerNode, long deafFramesPerNode, long rssBoundMb) {

		/**
		 * At rest a node (-Xmx160m) is about 150 MB resident with some 45 MB of heap committed, and the
		 * attack's garbage is short-lived (measured: +15 to +25 MB over 10^6 frames). 100 MB more is
		 * room for the heap to double and then some, yet any state a node kept per frame (a hundred
		 * bytes for each of 10^6 frames) or per connection would cross it.
		 */
		static final long RSS_BOUND_MB = 100;

		static Plan ci() {
			return new Plan("ci", 3_000, 4, 100, 10_000, 2, 0, RSS_BOUND_MB);
		}

		static Plan full() {
			return new Plan("long", 120_000, 6, 300, 1_000_000, 8, 0, RSS_BOUND_MB);
		}

		Plan withDeaf(long framesPerNode) {
			return new Plan(this.name, this.preFrames, this.preThreadsPerNode, this.halfOpenPerNode, this.postFrames,
					this.sessionsPerNode, framesPerNode, this.rssBoundMb);
		}

	}

	private final Lab lab;

	private final FaultScenarios scenarios;

	private final Plan plan;

	private final long seed;

	private final Duration settle;

	private final AtomicReference<String> window = new AtomicReference<>("attack");

	Attacker(Lab lab, FaultScenarios scenarios, Plan plan, long seed, Duration settle) {
		this.lab = lab;
		this.scenarios = scenarios;
		this.plan = plan;
		this.seed = seed;
		this.settle = settle;
	}

	/** Runs both windows; returns the report's attack section. */
	String run() {
		List<String> sources = this.lab.network().addBridgeAddresses(9);
		String bridge = this.lab.network().bridgeAddress();
		NodeView baseline = agreedView();
		Map<String, NodeView> before = this.lab.views();
		Map<String, Long> rssBefore = new HashMap<>();
		this.lab.nodes().forEach((n) -> rssBefore.put(n.name, AttackMonitor.rssKb(n.pid())));
		List<String> names = this.lab.nodes().stream().map((n) -> n.name + "@" + n.address).toList();
		AttackContext context = AttackContext.of(names, "fuzz@" + bridge, Set.of("distro"), baseline.leaderToken());
		this.lab.driver().note("attack (" + this.plan.name() + ") begins: leader " + baseline.leaderName() + "#"
				+ baseline.leaderToken() + ", distro on " + baseline.distroName() + "#" + baseline.distroToken());
		StringBuilder report = new StringBuilder();
		try (AttackMonitor monitor = new AttackMonitor(this.lab, baseline, counters(before, "handlerErrors"), rssBefore,
				this.plan.rssBoundMb() * 1024, sources.get(8), this::broken)) {
			Map<String, NodeView> afterPre = preHandshake(context, bridge, sources.subList(0, 8), before, monitor,
					report);
			postHandshake(context, bridge, afterPre, monitor, report);
			report.append(String.format(Locale.ROOT, "%-4s %11s %11s %9s %8s %8s %10s %10s %10s%n", "node",
					"invalid", "unknown", "handlerErr", "refused", "timeouts", "RSS before", "RSS max", "RSS after"));
			Map<String, NodeView> after = monitor.sample();
			for (NodeProcess node : this.lab.nodes()) {
				NodeView view = after.get(node.name);
				report.append(String.format(Locale.ROOT, "%-4s %11s %11s %9s %8s %8s %7d MB %7d MB %7d MB%n", node.name,
						counter(view, "invalidFrames"), counter(view, "unknownMessages"), counter(view, "handlerErrors"),
						counter(view, "refusedHandshakes"), counter(view, "handshakeTimeouts"),
						rssBefore.get(node.name) / 1024, monitor.rssMax(node.name) / 1024,
						AttackMonitor.rssKb(node.pid()) / 1024));
			}
			report.append(String.format(Locale.ROOT,
					"members lost: %d (times a node did not see another UP, in %d samples); leader %s#%d and distro on "
							+ "%s#%d kept throughout unless a violation says otherwise; RSS bound +%d MB%n",
					monitor.lostMembers(), monitor.samples(), baseline.leaderName(), baseline.leaderToken(),
					baseline.distroName(), baseline.distroToken(), this.plan.rssBoundMb()));
		}
		reviveTheDead();
		return report.toString();
	}

	private Map<String, NodeView> preHandshake(AttackContext context, String bridge, List<String> sources,
			Map<String, NodeView> before, AttackMonitor monitor, StringBuilder report) {
		String id = begin("attack-pre-handshake");
		HandshakeAttack attack = new HandshakeAttack(this.lab.nodes(), bridge, context, this.seed);
		List<List<Outcome>> waves = new ArrayList<>();
		long started = System.nanoTime();
		AtomicReference<Long> finished = new AtomicReference<>();
		Thread fuzz = new Thread(() -> {
			try {
				attack.run(this.plan.preFrames(), this.plan.preThreadsPerNode());
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
			}
			finished.set(System.nanoTime());
		}, "hello-fuzz");
		fuzz.start();
		Random random = new Random(this.seed);
		do {
			waves.add(new HalfOpenWave(this.lab.nodes(), sources, this.plan.halfOpenPerNode(), random)
				.run(HANDSHAKE_TIMEOUT.plusSeconds(2)));
		}
		while (fuzz.isAlive());
		join(fuzz);
		double seconds = (finished.get() - started) / 1e9;
		Map<String, NodeView> after = monitor.sample();
		int opened = 0;
		int refused = 0;
		int closed = 0;
		int open = 0;
		for (int n = 0; n < this.lab.nodes().size(); n++) {
			NodeProcess node = this.lab.nodes().get(n);
			int nodeRefused = 0;
			int nodeClosed = 0;
			for (List<Outcome> wave : waves) {
				Outcome o = wave.get(n);
				opened += o.opened();
				nodeRefused += o.refused();
				nodeClosed += o.closedInTime();
				open += o.stillOpen();
				if (o.stillOpen() > 0 || o.failedToOpen() > 0) {
					broken(node.name + " still held " + o.stillOpen() + " half-open connections "
							+ HANDSHAKE_TIMEOUT.plusSeconds(2).toSeconds() + " s after they opened (and " + o.failedToOpen()
							+ " could not be opened); it should close them at its handshake timeout");
				}
				if (o.refused() != HalfOpenWave.OVER_CAP - HalfOpenWave.PER_ADDRESS_CAP) {
					broken(node.name + " refused " + o.refused() + " of " + HalfOpenWave.OVER_CAP
							+ " half-open connections from one address, not the "
							+ (HalfOpenWave.OVER_CAP - HalfOpenWave.PER_ADDRESS_CAP) + " over its cap of "
							+ HalfOpenWave.PER_ADDRESS_CAP);
				}
			}
			refused += nodeRefused;
			closed += nodeClosed;
			long timeouts = delta(before, after, node.name, "handshakeTimeouts");
			long refusals = delta(before, after, node.name, "refusedHandshakes");
			if (timeouts < nodeClosed || refusals < nodeRefused + attack.busy(node.name)) {
				broken(node.name + " counted " + timeouts + " handshake timeouts and " + refusals + " refused handshakes,"
						+ " fewer than the " + nodeClosed + " half-open connections it closed and the "
						+ (nodeRefused + attack.busy(node.name)) + " it refused");
			}
		}
		if (attack.mismatchCount() > 0) {
			broken(attack.mismatchCount() + " openings were not answered as predicted, e.g. "
					+ String.join(" ;; ", attack.mismatches()));
		}
		end(id);
		report.append(String.format(Locale.ROOT,
				"Attack (%s): pre-handshake %,d frames on %,d connections in %.1f s (%,.0f frames/s), %d answered "
						+ "otherwise than predicted; %,d half-open connections in %d wave(s): %,d refused at the "
						+ "per-address cap, %,d closed at the handshake timeout, %d left open%n",
				this.plan.name(), attack.frames(), attack.connections(), seconds, attack.frames() / seconds,
				attack.mismatchCount(), opened, waves.size(), refused, closed, open));
		report.append("  answers: ").append(attack.answers().entrySet().stream()
			.sorted(Map.Entry.<String, Long>comparingByValue().reversed())
			.map((e) -> e.getKey() + " " + e.getValue())
			.collect(Collectors.joining("; "))).append('\n');
		this.lab.awaitConvergence(id, this.settle);
		return after;
	}

	private void postHandshake(AttackContext context, String bridge, Map<String, NodeView> before,
			AttackMonitor monitor, StringBuilder report) {
		String id = begin("attack-post-handshake");
		CookieAuthenticator authenticator = new CookieAuthenticator(this.lab.cookie());
		MemberAttack attack = new MemberAttack(this.lab.nodes(), bridge, context, authenticator, this.seed);
		long started = System.nanoTime();
		try {
			attack.run(this.plan.postFrames(), this.plan.sessionsPerNode(), this.plan.deafFramesPerNode(),
					this::broken);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new LabException("interrupted", ex);
		}
		double seconds = (System.nanoTime() - started) / 1e9;
		Lab.sleep(Duration.ofSeconds(2));
		Map<String, NodeView> after = monitor.sample();
		List<Tally> tallies = attack.tallies();
		for (Tally tally : tallies) {
			String node = tally.node.name;
			writeRecent(tally);
			long invalid = delta(before, after, node, "invalidFrames");
			long unknown = delta(before, after, node, "unknownMessages");
			if (invalid < 0) {
				broken(node + " did not answer, so whether its " + tally.invalid + " invalid frames arrived is unknown");
			}
			else if (invalid == 0) {
				broken(node + " counted no invalid frame though " + tally.invalid + " were sent");
			}
			else if (!tally.uncertain && (invalid != tally.invalid || unknown != tally.unknown)) {
				broken(node + " counted " + invalid + " invalid frames and " + unknown + " unknown messages where "
						+ tally.invalid + " and " + tally.unknown + " were sent");
			}
		}
		end(id);
		long sent = tallies.stream().mapToLong((t) -> t.sent).sum();
		report.append(String.format(Locale.ROOT,
				"post-handshake %,d frames (+ %,d heartbeats) in %.1f s (%,.0f frames/s) as %s in %d sessions: %,d "
						+ "invalid, %,d unknown types, %,d handled; %,d well-formed frames withheld as legitimate "
						+ "changes%n",
				sent, tallies.stream().mapToLong((t) -> t.heartbeats).sum(), seconds, sent / seconds, context.self(),
				tallies.stream().mapToInt((t) -> t.sessions).sum(), MemberAttack.sum(tallies, Verdict.INVALID),
				MemberAttack.sum(tallies, Verdict.UNKNOWN), MemberAttack.sum(tallies, Verdict.HANDLED),
				tallies.stream().mapToLong((t) -> t.withheld).sum()));
		for (Tally tally : tallies) {
			report.append("  ").append(tally.node.name).append(": sent ").append(tally.sent).append(" (")
				.append(tally.invalid).append(" invalid, ").append(tally.unknown).append(" unknown); sessions ended: ")
				.append(String.join(", ", tally.sessionEnds)).append("; received ").append(tally.received).append('\n');
		}
		this.lab.awaitConvergence(id, this.settle);
	}

	// a view every node agrees with, taken when they do (the attack starts from a settled cluster)
	private NodeView agreedView() {
		long deadline = System.nanoTime() + this.settle.toNanos();
		Map<String, NodeView> views = this.lab.views();
		while (ClusterViews.disagreement(views) != null && System.nanoTime() < deadline) {
			Lab.sleep(Duration.ofMillis(500));
			views = this.lab.views();
		}
		if (ClusterViews.disagreement(views) != null) {
			throw new LabException("the views did not agree before the attack: " + ClusterViews.disagreement(views));
		}
		return views.values().iterator().next();
	}

	private void reviveTheDead() {
		for (NodeProcess node : this.lab.nodes()) {
			if (!node.isAlive()) {
				this.lab.driver().note(node.name + " died during the attack; restarting it");
				this.lab.spawn(node);
				this.lab.awaitAnswering(node, Duration.ofMinutes(2));
			}
		}
	}

	private String begin(String kind) {
		String id = this.scenarios.next(kind);
		this.window.set(id);
		this.lab.driver().begin(id, kind, true, this.lab.nodes().stream().map((n) -> n.name).toList());
		return id;
	}

	private void end(String id) {
		this.lab.driver().end(id);
	}

	private void broken(String text) {
		this.lab.driver().broken(this.window.get(), text);
	}

	private void writeRecent(Tally tally) {
		Path file = this.lab.driver().file().resolveSibling("attack-recent-" + tally.node.name + ".txt");
		try {
			Files.write(file, tally.recent());
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

	private static Map<String, Long> counters(Map<String, NodeView> views, String counter) {
		Map<String, Long> values = new HashMap<>();
		views.forEach((name, view) -> values.put(name, (view != null) ? Math.max(0, view.counter(counter)) : 0));
		return values;
	}

	private static long delta(Map<String, NodeView> before, Map<String, NodeView> after, String node, String counter) {
		NodeView a = after.get(node);
		NodeView b = before.get(node);
		return (a == null) ? -1 : a.counter(counter) - ((b != null) ? Math.max(0, b.counter(counter)) : 0);
	}

	private static String counter(NodeView view, String name) {
		return (view != null) ? String.format(Locale.ROOT, "%,d", view.counter(name)) : "?";
	}

	private static void join(Thread thread) {
		try {
			thread.join();
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new LabException("interrupted", ex);
		}
	}

}
