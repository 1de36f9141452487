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
import java.util.OptionalLong;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.function.ToLongFunction;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import java.util.stream.LongStream;

import dev.clustering.detection.FailureDetectorSettings;
import dev.clustering.discovery.staticlist.StaticStrategy;
import dev.clustering.membership.LeaveReason;
import dev.clustering.node.EngineEvent;
import dev.clustering.test.LoopbackCluster;
import dev.clustering.test.LoopbackClusterBuilder;
import dev.clustering.test.RecordedEvent;
import dev.clustering.transport.TrafficCounter;
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

	/** How long a cluster gets to be whole again: every node sees the others up and has heard them join. */
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
				EtcdScenario.Result result = new EtcdScenario(this.options, this.hiccups).run();
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
		return nodes(this.options, IntStream.rangeClosed(1, n).mapToObj((i) -> String.format(format, i)).toList())
			.recordEvents(EngineEvent.MemberLeft.class::isInstance)
			.build();
	}

	/**
	 * Nodes with the run's failure detector and one cookie for the whole run (the engine derives its
	 * key once per process, slowly), on a static topology polled at {@code --poll-interval}.
	 */
	static LoopbackClusterBuilder nodes(BenchmarkOptions options, List<String> names) {
		return LoopbackCluster.nodes(names.toArray(String[]::new))
			.cookie("clustering-benchmark-cookie")
			.failureDetector(options.detector())
			.topology(StaticStrategy.NAME, (name, all) -> new StaticStrategy(all), options.pollInterval);
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
				pause(this.options, this.jitter);
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

	/** The gap before a freeze plus a random part of one heartbeat interval, so it is not in step with them. */
	static void pause(BenchmarkOptions options, Random jitter) throws InterruptedException {
		long jitterNanos = (long) (jitter.nextDouble() * options.heartbeat.toNanos());
		Thread.sleep(options.gap.toMillis() + jitterNanos / 1_000_000);
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
				Format.verdict(r.formationMillis, GOAL_FORMATION_MS));
		row("    all N start() calls returned after", Format.ms(r.startedMillis), "", null);
		row("    joined / left events while forming", r.joinsAtFormation + " / " + r.leavesAtFormation,
				"exactly " + ((long) n * (n - 1)) + " / 0",
				r.formed ? r.joinsAtFormation == (long) n * (n - 1) && r.leavesAtFormation == 0 : null);
		if (!Double.isNaN(r.heapPerNode)) {
			row("    extra joins during settle", String.valueOf(r.joinsDuringSettle), "0", r.joinsDuringSettle == 0);
		}
		row("2 idle heap per node", Format.bytes(r.heapPerNode), "< 8 MB (at 50)",
				Format.verdict(r.heapPerNode, GOAL_HEAP_PER_NODE));
		row("    heap per peer (per node / (N-1))", Format.bytes(r.heapPerPeer()), "flat across N", null);
		row("    direct buffers per node", Format.bytes(r.directPerNode), "", null);
		row("    threads per node", Format.num(r.threadsPerNode, 1), "", null);
		row("3 heartbeat bytes written per node", Format.rate(r.writtenPerNodePerSecond), "", null);
		row("    per peer", Format.rate(r.writtenPerNodePerSecond / (n - 1)), "", null);
		row("    bytes read per node (check)", Format.rate(r.readPerNodePerSecond), "= written", null);
		printFaults(r, r.kills, "4 crash detection", "kill", "< 50 ms", GOAL_CRASH_P99_MS, "CONNECTION_LOST", "restart");
		printFaults(r, r.freezes, "5 freeze detection", "freeze", "< 3 s", GOAL_FREEZE_P99_MS, "UNREACHABLE", "thaw");
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

	private void printFaults(SizeResult r, SizeResult.Faults f, String title, String kind, String goal, double goalMillis,
			String reason, String back) {
		double[] pairs = Format.sorted(f.pairs);
		row(title + " p50 (" + f.count + " " + kind + "s, " + pairs.length + " pairs)",
				Format.ms(Format.percentile(pairs, 50)), "", null);
		row("    p99 over (" + kind + ", observer) pairs", Format.ms(Format.percentile(pairs, 99)), goal,
				Format.verdict(Format.percentile(pairs, 99), goalMillis));
		row("    max over pairs", Format.ms(Format.max(pairs)), "", null);
		row("    slowest observer per " + kind + " p50 / p99", Format.pair(Format.sorted(f.maxPerFault)), "", null);
		if (kind.equals("freeze")) {
			double[] fresh = Format.sorted(r.freezeFreshObservers);
			double[] thawed = Format.sorted(r.freezeThawedObservers);
			row("    observers never frozen: n, p50 / p99", fresh.length + ", " + Format.pair(fresh), "", null);
			row("    observers frozen+thawed before: n, p50 / p99", thawed.length + ", " + Format.pair(thawed), "", null);
		}
		row("    observers that never saw it leave (" + Format.duration(this.options.detectTimeout) + ")",
				String.valueOf(f.missing), "0", (f.count > 0) ? f.missing == 0 : null);
		row("    reasons", reasons(f.reasons), reason, null);
		row("    " + back + " -> whole again p50 / max", Format.pairMax(Format.sorted(f.rejoin)), "", null);
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
		summaryRow(results, "4 crash p50 (pairs)", (r) -> Format.ms(r.kills.pairs, 50), "");
		summaryRow(results, "  crash p99 (pairs)", (r) -> Format.ms(r.kills.pairs, 99), "< 50 ms");
		summaryRow(results, "  crash p99 (slowest per kill)", (r) -> Format.ms(r.kills.maxPerFault, 99), "");
		summaryRow(results, "5 freeze p50 (pairs)", (r) -> Format.ms(r.freezes.pairs, 50), "");
		summaryRow(results, "  freeze p99 (pairs)", (r) -> Format.ms(r.freezes.pairs, 99), "< 3 s");
		summaryRow(results, "  freeze p99 (slowest per freeze)", (r) -> Format.ms(r.freezes.maxPerFault, 99), "");
		summaryRow(results, "  freeze p99 (never-frozen observers)", (r) -> Format.ms(r.freezeFreshObservers, 99), "");
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

	private static String reasons(Map<LeaveReason, Integer> reasons) {
		if (reasons.isEmpty()) {
			return "-";
		}
		return reasons.entrySet().stream().map((e) -> e.getKey() + " " + e.getValue()).collect(Collectors.joining(", "));
	}

}
