package dev.clustering.benchmark;

import java.io.IOException;
import java.lang.management.BufferPoolMXBean;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.RuntimeMXBean;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.stream.Collectors;

import dev.clustering.detection.FailureDetectorSettings;
import dev.clustering.membership.LeaveReason;
import dev.clustering.transport.TransportSettings;

/**
 * Starts N cluster nodes in this JVM (no Spring context) for each requested N and measures:
 * time to full membership, idle heap per node, heartbeat traffic, crash-detection and
 * freeze-detection latency, and false detections while idle. Run it with {@code bin/benchmark}.
 */
public final class ClusterBenchmark {

	private static final double GOAL_FORMATION_MS = 3000;

	private static final double GOAL_HEAP_PER_NODE = 8 * 1024 * 1024;

	private static final double GOAL_CRASH_P99_MS = 50;

	private static final double GOAL_FREEZE_P99_MS = 3000;

	private static final Duration WHOLE_TIMEOUT = Duration.ofSeconds(30);

	private final BenchmarkOptions options;

	private final FailureDetectorSettings detector;

	private final HiccupMonitor hiccups = new HiccupMonitor();

	/** Random extra wait before each kill or freeze, so its moment is not in step with the heartbeats. */
	private final Random jitter = new Random(7);

	private ClusterBenchmark(BenchmarkOptions options) {
		this.options = options;
		this.detector = options.detector();
	}

	public static void main(String[] args) throws Exception {
		BenchmarkOptions options;
		try {
			options = BenchmarkOptions.parse(args);
		}
		catch (IllegalArgumentException ex) {
			System.err.println("benchmark: " + ex.getMessage());
			System.err.println();
			System.err.print(BenchmarkOptions.USAGE);
			System.exit(2);
			return;
		}
		if (options.help) {
			System.out.print(BenchmarkOptions.USAGE);
			return;
		}
		Format.timeout = options.detectTimeout;
		int status = new ClusterBenchmark(options).run();
		System.exit(status);
	}

	private int run() throws InterruptedException {
		long start = System.nanoTime();
		printHeader();
		this.hiccups.start();
		warmUp();
		if (this.options.runsDefault()) {
			List<SizeResult> results = new ArrayList<>();
			for (int size : this.options.sizes) {
				SizeResult result = runSize(size);
				results.add(result);
				printSize(result);
			}
			printSummary(results);
		}
		if (this.options.runsLeadership()) {
			LeadershipScenario.Result result = new LeadershipScenario(this.options, this.detector, this.hiccups).run();
			LeadershipScenario.print(result, this.options);
		}
		int status = 0;
		if (this.options.runsEtcd()) {
			try {
				EtcdScenario.Result result = new EtcdScenario(this.options, this.detector, this.hiccups).run();
				EtcdScenario.print(result, this.options);
				if (!result.problems.isEmpty()) {
					status = 1;
				}
			}
			catch (IOException ex) {
				System.out.println();
				System.out.println("=== etcd: FAILED, nothing measured: " + ex.getMessage());
				progress("etcd scenario failed: " + ex.getMessage());
				status = 1;
			}
		}
		System.out.printf(Locale.ROOT, "%nTotal run time: %.0f s%n", (System.nanoTime() - start) / 1e9);
		return status;
	}

	// ---------------------------------------------------------------------------------------------
	// measuring

	/**
	 * Loads the classes and runs the code paths once (forming, a crash and a restart, a graceful
	 * close), so class loading lands neither in the first size's heap figure nor in its first kill.
	 */
	private void warmUp() throws InterruptedException {
		progress("warm-up: 3 nodes, one crash and restart");
		try (BenchCluster cluster = new BenchCluster(3, this.detector, this.options.pollInterval)) {
			cluster.startAll();
			if (!cluster.awaitFormed(this.options.formTimeout)) {
				progress("warm-up cluster did not form; continuing");
			}
			Thread.sleep(500);
			for (int round = 0; round < 2; round++) {
				BenchCluster.Probe probe = cluster.arm(2);
				cluster.halt(2, probe);
				probe.await(this.options.detectTimeout);
				cluster.restart(2);
				cluster.awaitWhole(WHOLE_TIMEOUT);
				cluster.disarm();
			}
			cluster.closeAll();
		}
	}

