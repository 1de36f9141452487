package dev.clustering.benchmark;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import dev.clustering.detection.FailureDetectorSettings;
import dev.clustering.discovery.consul.ConsulSettings;

/**
 * Command-line options of the benchmark; {@code --quick} changes the defaults, later options
 * override them.
 */
final class BenchmarkOptions {

	static final String USAGE = """
			Usage: bin/benchmark [options]

			  --sizes=10,25,50        cluster sizes to run, one after the other
			  --kills=20              crash (halt) + restart cycles per size
			  --freezes=10            freeze (all links cut, TCP kept open) + thaw cycles per size
			  --idle=120s             idle run counting false detections (0 skips it)
			  --idle-all              run the idle check at every size, not only the largest
			  --window=5s             idle window over which heartbeat bytes are counted
			  --settle=3s             wait after full membership before heap and traffic are measured
			  --gap=300ms             pause after the cluster is whole again before the next kill/freeze
			                          (plus, before a freeze, a random 0..1 heartbeat interval, so freezes
			                          are not in step with the heartbeats)
			  --detect-timeout=8s     an observer that has not reported a killed or frozen node by then counts
			                          as never seeing it (an infinite delay in the percentiles, shown as
			                          "> 8s"); then the node is restarted or thawed
			  --heartbeat=1s          failure detector: heartbeat interval
			  --acceptable-pause=1s   failure detector: acceptable heartbeat pause
			  --threshold=8           failure detector: phi threshold
			  --min-std-dev=100ms     failure detector: minimum standard deviation
			  --poll-interval=5s      static topology poll interval (the cluster.discovery default)
			  --form-timeout=60s      give up on full membership after this long
			  --quick                 short run: sizes 10,25; 5 kills; 3 freezes; idle 10s; leadership runs 5,
			                          pause runs 3
			  --help                  this text

			Scenarios:
			  --scenario=default      what runs: default (the sizes above), leadership (3 nodes: new leader
			                          after a kill, a graceful stop and a freeze of the leader; singleton
			                          failover and takeover), etcd (a real etcd started for the run, 3 nodes
			                          with an etcd topology: new leader after a graceful stop and a crash of
			                          the leader, with and without lease revocation; watch latency),
			                          zookeeper (a real ZooKeeper started for the run; 3 processes with this
			                          project's zookeeper strategy and 3 with Spring Integration's
			                          LeaderInitiator: new leader after SIGTERM, kill -9 and SIGSTOP of the
			                          leader's process), consul (a real Consul agent started for the run;
			                          3 Spring Boot applications with this project's consul strategy and
			                          3 consul lock processes running a child: new leader after SIGTERM,
			                          kill -9 and, for the strategy, SIGSTOP of the leader's process), or
			                          all (default, leadership, etcd, zookeeper, consul)
			  --runs=20               leadership scenario: runs of each kind (kill, stop, freeze, failover
			                          + takeover)
			  --pause-runs=10         leadership scenario: runs of a pause of the leader (its event loop
			                          stalled, as in a GC pause or a stopped process); 0 skips them
			  --failover-timeout=5s   leadership scenario: the singleton's failover-timeout
			  --takeover-delay=2s     leadership scenario: the singleton's takeover-delay
			  --thaw-window=2s        leadership scenario: how long to watch a thawed leader (and wait for
			                          the three nodes to agree on one leader) before it is restarted
			  --etcd-ttl=2s           etcd scenario: the lease TTL of every registration and candidacy
			                          (at least 2s; etcd counts whole seconds). --runs applies too
			  --zk-session=4s         zookeeper scenario: the session timeout of every candidate of both
			                          kinds (1s..10s: the server's tick is 500 ms). --runs applies too
			  --consul-check-ttl=10s  consul scenario: the check TTL of this project's candidates (their
			                          consul.check-ttl), 1s..1h; consul lock keeps its own session (TTL
			                          15s). --runs applies too

			Durations accept ms, s or m suffixes (plain numbers are seconds).
			JVM options go in JAVA_OPTS, e.g. JAVA_OPTS=-Xmx2g bin/benchmark --quick
			""";

	List<Integer> sizes = List.of(10, 25, 50);

	int kills = 20;

	int freezes = 10;

	Duration idle = Duration.ofSeconds(120);

	boolean idleAll;

	Duration window = Duration.ofSeconds(5);

	Duration settle = Duration.ofSeconds(3);

	Duration gap = Duration.ofMillis(300);

	Duration detectTimeout = Duration.ofSeconds(8);

	Duration heartbeat = FailureDetectorSettings.DEFAULTS.heartbeatInterval();

	Duration acceptablePause = FailureDetectorSettings.DEFAULTS.acceptableHeartbeatPause();

	double threshold = FailureDetectorSettings.DEFAULTS.threshold();

	Duration minStdDev = FailureDetectorSettings.DEFAULTS.minStdDeviation();

	Duration pollInterval = Duration.ofSeconds(5);

	Duration formTimeout = Duration.ofSeconds(60);

