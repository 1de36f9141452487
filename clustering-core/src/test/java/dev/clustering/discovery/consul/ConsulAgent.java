package dev.clustering.discovery.consul;

import java.io.File;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import dev.clustering.discovery.TestCertificates;
import dev.clustering.discovery.TestProcesses;

/**
 * A real Consul agent (1.8.7, Debian bullseye's package, which {@code bin/install-consul} fetches
 * with apt's signature check; a {@code consul} on the PATH is used first) as one process: a
 * single server that bootstraps itself, on free loopback ports, with a data directory that
 * outlives the process, so it can be killed with SIGKILL and started again with its Raft state
 * (indexes keep growing). Missing Consul is an error, never a reason to skip. Stopped by its PID,
 * and by a shutdown hook should the tests exit first. {@link #startTls()} also serves the HTTP API
 * over TLS.
 */
public final class ConsulAgent implements AutoCloseable {

	private final Path directory;

	private final String binary;

	private final int httpPort;

	private final int dnsPort;

	private final int serverPort;

	private final int serfLanPort;

	private final int serfWanPort;

	// -1 without TLS
	private final int httpsPort;

	private final Thread hook = new Thread(this::close, "consul-stopper");

	private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();

	private Process process;

	private ConsulAgent(Path directory, String binary, boolean tls) throws IOException {
		this.directory = directory;
		this.binary = binary;
		this.httpsPort = tls ? freePort() : -1;
		this.httpPort = freePort();
		this.dnsPort = freePort();
		this.serverPort = freePort();
		this.serfLanPort = freePort();
		this.serfWanPort = freePort();
	}

	/**
	 * Starts an agent and waits until it has elected itself and answers.
	 * @return the running agent
	 * @throws IOException if Consul is missing or does not start
	 */
	public static ConsulAgent start() throws IOException {
		return start(false);
	}

	/**
	 * Starts an agent that also serves its HTTP API over TLS ({@link #httpsUrl()}), with a
	 * self-signed certificate for 127.0.0.1 ({@link #certificate()}).
	 * @return the running agent
	 * @throws IOException if Consul is missing or does not start
	 */
	public static ConsulAgent startTls() throws IOException {
		return start(true);
	}

	private static ConsulAgent start(boolean tls) throws IOException {
		ConsulAgent agent = new ConsulAgent(Files.createTempDirectory("consul-agent"), binary(), tls);
		if (tls) {
			TestCertificates.selfSignedPem(agent.directory, "consul");
			Files.writeString(agent.directory.resolve("tls.json"), "{\"ports\": {\"https\": " + agent.httpsPort
					+ "}, \"cert_file\": \"" + agent.certificate() + "\", \"key_file\": \""
					+ agent.directory.resolve("consul-key.pem") + "\", \"verify_incoming\": false}");
		}
		Runtime.getRuntime().addShutdownHook(agent.hook);
		agent.startAgain();
		return agent;
	}

	/**
	 * The agent's HTTP API over TLS ({@link #startTls()} only).
	 * @return {@code https://127.0.0.1:port}
	 */
	public String httpsUrl() {
		if (this.httpsPort < 0) {
			throw new IllegalStateException("started without TLS");
		}
		return "https://127.0.0.1:" + this.httpsPort;
	}

	/**
	 * The agent's certificate, for clients to trust ({@link #startTls()} only).
	 * @return a PEM file
	 */
	public Path certificate() {
		return this.directory.resolve("consul-cert.pem");
	}

	/**
	 * The Consul binary: on the PATH, or where {@code bin/install-consul} puts it.
	 * @return its path
	 * @throws IOException if there is none
	 */
	public static String binary() throws IOException {
		for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
			if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, "consul"))) {
				return Path.of(dir, "consul").toString();
			}
		}
		for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
			Path installed = dir.resolve(".tools/consul/usr/bin/consul");
			if (Files.isExecutable(installed)) {
				return installed.toString();
			}
		}
		throw new IOException("Consul is missing: run bin/install-consul (bin/test does), or put consul on the PATH");
	}

	private static int freePort() throws IOException {
		try (ServerSocket socket = new ServerSocket(0)) {
			return socket.getLocalPort();
		}
	}

	/**
	 * The agent's HTTP API.
	 * @return {@code http://127.0.0.1:port}
	 */
	public String url() {
		return "http://127.0.0.1:" + this.httpPort;
	}

	/**
	 * The agent's DNS port (UDP and TCP on 127.0.0.1).
	 * @return the port
	 */
	public int dnsPort() {
		return this.dnsPort;
	}

	/**
	 * The agent's process id, while it runs.
	 * @return its PID, or -1
	 */
	public synchronized long pid() {
		return (this.process != null && this.process.isAlive()) ? this.process.pid() : -1;
	}

	@Override
	public String toString() {
		return "Consul " + url() + " (pid " + pid() + ")";
	}

	/**
	 * Starts the agent (again) on its ports and data, and waits until it leads its one-server
	 * cluster and answers KV reads.
	 * @throws IOException if it does not within 60 s
	 */
	public synchronized void startAgain() throws IOException {
		List<String> command = new ArrayList<>(List.of(this.binary, "agent", "-server", "-bootstrap-expect=1",
				"-bind=127.0.0.1", "-client=127.0.0.1", "-node=consul-test", "-data-dir=" + this.directory.resolve("data"),
				"-http-port=" + this.httpPort, "-dns-port=" + this.dnsPort, "-server-port=" + this.serverPort,
				"-serf-lan-port=" + this.serfLanPort, "-serf-wan-port=" + this.serfWanPort, "-grpc-port=-1",
				"-log-level=warn", "-disable-host-node-id"));
		if (this.httpsPort >= 0) {
			command.add("-config-file=" + this.directory.resolve("tls.json"));
		}
		this.process = new ProcessBuilder(command).redirectErrorStream(true)
			.redirectOutput(ProcessBuilder.Redirect.appendTo(this.directory.resolve("consul.log").toFile()))
			.start();
		TestProcesses.awaitAnswer(this.process, this::ready, Duration.ofSeconds(60), "Consul",
				this.directory.resolve("consul.log"));
	}

	private boolean ready() {
		try {
			HttpResponse<String> leader = get("/v1/status/leader");
			if (leader.statusCode() != 200 || leader.body().replace("\"", "").isBlank()) {
				return false;
			}
			// a KV read answers (200 or 404) only once the server has a leader and its state
			return get("/v1/kv/ready-check").statusCode() == 404;
		}
		catch (IOException ex) {
			return false;
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			return false;
		}
	}

	private HttpResponse<String> get(String path) throws IOException, InterruptedException {
		return this.http.send(HttpRequest.newBuilder(URI.create(url() + path)).timeout(Duration.ofSeconds(2)).build(),
				HttpResponse.BodyHandlers.ofString());
	}

	/** Kills the agent with SIGKILL, as a crash would, and waits until it is gone. */
	public synchronized void kill() {
		TestProcesses.kill(this.process);
	}


	@Override
	public synchronized void close() {
		kill();
		this.process = null;
		TestProcesses.deleteTree(this.directory);
		TestProcesses.removeShutdownHook(this.hook);
	}


}