	/** Runs one size, then checks what the closed cluster left behind (once nothing refers to it). */
	private SizeResult runSize(int n) throws InterruptedException {
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
		long heapBefore = baseline.heap();
		long directBefore = baseline.direct();
		int threadsBefore = baseline.threads();
		BenchCluster cluster = new BenchCluster(n, this.detector, this.options.pollInterval);
		try {
			// 1. membership
			progress("N=" + n + ": starting nodes");
			long t0 = System.nanoTime();
			cluster.startAll();
			r.startedMillis = (System.nanoTime() - t0) / 1e6;
			r.formed = cluster.awaitFormed(this.options.formTimeout);
			r.nodesFull = cluster.nodesFull();
			r.minMembers = cluster.minMembers();
			r.joinsAtFormation = cluster.joins.sum();
			r.leavesAtFormation = cluster.leaves.sum();
			if (!r.formed) {
				r.problems.add("membership incomplete after " + Format.duration(this.options.formTimeout) + ": "
						+ r.nodesFull + "/" + n + " nodes saw all peers; the worst sees " + r.minMembers + "/" + (n - 1));
				return;
			}
			r.formationMillis = (cluster.lastFullAt() - t0) / 1e6;
			progress("N=" + n + ": full membership after " + Format.ms(r.formationMillis));

			// 2. heap
			cluster.phase("settle");
			Thread.sleep(this.options.settle.toMillis());
			r.joinsDuringSettle = cluster.joins.sum() - r.joinsAtFormation;
			r.threadsPerNode = (threadCount() - threadsBefore) / (double) n;
			long heapAfter = usedHeapAfterGc();
			r.heapPerNode = (heapAfter - heapBefore) / (double) n;
			r.directPerNode = (directMemoryUsed() - directBefore) / (double) n;

			// 3. heartbeat traffic
			cluster.phase("traffic");
			progress("N=" + n + ": counting heartbeat bytes for " + Format.duration(this.options.window));
			long written0 = cluster.bytesWritten();
			long read0 = cluster.bytesRead();
			long w0 = System.nanoTime();
			Thread.sleep(this.options.window.toMillis());
			long written1 = cluster.bytesWritten();
			long read1 = cluster.bytesRead();
			r.windowSeconds = (System.nanoTime() - w0) / 1e9;
			r.writtenPerNodePerSecond = (written1 - written0) / r.windowSeconds / n;
			r.readPerNodePerSecond = (read1 - read0) / r.windowSeconds / n;

			// 6. idle false detections (before any fault, so every detector has a clean history)
			if (this.options.idleAt(n)) {
				cluster.phase("idle");
				progress("N=" + n + ": idle for " + Format.duration(this.options.idle)
						+ ", counting false detections");
				long leaves0 = cluster.leaves.sum();
				long joins0 = cluster.joins.sum();
				this.hiccups.takeWorstMillis();
				long i0 = System.nanoTime();
				Thread.sleep(this.options.idle.toMillis());
				r.idleSeconds = (System.nanoTime() - i0) / 1e9;
				r.idleWorstHiccup = this.hiccups.takeWorstMillis();
				r.idleLeaves = cluster.leaves.sum() - leaves0;
				r.idleJoins = cluster.joins.sum() - joins0;
				if (!cluster.awaitWhole(WHOLE_TIMEOUT)) {
					r.problems.add("cluster not whole after the idle run");
					return;
				}
			}

			// 4. crashes
			if (!runKills(cluster, r)) {
				return;
			}

			// 5. freezes
			runFreezes(cluster, r);
		}
		finally {
			r.unexpected.addAll(cluster.unexpected);
			progress("N=" + n + ": closing all nodes");
			r.closeMillis = cluster.closeAll();
		}
	}