	/** What runs: {@code default}, {@code leadership}, {@code etcd}, {@code zookeeper}, {@code consul} or {@code all}. */
	String scenario = "default";

	int runs = 20;

	int pauseRuns = 10;

	Duration failoverTimeout = Duration.ofSeconds(5);

	Duration takeoverDelay = Duration.ofSeconds(2);

	Duration thawWindow = Duration.ofSeconds(2);

	Duration etcdTtl = Duration.ofSeconds(2);

	Duration zkSession = Duration.ofSeconds(4);

	Duration consulCheckTtl = Duration.ofSeconds(10);

	boolean quick;

	boolean help;

	static BenchmarkOptions parse(String[] args) {
		BenchmarkOptions options = new BenchmarkOptions();
		if (Arrays.asList(args).contains("--quick")) {
			options.quick = true;
			options.sizes = List.of(10, 25);
			options.kills = 5;
			options.freezes = 3;
			options.idle = Duration.ofSeconds(10);
			options.runs = 5;
			options.pauseRuns = 3;
		}
		for (String arg : args) {
			String name = arg;
			String value = null;
			int eq = arg.indexOf('=');
			if (eq >= 0) {
				name = arg.substring(0, eq);
				value = arg.substring(eq + 1);
			}
			switch (name) {
				case "--quick" -> {
				}
				case "--help", "-h" -> options.help = true;
				case "--idle-all" -> options.idleAll = true;
				case "--sizes" -> options.sizes = sizes(required(name, value));
				case "--kills" -> options.kills = atLeast(0, name, required(name, value));
				case "--freezes" -> options.freezes = atLeast(0, name, required(name, value));
				case "--idle" -> options.idle = duration(name, required(name, value));
				case "--window" -> options.window = positive(name, duration(name, required(name, value)));
				case "--settle" -> options.settle = duration(name, required(name, value));
				case "--gap" -> options.gap = duration(name, required(name, value));
				case "--detect-timeout" -> options.detectTimeout = positive(name, duration(name, required(name, value)));
				case "--heartbeat" -> options.heartbeat = positive(name, duration(name, required(name, value)));
				case "--acceptable-pause" -> options.acceptablePause = duration(name, required(name, value));
				case "--threshold" -> options.threshold = Double.parseDouble(required(name, value));
				case "--min-std-dev" -> options.minStdDev = positive(name, duration(name, required(name, value)));
				case "--poll-interval" -> options.pollInterval = positive(name, duration(name, required(name, value)));
				case "--form-timeout" -> options.formTimeout = positive(name, duration(name, required(name, value)));
				case "--scenario" -> options.scenario = scenario(required(name, value));
				case "--runs" -> options.runs = atLeast(1, name, required(name, value));
				case "--pause-runs" -> options.pauseRuns = atLeast(0, name, required(name, value));
				case "--failover-timeout" -> options.failoverTimeout = duration(name, required(name, value));
				case "--takeover-delay" -> options.takeoverDelay = duration(name, required(name, value));
				case "--etcd-ttl" -> options.etcdTtl = etcdTtl(name, duration(name, required(name, value)));
				case "--zk-session" -> options.zkSession = zkSession(name, duration(name, required(name, value)));
				case "--consul-check-ttl" -> options.consulCheckTtl = consulCheckTtl(name, duration(name, required(name, value)));
				case "--thaw-window" -> options.thawWindow = positive(name, duration(name, required(name, value)));
				default -> throw new IllegalArgumentException("unknown option " + arg);
			}
		}
		return options;
	}

	FailureDetectorSettings detector() {
		return new FailureDetectorSettings(this.heartbeat, this.acceptablePause, this.threshold, this.minStdDev,
				FailureDetectorSettings.DEFAULTS.maxSampleSize());
	}

	boolean runsDefault() {
		return this.scenario.equals("default") || this.scenario.equals("all");
	}

	boolean runsLeadership() {
		return this.scenario.equals("leadership") || this.scenario.equals("all");
	}

	boolean runsEtcd() {
		return this.scenario.equals("etcd") || this.scenario.equals("all");
	}

	boolean runsZooKeeper() {
		return this.scenario.equals("zookeeper") || this.scenario.equals("all");
	}

	boolean runsConsul() {
		return this.scenario.equals("consul") || this.scenario.equals("all");
	}

	/**
	 * How long a scenario waits for a new leader: its own bound (from a TTL or a session) or
	 * {@code --detect-timeout}, whichever is longer.
	 */
	Duration electionTimeout(Duration bound) {
		return (bound.compareTo(this.detectTimeout) > 0) ? bound : this.detectTimeout;
	}

	int largestSize() {
		return this.sizes.stream().mapToInt(Integer::intValue).max().orElse(0);
	}

	boolean idleAt(int size) {
		return !this.idle.isZero() && (this.idleAll || size == largestSize());
	}

	private static String required(String name, String value) {
		if (value == null || value.isBlank()) {
			throw new IllegalArgumentException(name + " needs a value, e.g. " + name + "=...");
		}
		return value.trim();
	}

