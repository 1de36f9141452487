package dev.clustering.benchmark;

import java.lang.management.BufferPoolMXBean;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Predicate;
import java.util.function.ToLongFunction;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import java.util.stream.LongStream;

import dev.clustering.node.EngineEvent;
import dev.clustering.test.LoopbackCluster;
import dev.clustering.test.RecordedEvent;
import dev.clustering.transport.TrafficCounter;

import static dev.clustering.benchmark.ClusterBenchmark.progress;

/**
 * The size scenario (see the README): for one N at a time, N nodes on a static topology, measured
 * in phases: time to full membership, idle heap per node, heartbeat traffic, false detections while
 * idle, then crash and freeze detection one node after the other; and what the closed cluster left
 * behind. {@link SizeReport} prints the results.
 */
final class SizeScenario {

	/** How long a cluster gets to be whole again: every node sees the others up and has heard them join. */
	private static final Duration WHOLE_TIMEOUT = Duration.ofSeconds(30);

	private final BenchmarkOptions options;

	private final HiccupMonitor hiccups;

	/** Random extra wait before each kill or freeze, so its moment is not in step with the heartbeats. */
	private final Random jitter = new Random(7);

	SizeScenario(BenchmarkOptions options, HiccupMonitor hiccups) {
		this.options = options;
		this.hiccups = hiccups;
	}

	/**
	 * Loads the classes and runs the code paths once (forming, a crash and a restart, a graceful
	 * close), so class loading lands neither in the first size's heap figure nor in its first kill.
	 */
	void warmUp() throws InterruptedException {
		progress("warm-up: 3 nodes, two crashes and restarts");
		LoopbackCluster cluster = sizeCluster(3).start();
		try {
			if (!awaitFormed(cluster)) {
				progress("warm-up cluster did not form; continuing");
			}
			Thread.sleep(500);
			SizeResult ignored = new SizeResult(3);
			runFaults(cluster, new LeaveAudit(cluster, ignored.unexpected), ignored, false, 2);
		}
		finally {
			closeAll(cluster);
		}
	}

	/** N nodes n1..nN (zero-padded), static topology; only leaves are recorded (250 nodes' joins would show in the heap). */
	private LoopbackCluster sizeCluster(int n) {
		String format = "n%0" + String.valueOf(n).length() + "d";
		List<String> names = IntStream.rangeClosed(1, n).mapToObj((i) -> String.format(format, i)).toList();
		return ClusterBenchmark.nodes(this.options, names)
			.recordEvents(EngineEvent.MemberLeft.class::isInstance)
			.build();
	}

	/** Waits until every node has heard a joined event for each of the other N-1 nodes. */
	private boolean awaitFormed(LoopbackCluster cluster) throws InterruptedException {
		return LoopbackCluster.within(this.options.formTimeout, () -> formed(cluster).count() == cluster.names().size());
	}

	/** When each node that did had first heard all the others join. */
	private static LongStream formed(LoopbackCluster cluster) {
		return cluster.names().stream().map(cluster::formedAt).filter(OptionalLong::isPresent)
			.mapToLong(OptionalLong::getAsLong);
	}

	/** Closes every node gracefully, 8 at a time; returns how long that took in ms. */
	private static double closeAll(LoopbackCluster cluster) {
		long t0 = System.nanoTime();
		try {
			cluster.close(8);
		}
		catch (IllegalStateException ex) {
			System.err.println("  ! closing a node failed: " + ex);
		}
		return (System.nanoTime() - t0) / 1e6;
	}

	/** The smallest number of up members any node sees. */
	private static int minMembers(LoopbackCluster cluster) {
		return cluster.names().stream().mapToInt((name) -> cluster.node(name).members().size()).min().orElse(0);
	}

	private static long traffic(LoopbackCluster cluster, ToLongFunction<TrafficCounter> bytes) {
		return cluster.names().stream().mapToLong((name) -> bytes.applyAsLong(cluster.node(name).traffic())).sum();
	}

	/** Runs one size, then checks what the closed cluster left behind (once nothing refers to it). */
	SizeResult run(int n) throws InterruptedException {
		progress("N=" + n + ": measuring baseline heap");
		Baseline baseline = new Baseline(usedHeapAfterGc(), directMemoryUsed(), threadCount(), threadIds());
		SizeResult r = new SizeResult(n);
		measure(n, r, baseline);
		Thread.sleep(1500);
		r.threadsLeft = threadCount() - baseline.threads();
		if (r.threadsLeft > 0) {
			r.problems.add("threads started during this size and still alive after close: "
					+ newThreads(baseline.threadIds()));
		}
		r.heapRetained = usedHeapAfterGc() - baseline.heap();
		return r;
	}

	private record Baseline(long heap, long direct, int threads, Set<Long> threadIds) {
	}

