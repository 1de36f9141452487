package dev.clustering.sample;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicInteger;

import tools.jackson.databind.json.JsonMapper;

/**
 * The sample jar run as a separate process, as a user runs it; stopped by PID.
 */
final class NodeProcess implements AutoCloseable {

	private static final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

	private static final JsonMapper json = JsonMapper.builder().build();

	private static final AtomicInteger SEQUENCE = new AtomicInteger();

	final String name;

	final int httpPort;

	final int clusterPort;

	final Path log;

	private final Process process;

	private NodeProcess(String name, int httpPort, int clusterPort, Path log, Process process) {
		this.name = name;
		this.httpPort = httpPort;
		this.clusterPort = clusterPort;
		this.log = log;
		this.process = process;
	}

	static NodeProcess start(String name, int httpPort, int clusterPort, String cookie, String hosts,
			String... extraArgs) throws IOException {
		List<String> args = new ArrayList<>(List.of("--cluster.topologies.local.strategy=static",
				"--cluster.topologies.local.static.hosts=" + hosts, "--cluster.topologies.local.poll-interval=1s"));
		args.addAll(List.of(extraArgs));
		return startWith(name, httpPort, clusterPort, cookie, args);
	}

	/**
	 * Starts the sample jar with a topology of the caller's (its {@code --cluster.topologies.*} or
	 * a profile among the arguments).
	 */
	static NodeProcess startWith(String name, int httpPort, int clusterPort, String cookie, List<String> args)
			throws IOException {
		String jar = System.getProperty("sample.jar");
		if (jar == null || !Files.exists(Path.of(jar))) {
			throw new IllegalStateException("sample jar not found at " + jar + "; run through mvn verify");
		}
		Path logs = Path.of("target", "it-logs");
		Files.createDirectories(logs);
		Path log = logs.resolve(name + "-" + clusterPort + "-" + SEQUENCE.incrementAndGet() + ".log");
		List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
				"-Xmx128m", "-XX:TieredStopAtLevel=1", "-jar", jar, "--server.port=" + httpPort,
				"--cluster.node.name=" + name, "--cluster.node.host=127.0.0.1", "--cluster.node.port=" + clusterPort,
				"--cluster.cookie=" + cookie));
		command.addAll(args);
		Process process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
		return new NodeProcess(name, httpPort, clusterPort, log, process);
	}

	long pid() {
		return this.process.pid();
	}

	boolean isAlive() {
		return this.process.isAlive();
	}

	/** The cluster endpoint's JSON, or {@code null} while the node does not answer. */
	@SuppressWarnings("unchecked")
	Map<String, Object> cluster() {
		try {
			HttpResponse<String> response = http.send(
					HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + this.httpPort + "/actuator/cluster"))
						.timeout(Duration.ofSeconds(3))
						.build(),
					HttpResponse.BodyHandlers.ofString());
			return (response.statusCode() == 200) ? json.readValue(response.body(), Map.class) : null;
		}
		catch (IOException ex) {
			return null;
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			return null;
		}
	}

	/** Member name to status, as this node reports them. */
	@SuppressWarnings("unchecked")
	Map<String, String> members() {
		Map<String, Object> cluster = cluster();
		if (cluster == null) {
			return null;
		}
		Map<String, String> members = new TreeMap<>();
		for (Object member : (List<Object>) cluster.get("members")) {
			Map<String, Object> m = (Map<String, Object>) member;
			members.put((String) m.get("name"), (String) m.get("status"));
		}
		return members;
	}

	String logText() throws IOException {
		return Files.readString(this.log);
	}

	void signal(String signal) throws IOException, InterruptedException {
		Process kill = new ProcessBuilder("kill", "-" + signal, Long.toString(pid())).inheritIO().start();
		if (kill.waitFor() != 0) {
			throw new IllegalStateException("kill -" + signal + " " + pid() + " failed");
		}
	}

	void kill() throws InterruptedException {
		this.process.destroyForcibly();
		this.process.waitFor();
	}

	void stopGracefully() throws InterruptedException {
		this.process.destroy();
		this.process.waitFor();
	}

	@Override
	public void close() throws Exception {
		if (this.process.isAlive()) {
			signal("CONT");
			this.process.destroyForcibly();
			this.process.waitFor();
		}
	}

}