	private boolean runKills(BenchCluster cluster, SizeResult r) throws InterruptedException {
		int n = cluster.size;
		List<Integer> order = shuffled(n, 42);
		for (int k = 0; k < this.options.kills; k++) {
			int victim = order.get(k % n);
			cluster.phase("kill " + (k + 1));
			BenchCluster.Probe probe = cluster.arm(victim);
			cluster.halt(victim, probe);
			probe.await(this.options.detectTimeout);
			long restartAt = System.nanoTime();
			cluster.restart(victim);
			boolean whole = cluster.awaitWhole(WHOLE_TIMEOUT);
			double rejoin = (System.nanoTime() - restartAt) / 1e6;
			cluster.disarm();
			Map<String, Double> delays = probe.delaysMillis();
			r.kills++;
			r.killPairs.addAll(delays.values());
			r.killMissing += (n - 1) - probe.seenBy();
			r.killMaxPerKill.add(Collections.max(delays.values()));
			probe.reasons.values().forEach((reason) -> r.killReasons.merge(reason, 1, Integer::sum));
			if (whole) {
				r.killRejoin.add(rejoin);
			}
			r.restarted.add(cluster.fullName(victim));
			progress(String.format(Locale.ROOT, "N=%d: kill %d/%d %s: seen by %d/%d, slowest %s; whole again %s after restart",
					n, k + 1, this.options.kills, cluster.fullName(victim), probe.seenBy(), n - 1,
					Format.ms(Collections.max(delays.values())),
					whole ? Format.ms(rejoin) : "NOT"));
			if (!whole) {
				r.problems.add("after kill " + (k + 1) + " the cluster was not whole within "
						+ Format.duration(WHOLE_TIMEOUT) + " (worst node sees " + cluster.minMembers() + "/" + (n - 1)
						+ "); stopped the kills");
				return false;
			}
			Thread.sleep(this.options.gap.toMillis());
		}
		return true;
	}

	private void runFreezes(BenchCluster cluster, SizeResult r) throws InterruptedException {
		int n = cluster.size;
		List<Integer> order = shuffled(n, 4242);
		Set<String> thawed = new HashSet<>();
		this.hiccups.takeWorstMillis();
		for (int f = 0; f < this.options.freezes; f++) {
			int victim = order.get(f % n);
			String victimName = cluster.fullName(victim);
			cluster.phase("freeze " + (f + 1));
			BenchCluster.Probe probe = cluster.arm(victim);
			cluster.freeze(victim, probe);
			probe.await(this.options.detectTimeout);
			long thawAt = System.nanoTime();
			cluster.thaw(victim);
			boolean whole = cluster.awaitWhole(WHOLE_TIMEOUT);
			double rejoin = (System.nanoTime() - thawAt) / 1e6;
			cluster.disarm();
			Map<String, Double> delays = probe.delaysMillis();
			r.freezes++;
			r.freezePairs.addAll(delays.values());
			r.freezeMissing += (n - 1) - probe.seenBy();
			int freezeNo = f + 1;
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
			r.freezeMaxPerFreeze.add(Collections.max(delays.values()));
			probe.reasons.values().forEach((reason) -> r.freezeReasons.merge(reason, 1, Integer::sum));
			if (whole) {
				r.freezeRejoin.add(rejoin);
			}
			thawed.add(victimName);
			progress(String.format(Locale.ROOT,
					"N=%d: freeze %d/%d %s: seen by %d/%d, fastest %s, slowest %s; whole again %s after thaw", n,
					f + 1, this.options.freezes, victimName, probe.seenBy(), n - 1,
					Format.ms(Collections.min(delays.values())), Format.ms(Collections.max(delays.values())),
					whole ? Format.ms(rejoin) : "NOT"));
			if (!whole) {
				r.problems.add("after freeze " + (f + 1) + " the cluster was not whole within "
						+ Format.duration(WHOLE_TIMEOUT) + " (worst node sees " + cluster.minMembers() + "/" + (n - 1)
						+ "); stopped the freezes");
				break;
			}
			pause();
		}
		r.freezeWorstHiccup = this.hiccups.takeWorstMillis();
	}

