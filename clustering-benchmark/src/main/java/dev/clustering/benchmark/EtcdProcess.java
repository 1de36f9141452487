package dev.clustering.benchmark;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A real etcd (Debian {@code etcd-server}) for the etcd scenario: one process on free loopback
 * ports with a temporary data directory, stopped by its PID (and by a shutdown hook, should the
 * benchmark exit first). The same logic as the engine's test helper {@code EtcdServer}, which is
 * not on this module's classpath. A missing etcd is an error, never a reason to skip.
 */
final class EtcdProcess implements AutoCloseable {

	private static final List<String> LOCATIONS = List.of("/usr/bin/etcd", "/usr/local/bin/etcd", "/usr/sbin/etcd");

	private final String binary;

	private final Path directory;

	private final int clientPort;

	private final int peerPort;

	private final Thread hook = new Thread(this::close, "etcd-stopper");

	private Process process;

	private EtcdProcess(String binary, Path directory, int clientPort, int peerPort) {
		this.binary = binary;
		this.directory = directory;
		this.clientPort = clientPort;
		this.peerPort = peerPort;
	}

	/**
	 * Starts etcd and waits until it is healthy.
	 * @throws IOException if etcd is not installed or does not start
	 */
	static EtcdProcess start() throws IOException {
		String binary = binary();
		int[] ports = BenchCluster.freePorts(2);
		EtcdProcess etcd = new EtcdProcess(binary, Files.createTempDirectory("bench-etcd"), ports[0], ports[1]);
		try {
			etcd.startProcess();
			return etcd;
		}
		catch (IOException | RuntimeException ex) {
			etcd.close();
			throw ex;
		}
	}

	private void startProcess() throws IOException {
		String client = endpoint();
		String peer = "http://127.0.0.1:" + this.peerPort;
		Path log = this.directory.resolve("etcd.log");
		List<String> command = new ArrayList<>(List.of(this.binary, "--name", "bench", "--data-dir",
				this.directory.resolve("data").toString(), "--listen-client-urls", client, "--advertise-client-urls",
				client, "--listen-peer-urls", peer, "--initial-advertise-peer-urls", peer, "--initial-cluster",
				"bench=" + peer, "--initial-cluster-state", "new", "--logger", "zap", "--log-level", "warn"));
		this.process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
		Runtime.getRuntime().addShutdownHook(this.hook);
		HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofMillis(500)).build();
		HttpRequest health = HttpRequest.newBuilder(URI.create(client + "/health")).timeout(Duration.ofSeconds(1)).build();
		long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
		while (System.nanoTime() - deadline < 0) {
			if (!this.process.isAlive()) {
				throw new IOException("etcd exited with " + this.process.exitValue() + ": " + Files.readString(log));
			}
			try {
				HttpResponse<String> response = http.send(health, HttpResponse.BodyHandlers.ofString());
				if (response.statusCode() == 200 && response.body().contains("\"true\"")) {
					return;
				}
			}
			catch (IOException ex) {
				// not listening yet
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
				throw new IOException("interrupted while waiting for etcd", ex);
			}
			try {
				Thread.sleep(50);
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
				throw new IOException("interrupted while waiting for etcd", ex);
			}
		}
		throw new IOException("etcd was not healthy within 20 s: " + Files.readString(log));
	}

	String endpoint() {
		return "http://127.0.0.1:" + this.clientPort;
	}

	String binaryPath() {
		return this.binary;
	}

	long pid() {
		return (this.process != null) ? this.process.pid() : -1;
	}

	/** Kills etcd (by its PID) and deletes the data directory. */
	@Override
	public synchronized void close() {
		if (this.process != null && this.process.isAlive()) {
			this.process.destroy();
			try {
				if (!this.process.waitFor(5, TimeUnit.SECONDS)) {
					this.process.destroyForcibly();
					this.process.waitFor(5, TimeUnit.SECONDS);
				}
			}
			catch (InterruptedException ex) {
				this.process.destroyForcibly();
				Thread.currentThread().interrupt();
			}
		}
		try (var files = Files.walk(this.directory)) {
			for (Path file : files.sorted(Comparator.reverseOrder()).toList()) {
				Files.deleteIfExists(file);
			}
		}
		catch (IOException ex) {
			// a temporary directory left behind is harmless
		}
		if (Thread.currentThread() != this.hook) {
			try {
				Runtime.getRuntime().removeShutdownHook(this.hook);
			}
			catch (IllegalStateException | IllegalArgumentException ex) {
				// shutting down, or never added
			}
		}
	}

	private static String binary() throws IOException {
		List<String> candidates = new ArrayList<>();
		String path = System.getenv("PATH");
		if (path != null) {
			for (String dir : path.split(":")) {
				candidates.add(dir + "/etcd");
			}
		}
		candidates.addAll(LOCATIONS);
		for (String candidate : candidates) {
			if (!candidate.startsWith("/")) {
				continue;
			}
			if (Files.isExecutable(Path.of(candidate))) {
				return candidate;
			}
		}
		throw new IOException("etcd is not installed (looked for 'etcd' on PATH and in " + LOCATIONS
				+ "); the etcd scenario needs a real etcd: apt-get install -y etcd-server");
	}

	@Override
	public String toString() {
		return "etcd " + this.binary + " at " + endpoint() + ((this.process != null) ? ", pid " + this.process.pid() : "");
	}

}
