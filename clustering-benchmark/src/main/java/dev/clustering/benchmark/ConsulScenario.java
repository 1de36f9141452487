package dev.clustering.benchmark;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import dev.clustering.benchmark.CandidateProcess.Line;
import dev.clustering.discovery.consul.ConsulAgent;

import static dev.clustering.benchmark.CandidateGroups.CANDIDATES;
import static dev.clustering.benchmark.ClusterBenchmark.progress;

/**
 * The consul scenario (see the README): one real Consul agent, started for the run as a process of
 * its own ({@link ConsulAgent}: one server with its data on disk, on free loopback ports), and two
 * groups of three candidate processes on it: (A) this project's engine, each a Spring Boot
 * application with a {@code consul} topology ({@link ConsulCandidate}), and (B) {@code consul lock}
 * running a child that prints a leader line when it starts. The runs are
 * {@link CandidateScenario}'s; B is not frozen.
 */
final class ConsulScenario extends CandidateScenario<ConsulReport> {

	/** consul lock's session TTL (the Consul API's {@code DefaultLockSessionTTL}; it has no option for it). */
	static final Duration LOCK_SESSION_TTL = Duration.ofSeconds(15);

	/** consul lock's lock delay: Consul's default, which consul lock keeps. */
	static final Duration LOCK_DELAY = Duration.ofSeconds(15);

	/** How long consul lock waits before it tries again a free lock a lock delay refused ({@code DefaultLockRetryTime}). */
	static final Duration LOCK_RETRY = Duration.ofSeconds(5);

	/** The engine candidates' {@code spring.application.name}, and their topology's name. */
	static final String APPLICATION = "bench";

	/** The engine candidates' service (the strategy's default: the application's name + {@code -dist}). */
	static final String SERVICE = APPLICATION + "-dist";

	/** The engine's lock: {@code <prefix>/<service>/leader}, with the strategy's default prefix. */
	static final String ENGINE_KEY = "cluster/" + SERVICE + "/leader";

	/** consul lock's prefix; its lock is {@code <prefix>/.lock}. */
	static final String LOCK_PREFIX = "consul-lock-benchmark";

	/**
	 * What consul lock runs (with {@code bash -c}): a child that prints its leader line, stamped with
	 * bash's own wall clock in microseconds and followed by its PID, then sleeps until it is killed
	 * (an hour at most).
	 */
	static final String CHILD = "echo \"@@ LEADER ${EPOCHREALTIME//[!0-9]/} -1 $$\"; exec sleep 3600";

	private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

	private final JsonMapper json = JsonMapper.builder().build();

	/** Each consul lock candidate's session name, of its current process. */
	private final Map<String, String> lockSessions = new ConcurrentHashMap<>();

	/** The PIDs of consul lock's children seen leading; any left running is killed at the end. */
	private final Set<Long> children = ConcurrentHashMap.newKeySet();

	private String binary;

	private ConsulAgent agent;

	ConsulScenario(BenchmarkOptions options, HiccupMonitor hiccups) {
		super("consul", options, hiccups, new ConsulReport(options.consulCheckTtl.toMillis()));
	}

	@Override
	void startRegistry() throws IOException {
		progress("consul: starting a Consul agent");
		this.binary = ConsulAgent.binary();
		this.agent = ConsulAgent.start();
		String version = get("/v1/agent/self").map((self) -> self.path("Config").path("Version").asString())
			.orElse("?");
		this.r.server = this.agent + ", version " + version;
	}

	@Override
	String started() {
		return this.r.server + "; 3 + 3 candidates, check TTL " + Format.duration(this.options.consulCheckTtl);
	}

	@Override
	public CandidateProcess launch(CandidateSide side, String name, int incarnation, Path log) throws IOException {
		if (side.engine()) {
			String topology = "--cluster.topologies." + APPLICATION;
			List<String> args = List.of("--spring.application.name=" + APPLICATION,
					"--spring.cloud.consul.enabled=false", "--cluster.cookie=" + CandidateOutput.COOKIE,
					"--cluster.node.name=" + name, "--cluster.node.host=127.0.0.1", "--cluster.node.port=0",
					topology + ".strategy=consul", topology + ".consul.url=" + this.agent.url(),
					topology + ".consul.check-ttl=" + this.options.consulCheckTtl.toMillis() + "ms");
			return CandidateProcess.start(name, log, ConsulCandidate.class, args);
		}
		String session = "consul-lock-" + name + "-" + incarnation;
		this.lockSessions.put(name, session);
		return CandidateProcess.exec(name, log, List.of(this.binary, "lock", "-http-addr=" + this.agent.url(),
				"-name=" + session, "-shell=false", LOCK_PREFIX, "bash", "-c", CHILD));
	}