	private static List<Integer> sizes(String value) {
		List<Integer> sizes = new ArrayList<>();
		for (String part : value.split(",")) {
			int size = Integer.parseInt(part.trim());
			if (size < 2) {
				throw new IllegalArgumentException("a cluster size must be at least 2, got " + size);
			}
			sizes.add(size);
		}
		return List.copyOf(sizes);
	}

	private static String scenario(String value) {
		String v = value.toLowerCase(Locale.ROOT);
		if (!List.of("default", "leadership", "etcd", "zookeeper", "consul", "all").contains(v)) {
			throw new IllegalArgumentException(
					"--scenario must be default, leadership, etcd, zookeeper, consul or all, got " + value);
		}
		return v;
	}

	private static Duration etcdTtl(String name, Duration ttl) {
		if (ttl.compareTo(Duration.ofSeconds(2)) < 0) {
			throw new IllegalArgumentException(name + " must be at least 2s (the shortest lease etcd grants)");
		}
		return ttl;
	}

	private static Duration zkSession(String name, Duration session) {
		long ticks = session.toMillis() / ZooKeeperScenario.TICK_MILLIS;
		if (session.toMillis() % ZooKeeperScenario.TICK_MILLIS != 0 || ticks < 2 || ticks > 20) {
			throw new IllegalArgumentException(name + " must be 1s..10s in steps of " + ZooKeeperScenario.TICK_MILLIS
					+ "ms (2 to 20 ticks of the server's " + ZooKeeperScenario.TICK_MILLIS + " ms tick)");
		}
		return session;
	}

	private static Duration consulCheckTtl(String name, Duration ttl) {
		if (ttl.compareTo(ConsulSettings.MIN_CHECK_TTL) < 0 || ttl.compareTo(Duration.ofHours(1)) > 0) {
			throw new IllegalArgumentException(name + " must be 1s..1h (the strategy's bounds of check-ttl)");
		}
		return ttl;
	}

	private static int atLeast(int min, String name, String value) {
		int n = Integer.parseInt(value);
		if (n < min) {
			throw new IllegalArgumentException(name + " must be at least " + min);
		}
		return n;
	}

	private static Duration positive(String name, Duration duration) {
		if (duration.isZero() || duration.isNegative()) {
			throw new IllegalArgumentException(name + " must be positive");
		}
		return duration;
	}

	static Duration duration(String name, String value) {
		Matcher duration = Pattern.compile("(.*?)(ms|s|m)?").matcher(value.toLowerCase(Locale.ROOT));
		duration.matches();
		double amount = Double.parseDouble(duration.group(1));
		double unitMillis = switch (String.valueOf(duration.group(2))) {
			case "ms" -> 1;
			case "m" -> 60_000;
			default -> 1000;
		};
		if (amount < 0) {
			throw new IllegalArgumentException(name + " must not be negative");
		}
		return Duration.ofNanos(Math.round(amount * unitMillis * 1_000_000));
	}

	/** The etcd scenario's settings, for the header. */
	String etcdSettings() {
		return "runs=" + this.runs + " etcd-ttl=" + Format.duration(this.etcdTtl) + " gap=" + Format.duration(this.gap)
				+ " detect-timeout=" + Format.duration(this.detectTimeout) + (this.quick ? " [--quick]" : "");
	}

	/** The zookeeper scenario's settings, for the header. */
	String zooKeeperSettings() {
		return "runs=" + this.runs + " zk-session=" + Format.duration(this.zkSession) + " gap="
				+ Format.duration(this.gap) + (this.quick ? " [--quick]" : "");
	}

	/** The consul scenario's settings, for the header. */
	String consulSettings() {
		return "runs=" + this.runs + " consul-check-ttl=" + Format.duration(this.consulCheckTtl) + " gap="
				+ Format.duration(this.gap) + (this.quick ? " [--quick]" : "");
	}

	/** The leadership scenario's settings, for the header. */
	String leadershipSettings() {
		return "runs=" + this.runs + " pause-runs=" + this.pauseRuns + " failover-timeout=" + Format.duration(this.failoverTimeout) + " takeover-delay="
				+ Format.duration(this.takeoverDelay) + " thaw-window=" + Format.duration(this.thawWindow) + " gap="
				+ Format.duration(this.gap) + " detect-timeout=" + Format.duration(this.detectTimeout)
				+ (this.quick ? " [--quick]" : "");
	}

	@Override
	public String toString() {
		return "sizes=" + this.sizes + " kills=" + this.kills + " freezes=" + this.freezes + " idle="
				+ Format.duration(this.idle) + (this.idleAll ? " (every size)" : " (largest size only)") + " window="
				+ Format.duration(this.window) + " settle=" + Format.duration(this.settle) + " gap="
				+ Format.duration(this.gap) + " detect-timeout=" + Format.duration(this.detectTimeout) + (this.quick ? " [--quick]" : "");
	}

}