	/** The gap between freezes plus a random part of one heartbeat interval. */
	private void pause() throws InterruptedException {
		long jitterNanos = (long) (this.jitter.nextDouble() * this.detector.heartbeatInterval().toNanos());
		Thread.sleep(this.options.gap.toMillis() + jitterNanos / 1_000_000);
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

	private static List<Integer> shuffled(int n, long seed) {
		List<Integer> order = new ArrayList<>();
		for (int i = 0; i < n; i++) {
			order.add(i);
		}
		Collections.shuffle(order, new Random(seed));
		return order;
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

	static void progress(String message) {
		System.err.printf(Locale.ROOT, "[%tT] %s%n", System.currentTimeMillis(), message);
	}

	// ---------------------------------------------------------------------------------------------
	// printing

	private void printHeader() {
		RuntimeMXBean runtime = ManagementFactory.getRuntimeMXBean();
		Runtime rt = Runtime.getRuntime();
		String gcs = ManagementFactory.getGarbageCollectorMXBeans()
			.stream()
			.map(GarbageCollectorMXBean::getName)
			.collect(Collectors.joining(", "));
		TransportSettings transport = TransportSettings.DEFAULTS;
		System.out.println("clustering benchmark: N nodes in one JVM on 127.0.0.1, static topology, no Spring context");
		System.out.println();
		System.out.printf("JVM        %s %s (%s), Java %s%n", runtime.getVmName(), runtime.getVmVersion(),
				runtime.getVmVendor(), System.getProperty("java.version"));
		System.out.printf("JVM args   %s%n", runtime.getInputArguments().isEmpty() ? "(none)"
				: String.join(" ", runtime.getInputArguments()));
		System.out.printf("Heap/GC    max heap %s; %s%n", Format.bytes(rt.maxMemory()), gcs);
		System.out.printf("Machine    %d cores (availableProcessors), %s %s %s%n", rt.availableProcessors(),
				System.getProperty("os.name"), System.getProperty("os.version"), System.getProperty("os.arch"));
		System.out.printf("Engine log %s%n", System.getProperty("benchmark.log",
				System.getProperty("java.io.tmpdir") + "/clustering-benchmark.log"));
		System.out.printf(Locale.ROOT, "Detector   heartbeat %s, acceptable pause %s, threshold %s, min std dev %s, max samples %d%n",
				Format.duration(this.detector.heartbeatInterval()),
				Format.duration(this.detector.acceptableHeartbeatPause()), Format.num(this.detector.threshold(), 1),
				Format.duration(this.detector.minStdDeviation()), this.detector.maxSampleSize());
		System.out.printf("Transport  cookie set, no TLS, connect timeout %s, redial %s..%s (engine defaults)%n",
				Format.duration(transport.connectTimeout()), Format.duration(transport.reconnectInitialBackoff()),
				Format.duration(transport.reconnectMaxBackoff()));
		System.out.printf("Discovery  static list of all N addresses, poll interval %s%n",
				Format.duration(this.options.pollInterval));
		if (this.options.runsDefault()) {
			System.out.printf("Run        %s%n", this.options);
		}
		if (this.options.runsLeadership()) {
			System.out.printf("Leadership 3 nodes, keep-majority; %s%n", this.options.leadershipSettings());
		}
		if (this.options.runsEtcd()) {
			System.out.printf("etcd       3 nodes, etcd topology (own etcd process); %s%n", this.options.etcdSettings());
		}
		System.out.println();
	}

	private void printSize(SizeResult r) {
		int n = r.size;
		System.out.println();
		System.out.printf("=== N = %d nodes (%d peers each, %d links) %s%n", n, n - 1, n * (n - 1) / 2,
				"=".repeat(Math.max(3, 60 - String.valueOf(n).length() * 3)));
		header();
		row("1 time to full membership", Format.ms(r.formationMillis), "< 3 s (at 50)",
				verdict(r.formationMillis, GOAL_FORMATION_MS));
		row("    all N start() calls returned after", Format.ms(r.startedMillis), "", null);
		row("    joined / left events while forming", r.joinsAtFormation + " / " + r.leavesAtFormation,
				"exactly " + ((long) n * (n - 1)) + " / 0",
				r.formed ? r.joinsAtFormation == (long) n * (n - 1) && r.leavesAtFormation == 0 : null);
		if (!Double.isNaN(r.heapPerNode)) {
			row("    extra joins during settle", String.valueOf(r.joinsDuringSettle), "0", r.joinsDuringSettle == 0);
		}
		row("2 idle heap per node", Format.bytes(r.heapPerNode), "< 8 MB (at 50)",
				verdict(r.heapPerNode, GOAL_HEAP_PER_NODE));
		row("    heap per peer (per node / (N-1))", Format.bytes(r.heapPerPeer()), "flat across N", null);
		row("    direct buffers per node", Format.bytes(r.directPerNode), "", null);
		row("    threads per node", Format.num(r.threadsPerNode, 1), "", null);
		row("3 heartbeat bytes written per node", Format.rate(r.writtenPerNodePerSecond), "", null);
		row("    per peer", Format.rate(r.writtenPerNodePerSecond / (n - 1)), "", null);
		row("    bytes read per node (check)", Format.rate(r.readPerNodePerSecond), "= written", null);
		double[] killPairs = Format.sorted(r.killPairs);
		double[] killMax = Format.sorted(r.killMaxPerKill);
		double[] killRejoin = Format.sorted(r.killRejoin);
		row("4 crash detection p50 (" + r.kills + " kills, " + killPairs.length + " pairs)",
				Format.ms(Format.percentile(killPairs, 50)), "", null);
		row("    p99 over (kill, observer) pairs", Format.ms(Format.percentile(killPairs, 99)), "< 50 ms",
				verdict(Format.percentile(killPairs, 99), GOAL_CRASH_P99_MS));
		row("    max over pairs", Format.ms(Format.max(killPairs)), "", null);
		row("    slowest observer per kill p50 / p99", pair(killMax), "", null);
		row("    observers that never saw it leave (" + Format.duration(this.options.detectTimeout) + ")",
				String.valueOf(r.killMissing), "0",
				(r.kills > 0) ? r.killMissing == 0 : null);
		row("    reasons", reasons(r.killReasons), "CONNECTION_LOST", null);
		row("    restart -> whole again p50 / max", pairMax(killRejoin), "", null);
		double[] freezePairs = Format.sorted(r.freezePairs);
		double[] freezeMax = Format.sorted(r.freezeMaxPerFreeze);
		double[] fresh = Format.sorted(r.freezeFreshObservers);
		double[] thawedObs = Format.sorted(r.freezeThawedObservers);
		double[] freezeRejoin = Format.sorted(r.freezeRejoin);
		row("5 freeze detection p50 (" + r.freezes + " freezes, " + freezePairs.length + " pairs)",
				Format.ms(Format.percentile(freezePairs, 50)), "", null);
		row("    p99 over (freeze, observer) pairs", Format.ms(Format.percentile(freezePairs, 99)), "< 3 s",
				verdict(Format.percentile(freezePairs, 99), GOAL_FREEZE_P99_MS));
		row("    max over pairs", Format.ms(Format.max(freezePairs)), "", null);
		row("    slowest observer per freeze p50 / p99", pair(freezeMax), "", null);
		row("    observers never frozen: n, p50 / p99", fresh.length + ", " + pair(fresh), "", null);
		row("    observers frozen+thawed before: n, p50 / p99", thawedObs.length + ", " + pair(thawedObs), "", null);
		row("    observers that never saw it leave (" + Format.duration(this.options.detectTimeout) + ")",
				String.valueOf(r.freezeMissing), "0",
				(r.freezes > 0) ? r.freezeMissing == 0 : null);
		row("    reasons", reasons(r.freezeReasons), "UNREACHABLE", null);
		row("    thaw -> whole again p50 / max", pairMax(freezeRejoin), "", null);
		printSlowest("slowest pairs:", r.freezeDetections, (p) -> true);
		printSlowest("slowest pairs whose observer was never frozen:", r.freezeDetections,
				(p) -> !p.notes().contains("observer was frozen"));
		row("    worst JVM scheduling hiccup (freezes)", Format.ms(r.freezeWorstHiccup), "", null);
		if (r.idleLeaves >= 0) {
			row("6 false detections while idle " + Format.num(r.idleSeconds, 0) + " s", String.valueOf(r.idleLeaves),
					"0", r.idleLeaves == 0);
			row("    joined events while idle", String.valueOf(r.idleJoins), "0", r.idleJoins == 0);
			row("    worst JVM scheduling hiccup (idle)", Format.ms(r.idleWorstHiccup), "", null);
		}
		else {
			row("6 false detections while idle", "not run at this size", "", null);
		}
		row("  unexpected leave events (all phases)", String.valueOf(r.unexpected.size()), "0", r.unexpected.isEmpty());
		row("  graceful close of all nodes", Format.ms(r.closeMillis), "", null);
		row("  threads left after close", String.valueOf(r.threadsLeft), "0", r.threadsLeft <= 0);
		row("  heap retained after close", Format.bytes(r.heapRetained), "~0", null);
		int shown = 0;
		for (String line : r.unexpected) {
			if (shown++ == 10) {
				System.out.printf("    ... and %d more%n", r.unexpected.size() - 10);
				break;
			}
			System.out.println("    unexpected: " + line);
		}
		for (String problem : r.problems) {
			System.out.println("  PROBLEM: " + problem);
		}
		System.out.flush();
	}

	private void printSummary(List<SizeResult> results) {
		System.out.println();
		System.out.println("=== Summary " + "=".repeat(70));
		StringBuilder head = new StringBuilder(String.format("%-36s", ""));
		for (SizeResult r : results) {
			head.append(String.format("%16s", "N=" + r.size));
		}
		head.append("   goal");
		System.out.println(head);
		summaryRow(results, "1 full membership", (r) -> Format.ms(r.formationMillis), "< 3 s at 50");
		summaryRow(results, "2 heap per node", (r) -> Format.bytes(r.heapPerNode), "< 8 MB at 50");
		summaryRow(results, "  heap per peer", (r) -> Format.bytes(r.heapPerPeer()), "flat");
		summaryRow(results, "3 heartbeat bytes/s per node", (r) -> Format.rate(r.writtenPerNodePerSecond), "");
		summaryRow(results, "  bytes/s per peer", (r) -> Format.rate(r.writtenPerNodePerSecond / (r.size - 1)), "");
		summaryRow(results, "4 crash p50 (pairs)", (r) -> Format.ms(Format.percentile(Format.sorted(r.killPairs), 50)),
				"");
		summaryRow(results, "  crash p99 (pairs)", (r) -> Format.ms(Format.percentile(Format.sorted(r.killPairs), 99)),
				"< 50 ms");
		summaryRow(results, "  crash p99 (slowest per kill)",
				(r) -> Format.ms(Format.percentile(Format.sorted(r.killMaxPerKill), 99)), "");
		summaryRow(results, "5 freeze p50 (pairs)",
				(r) -> Format.ms(Format.percentile(Format.sorted(r.freezePairs), 50)), "");
		summaryRow(results, "  freeze p99 (pairs)",
				(r) -> Format.ms(Format.percentile(Format.sorted(r.freezePairs), 99)), "< 3 s");
		summaryRow(results, "  freeze p99 (slowest per freeze)",
				(r) -> Format.ms(Format.percentile(Format.sorted(r.freezeMaxPerFreeze), 99)), "");
		summaryRow(results, "  freeze p99 (never-frozen observers)",
				(r) -> Format.ms(Format.percentile(Format.sorted(r.freezeFreshObservers), 99)), "");
		summaryRow(results, "6 idle false detections",
				(r) -> (r.idleLeaves >= 0) ? r.idleLeaves + " in " + Format.num(r.idleSeconds, 0) + "s" : "-", "0");
		summaryRow(results, "  unexpected leaves (all phases)", (r) -> String.valueOf(r.unexpected.size()), "0");
		// heap per node = fixed + perPeer * (N - 1), least squares over the sizes measured
		List<SizeResult> measured = results.stream().filter((r) -> !Double.isNaN(r.heapPerNode)).toList();
		if (measured.size() >= 2) {
			double mx = measured.stream().mapToDouble((r) -> r.size - 1).average().orElse(0);
			double my = measured.stream().mapToDouble((r) -> r.heapPerNode).average().orElse(0);
			double sxy = measured.stream().mapToDouble((r) -> (r.size - 1 - mx) * (r.heapPerNode - my)).sum();
			double sxx = measured.stream().mapToDouble((r) -> (r.size - 1 - mx) * (r.size - 1 - mx)).sum();
			double slope = sxy / sxx;
			double intercept = my - slope * mx;
			System.out.printf("%nHeap model (least squares over the sizes): heap per node ~ %s + %s x (N-1)%n",
					Format.bytes(intercept), Format.bytes(slope));
		}
		boolean anyProblem = results.stream().anyMatch((r) -> !r.problems.isEmpty());
		if (anyProblem) {
			System.out.println("Some sizes reported PROBLEMs; see their tables above.");
		}
	}

	private static void printSlowest(String title, List<SizeResult.Pair> pairs,
			Predicate<SizeResult.Pair> filter) {
		List<SizeResult.Pair> slowest = pairs.stream()
			.filter(filter)
			.sorted(Comparator.comparingDouble(SizeResult.Pair::millis).reversed())
			.limit(4)
			.toList();
		if (slowest.isEmpty()) {
			return;
		}
		System.out.println("      " + title);
		slowest.forEach((p) -> System.out.printf("        freeze %d: %s seen by %s %s%s%n", p.fault(), p.victim(),
				p.observer(), Double.isInfinite(p.millis()) ? "NOT within " + Format.duration(Format.timeout)
						: "after " + Format.ms(p.millis()),
				p.notes().isEmpty() ? "" : " (" + p.notes() + ")"));
	}

	private static void summaryRow(List<SizeResult> results, String label, Function<SizeResult, String> value,
			String goal) {
		StringBuilder line = new StringBuilder(String.format("%-36s", label));
		for (SizeResult r : results) {
			line.append(String.format("%16s", value.apply(r)));
		}
		line.append("   ").append(goal);
		System.out.println(line);
	}

	static void header() {
		System.out.printf("%-50s %-22s %-16s %s%n", "measure", "value", "goal", "");
		System.out.println("-".repeat(96));
	}

	static void row(String label, String value, String goal, Boolean ok) {
		String verdict = (ok == null) ? "" : (ok ? "ok" : "MISSED");
		System.out.printf("%-50s %-22s %-16s %s%n", label, value, goal, verdict);
	}

	private static Boolean verdict(double value, double goal) {
		return Double.isNaN(value) ? null : value < goal;
	}

	private static String pair(double[] sorted) {
		return Format.ms(Format.percentile(sorted, 50)) + " / " + Format.ms(Format.percentile(sorted, 99));
	}

	private static String pairMax(double[] sorted) {
		return Format.ms(Format.percentile(sorted, 50)) + " / " + Format.ms(Format.max(sorted));
	}

	private static String reasons(Map<LeaveReason, Integer> reasons) {
		if (reasons.isEmpty()) {
			return "-";
		}
		return reasons.entrySet().stream().map((e) -> e.getKey() + " " + e.getValue()).collect(Collectors.joining(", "));
	}

}