	/** An engine candidate is ready once it says so, a consul lock once its session exists. */
	@Override
	public boolean ready(CandidateSide side, CandidateProcess candidate) {
		if (side.engine()) {
			return candidate.first("READY", 0).isPresent();
		}
		boolean ready = sessions().containsValue(this.lockSessions.get(candidate.name));
		if (!ready) {
			CandidateGroups.sleep(20);
		}
		return ready;
	}

	/**
	 * Whether every candidate has its session, and the lock is held by the leader's; for the engine
	 * also whether all three are passing instances of the service.
	 */
	@Override
	public boolean queued(CandidateSide side, Map<String, CandidateProcess> group, CandidateProcess leader) {
		Map<String, String> sessions = sessions();
		Map<String, String> expected = new HashMap<>();
		group.keySet().forEach((name) -> expected.put(name, side.engine()
				? "cluster " + SERVICE + " " + name + "@127.0.0.1" : this.lockSessions.get(name)));
		if (!sessions.values().containsAll(expected.values())) {
			return false;
		}
		String key = side.engine() ? ENGINE_KEY : LOCK_PREFIX + "/.lock";
		String holder = get("/v1/kv/" + key).map((entries) -> entries.path(0).path("Session").asString(""))
			.orElse("");
		if (!expected.get(leader.name).equals(sessions.get(holder))) {
			return false;
		}
		if (!side.engine()) {
			leader.first("LEADER", 0).ifPresent((line) -> this.children.add(line.longField(1)));
			return true;
		}
		return get("/v1/health/service/" + SERVICE + "?passing").map(JsonNode::size).orElse(0) == CANDIDATES;
	}

	@Override
	Duration electionTimeout(CandidateSide side) {
		if (side.engine()) {
			return this.options.electionTimeout(this.options.consulCheckTtl.multipliedBy(2).plusSeconds(2));
		}
		// invalidated up to twice its TTL after its last renewal, then the lock delay, then a retry
		return this.options.electionTimeout(
				LOCK_SESSION_TTL.multipliedBy(2).plus(LOCK_DELAY).plus(LOCK_RETRY.multipliedBy(2)).plusSeconds(5));
	}

	@Override
	Duration thawWatch() {
		return this.options.consulCheckTtl.plusSeconds(2);
	}

	/**
	 * consul lock: whether the old holder's child still ran once another's had started (as it does
	 * when consul lock itself was killed: nothing ends its child); the child is killed then.
	 */
	@Override
	String afterElection(CandidateSide side, Fault fault, CandidateProcess victim, FailoverStats s) {
		if (side.engine()) {
			return "";
		}
		Optional<Line> held = victim.first("LEADER", 0);
		if (held.isEmpty()) {
			return "; the old holder had no child";
		}
		long pid = held.get().longField(1);
		Optional<ProcessHandle> child = child(pid);
		s.workChecks++;
		if (child.isEmpty()) {
			return "; the old holder's child had ended";
		}
		s.workStillRunning++;
		child.get().destroyForcibly();
		return "; the old holder's child (pid " + pid + ") STILL ran, killed now";
	}

	/** Kills any child of consul lock left running, then stops the agent. */
	@Override
	void stopRegistry() {
		this.children.forEach((pid) -> child(pid).ifPresent(ProcessHandle::destroyForcibly));
		if (this.agent != null) {
			this.agent.close();
			this.agent = null;
		}
	}

	/** A child of consul lock that runs: the PID from its line, if that process is still its {@code sleep}. */
	private static Optional<ProcessHandle> child(long pid) {
		return ProcessHandle.of(pid)
			.filter(ProcessHandle::isAlive)
			.filter((process) -> process.info().command().map((command) -> command.endsWith("/sleep")).orElse(false));
	}

	/** Every session's name, by its ID; empty if Consul does not answer. */
	private Map<String, String> sessions() {
		Map<String, String> sessions = new HashMap<>();
		get("/v1/session/list").ifPresent((list) -> list
			.forEach((session) -> sessions.put(session.path("ID").asString(""), session.path("Name").asString(""))));
		return sessions;
	}

	/** A GET of the agent's HTTP API: the answer, or empty for a 404 or no answer. */
	private Optional<JsonNode> get(String path) {
		try {
			HttpResponse<String> answer = this.http.send(HttpRequest
				.newBuilder(URI.create(this.agent.url() + path))
				.timeout(Duration.ofSeconds(5))
				.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
			return (answer.statusCode() == 200) ? Optional.of(this.json.readTree(answer.body())) : Optional.empty();
		}
		catch (IOException | RuntimeException ex) {
			return Optional.empty();
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			return Optional.empty();
		}
	}

}
