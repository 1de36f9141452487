package dev.clustering.benchmark;

import java.io.IOException;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.RuntimeMXBean;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.stream.Collectors;

import dev.clustering.detection.FailureDetectorSettings;
import dev.clustering.discovery.staticlist.StaticStrategy;
import dev.clustering.test.LoopbackCluster;
import dev.clustering.test.LoopbackClusterBuilder;
import dev.clustering.transport.TransportSettings;

/**
 * Starts N cluster nodes in this JVM (no Spring context) for each requested N and measures:
 * time to full membership, idle heap per node, heartbeat traffic, crash-detection and
 * freeze-detection latency, and false detections while idle. Run it with {@code bin/benchmark}.
 */
public final class ClusterBenchmark {

	private final BenchmarkOptions options;

	private final FailureDetectorSettings detector;

	private final HiccupMonitor hiccups = new HiccupMonitor();

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
		SizeScenario sizes = new SizeScenario(this.options, this.hiccups);
		sizes.warmUp();
		if (this.options.runsDefault()) {
			List<SizeResult> results = new ArrayList<>();
			for (int size : this.options.sizes) {
				SizeResult result = sizes.run(size);
				results.add(result);
				SizeReport.print(result, this.options);
			}
			SizeReport.printSummary(results);
		}
		if (this.options.runsLeadership()) {
			LeadershipResult result = new LeadershipScenario(this.options, this.detector, this.hiccups).run();
			LeadershipReport.print(result, this.options);
		}
		int status = 0;
		if (this.options.runsEtcd()) {
			status |= withServer("etcd", () -> {
				EtcdReport result = new EtcdScenario(this.options, this.hiccups).run();
				result.print();
				return result.problems;
			});
		}
		if (this.options.runsZooKeeper()) {
			status |= withServer("zookeeper", () -> {
				ZooKeeperReport result = new ZooKeeperScenario(this.options, this.hiccups).run();
				result.print();
				return result.problems;
			});
		}
		if (this.options.runsConsul()) {
			status |= withServer("consul", () -> {
				ConsulReport result = new ConsulScenario(this.options, this.hiccups).run();
				result.print();
				return result.problems;
			});
		}
		System.out.printf(Locale.ROOT, "%nTotal run time: %.0f s%n", (System.nanoTime() - start) / 1e9);
		return status;
	}

	/** A scenario that starts its own server, prints its table and returns its problems. */
	@FunctionalInterface
	private interface ServerScenario {

		List<String> run() throws IOException, InterruptedException;

	}

	/**
	 * Runs a scenario that starts its own server.
	 * @return the exit status: 1 if the server did not start or the scenario had problems
	 */
	private static int withServer(String name, ServerScenario scenario) throws InterruptedException {
		try {
			return scenario.run().isEmpty() ? 0 : 1;
		}
		catch (IOException ex) {
			System.out.println();
			System.out.println("=== " + name + ": FAILED, nothing measured: " + ex.getMessage());
			progress(name + " scenario failed: " + ex.getMessage());
			return 1;
		}
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

	/** The gap before a freeze plus a random part of one heartbeat interval, so it is not in step with them. */
	static void pause(BenchmarkOptions options, Random jitter) throws InterruptedException {
		long jitterNanos = (long) (jitter.nextDouble() * options.heartbeat.toNanos());
		Thread.sleep(options.gap.toMillis() + jitterNanos / 1_000_000);
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
		if (this.options.runsZooKeeper()) {
			System.out.printf("ZooKeeper  3 + 3 candidate processes (engine, Spring Integration), own ZooKeeper process; %s%n",
					this.options.zooKeeperSettings());
		}
		if (this.options.runsConsul()) {
			System.out.printf("Consul     3 + 3 candidate processes (Spring Boot applications with the consul strategy, consul lock), own Consul agent; %s%n",
					this.options.consulSettings());
		}
		System.out.println();
	}

	static void header() {
		System.out.printf("%-50s %-22s %-16s %s%n", "measure", "value", "goal", "");
		System.out.println("-".repeat(96));
	}

	static void row(String label, String value, String goal, Boolean ok) {
		String verdict = (ok == null) ? "" : (ok ? "ok" : "MISSED");
		System.out.printf("%-50s %-22s %-16s %s%n", label, value, goal, verdict);
	}

	/** The last lines of every scenario's table: one per problem met. */
	static void printProblems(List<String> problems) {
		for (String problem : problems) {
			System.out.println("  PROBLEM: " + problem);
		}
		System.out.flush();
	}

}