	private void measure(int n, SizeResult r, Baseline baseline) throws InterruptedException {
		LoopbackCluster cluster = sizeCluster(n);
		LeaveAudit audit = new LeaveAudit(cluster, r.unexpected);
		try {
			// 1. membership
			progress("N=" + n + ": starting nodes");
			long t0 = System.nanoTime();
			cluster.start();
			r.startedMillis = (System.nanoTime() - t0) / 1e6;
			r.formed = awaitFormed(cluster);
			r.joinsAtFormation = cluster.heard(EngineEvent.MemberJoined.class);
			r.leavesAtFormation = cluster.heard(EngineEvent.MemberLeft.class);
			if (!r.formed) {
				r.problems.add("membership incomplete after " + Format.duration(this.options.formTimeout) + ": "
						+ formed(cluster).count() + "/" + n + " nodes saw all peers; the worst sees " + minMembers(cluster)
						+ "/" + (n - 1));
				return;
			}
			r.formationMillis = (formed(cluster).max().getAsLong() - t0) / 1e6;
			progress("N=" + n + ": full membership after " + Format.ms(r.formationMillis));

			// 2. heap
			audit.phase("settle", null);
			Thread.sleep(this.options.settle.toMillis());
			r.joinsDuringSettle = cluster.heard(EngineEvent.MemberJoined.class) - r.joinsAtFormation;
			r.threadsPerNode = (threadCount() - baseline.threads()) / (double) n;
			long heapAfter = usedHeapAfterGc();
			r.heapPerNode = (heapAfter - baseline.heap()) / (double) n;
			r.directPerNode = (directMemoryUsed() - baseline.direct()) / (double) n;

			// 3. heartbeat traffic
			audit.phase("traffic", null);
			progress("N=" + n + ": counting heartbeat bytes for " + Format.duration(this.options.window));
			long written0 = traffic(cluster, TrafficCounter::bytesWritten);
			long read0 = traffic(cluster, TrafficCounter::bytesRead);
			long w0 = System.nanoTime();
			Thread.sleep(this.options.window.toMillis());
			long written1 = traffic(cluster, TrafficCounter::bytesWritten);
			long read1 = traffic(cluster, TrafficCounter::bytesRead);
			double windowSeconds = (System.nanoTime() - w0) / 1e9;
			r.writtenPerNodePerSecond = (written1 - written0) / windowSeconds / n;
			r.readPerNodePerSecond = (read1 - read0) / windowSeconds / n;

			// 6. idle false detections (before any fault, so every detector has a clean history)
			if (this.options.idleAt(n)) {
				audit.phase("idle", null);
				progress("N=" + n + ": idle for " + Format.duration(this.options.idle)
						+ ", counting false detections");
				long leaves0 = cluster.heard(EngineEvent.MemberLeft.class);
				long joins0 = cluster.heard(EngineEvent.MemberJoined.class);
				this.hiccups.takeWorstMillis();
				long i0 = System.nanoTime();
				Thread.sleep(this.options.idle.toMillis());
				r.idleSeconds = (System.nanoTime() - i0) / 1e9;
				r.idleWorstHiccup = this.hiccups.takeWorstMillis();
				r.idleLeaves = cluster.heard(EngineEvent.MemberLeft.class) - leaves0;
				r.idleJoins = cluster.heard(EngineEvent.MemberJoined.class) - joins0;
				if (!LoopbackCluster.within(WHOLE_TIMEOUT, cluster::whole)) {
					r.problems.add("cluster not whole after the idle run");
					return;
				}
			}

			// 4. crashes
			if (!runFaults(cluster, audit, r, false, this.options.kills)) {
				return;
			}

			// 5. freezes
			runFaults(cluster, audit, r, true, this.options.freezes);
		}
		finally {
			audit.phase("closing", null);
			progress("N=" + n + ": closing all nodes");
			r.closeMillis = closeAll(cluster);
		}
	}

	/**
	 * Crashes ({@code halt()}, then a restart) or freezes (all links cut, then a thaw) one node after
	 * the other, timing each survivor's leave event for it.
	 * @return whether the cluster was whole again after every one
	 */
	private boolean runFaults(LoopbackCluster cluster, LeaveAudit audit, SizeResult r, boolean freeze,
			int count) throws InterruptedException {
		SizeResult.Faults faults = freeze ? r.freezes : r.kills;
		int n = cluster.names().size();
		String kind = freeze ? "freeze" : "kill";
		List<String> order = new ArrayList<>(cluster.names());
		Collections.shuffle(order, new Random(freeze ? 4242 : 42));
		Set<String> thawed = new HashSet<>();
		if (freeze) {
			this.hiccups.takeWorstMillis();
		}
		boolean ok = true;
		for (int f = 0; f < count; f++) {
			String victim = order.get(f % n);
			String victimName = cluster.node(victim).self().name();
			int mark = audit.phase(kind + " " + (f + 1), victimName);
			Predicate<EngineEvent.MemberLeft> ofVictim = (left) -> left.member().name().equals(victimName);
			long t0 = System.nanoTime();
			if (freeze) {
				cluster.isolate(victim);
			}
			else {
				cluster.kill(victim);
			}
			LoopbackCluster.within(this.options.detectTimeout,
					() -> cluster.firstSince(mark, EngineEvent.MemberLeft.class, ofVictim).size() == n - 1);
			long backAt = System.nanoTime();
			if (freeze) {
				cluster.heal();
			}
			else {
				cluster.restart(victim);
			}
			boolean whole = LoopbackCluster.within(WHOLE_TIMEOUT, cluster::whole);
			double rejoin = (System.nanoTime() - backAt) / 1e6;
			Map<String, RecordedEvent> seen = cluster.firstSince(mark, EngineEvent.MemberLeft.class, ofVictim);
			audit.phase(kind + " " + (f + 1), null);
			// detection delay per observer (full name), in ms; infinite for one that never reported it
			Map<String, Double> delays = new TreeMap<>();
			for (String observer : cluster.names()) {
				RecordedEvent left = seen.get(observer);
				if (!observer.equals(victim)) {
					delays.put(cluster.node(observer).self().name(),
							(left != null) ? (left.nanos() - t0) / 1e6 : Double.POSITIVE_INFINITY);
				}
				if (left != null) {
					faults.reasons.merge(((EngineEvent.MemberLeft) left.event()).reason(), 1, Integer::sum);
				}
			}
			faults.count++;
			faults.pairs.addAll(delays.values());
			faults.maxPerFault.add(Collections.max(delays.values()));
			faults.missing += (n - 1) - seen.size();
			if (whole) {
				faults.rejoin.add(rejoin);
			}
			if (freeze) {
				notePairs(r, f + 1, victimName, delays, thawed);
				thawed.add(victimName);
			}
			else {
				r.restarted.add(victimName);
			}
			progress(String.format(Locale.ROOT, "N=%d: %s %d/%d %s: seen by %d/%d, %sslowest %s; whole again %s after %s",
					n, kind, f + 1, count, victimName, seen.size(), n - 1,
					freeze ? "fastest " + Format.ms(Collections.min(delays.values())) + ", " : "",
					Format.ms(Collections.max(delays.values())), whole ? Format.ms(rejoin) : "NOT",
					freeze ? "thaw" : "restart"));
			if (!whole) {
				r.problems.add("after " + kind + " " + (f + 1) + " the cluster was not whole within "
						+ Format.duration(WHOLE_TIMEOUT) + " (worst node sees " + minMembers(cluster) + "/" + (n - 1)
						+ "); stopped the " + kind + "s");
				ok = false;
				break;
			}
			if (freeze) {
				ClusterBenchmark.pause(this.options, this.jitter);
			}
			else {
				Thread.sleep(this.options.gap.toMillis());
			}
		}
		if (freeze) {
			r.freezeWorstHiccup = this.hiccups.takeWorstMillis();
		}
		return ok;
	}

	/** Splits one freeze's pairs by whether the observer had been frozen before, with what each node went through. */
	private static void notePairs(SizeResult r, int freezeNo, String victimName, Map<String, Double> delays,
			Set<String> thawed) {
		delays.forEach((observer, ms) -> {
			(thawed.contains(observer) ? r.freezeThawedObservers : r.freezeFreshObservers).add(ms);
			List<String> notes = new ArrayList<>();
			if (thawed.contains(observer)) {
				notes.add("observer was frozen+thawed before");
			}
			if (r.restarted.contains(observer)) {
				notes.add("observer restarted in kill phase");
			}
			if (r.restarted.contains(victimName)) {
				notes.add("victim restarted in kill phase");
			}
			r.freezeDetections.add(new SizeResult.Pair(freezeNo, victimName, observer, ms, String.join(", ", notes)));
		});
	}


	private static Set<Long> threadIds() {
		Set<Long> ids = new HashSet<>();
		for (long id : ManagementFactory.getThreadMXBean().getAllThreadIds()) {
			ids.add(id);
		}
		return ids;
	}

	private static String newThreads(Set<Long> before) {
		return Arrays.stream(ManagementFactory.getThreadMXBean().getThreadInfo(
				ManagementFactory.getThreadMXBean().getAllThreadIds()))
			.filter((info) -> info != null && !before.contains(info.getThreadId()))
			.map((info) -> info.getThreadName())
			.collect(Collectors.joining(", "));
	}

	private static long usedHeapAfterGc() throws InterruptedException {
		for (int i = 0; i < 3; i++) {
			System.gc();
			Thread.sleep(150);
		}
		return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
	}

	private static long directMemoryUsed() {
		return ManagementFactory.getPlatformMXBeans(BufferPoolMXBean.class)
			.stream()
			.filter((pool) -> pool.getName().equals("direct"))
			.mapToLong(BufferPoolMXBean::getMemoryUsed)
			.sum();
	}

	private static int threadCount() {
		return ManagementFactory.getThreadMXBean().getThreadCount();
	}

}
