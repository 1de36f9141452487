package dev.clustering.discovery.etcd;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;

import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

import io.etcd.jetcd.Client;

import dev.clustering.discovery.TestCertificates;

/**
 * A real etcd (Debian {@code etcd-server}) on free loopback ports with a temporary data directory,
 * as one process stopped by its PID. It can be created without starting (to test a node that starts
 * before etcd), killed and started again on the same ports and data. Missing etcd is an error, never
 * a reason to skip. With {@link #startTls()} it serves clients over TLS with a self-signed certificate
 * for 127.0.0.1 ({@link #certificate()}).
 */
public final class EtcdServer implements AutoCloseable {

	private static final List<String> LOCATIONS = List.of("/usr/bin/etcd", "/usr/local/bin/etcd", "/usr/sbin/etcd");

	private final String binary;

	private final Path directory;

	private final int clientPort;

	private final int peerPort;

	private final boolean tls;

	private final List<Client> clients = new ArrayList<>();

	private Process process;

	private int starts;

	private EtcdServer(String binary, Path directory, int clientPort, int peerPort, boolean tls) {
		this.binary = binary;
		this.directory = directory;
		this.clientPort = clientPort;
		this.peerPort = peerPort;
		this.tls = tls;
	}

	/**
	 * Prepares a server (ports and data directory) without starting it.
	 * @return the server, stopped
	 * @throws IOException if etcd is not installed
	 */
	public static EtcdServer create() throws IOException {
		return create(false);
	}

	private static EtcdServer create(boolean tls) throws IOException {
		String binary = binary();
		// on a RAM disk where there is one: etcd syncs its log to disk on every write, and a slow disk
		// under a loaded test run delays keep-alives past a 2 s lease
		Path shm = Path.of("/dev/shm");
		Path directory = (Files.isDirectory(shm) && Files.isWritable(shm)) ? Files.createTempDirectory(shm, "etcd")
				: Files.createTempDirectory("etcd");
		int[] ports = freePorts(2);
		EtcdServer server = new EtcdServer(binary, directory, ports[0], ports[1], tls);
		if (tls) {
			server.writeCertificate();
		}
		return server;
	}

	/**
	 * Starts a server and waits until it is healthy.
	 * @return the running server
	 * @throws IOException if etcd is missing or does not start
	 */
	public static EtcdServer start() throws IOException {
		return start(create(false));
	}

	/**
	 * Starts a server that talks TLS to clients, with a self-signed certificate for 127.0.0.1.
	 * @return the running server
	 * @throws IOException if etcd is missing or does not start
	 */
	public static EtcdServer startTls() throws IOException {
		return start(create(true));
	}

	private static EtcdServer start(EtcdServer server) throws IOException {
		try {
			server.startProcess();
			return server;
		}
		catch (IOException | RuntimeException ex) {
			server.close();
			throw ex;
		}
	}

	/**
	 * Starts (or starts again, on the same ports and data) and waits until etcd is healthy.
	 * @throws IOException if it does not start
	 */
	public synchronized void startProcess() throws IOException {
		if (isRunning()) {
			return;
		}
		String client = endpoint();
		String peer = "http://127.0.0.1:" + this.peerPort;
		Path log = this.directory.resolve("etcd-" + (++this.starts) + ".log");
		List<String> command = new ArrayList<>(List.of(this.binary, "--name", "t", "--data-dir",
				this.directory.resolve("data").toString(), "--listen-client-urls", client, "--advertise-client-urls",
				client, "--listen-peer-urls", peer, "--initial-advertise-peer-urls", peer, "--initial-cluster",
				"t=" + peer, "--initial-cluster-state", "new", "--logger", "zap", "--log-level", "warn"));
		if (this.tls) {
			command.addAll(List.of("--cert-file", certificate().toString(), "--key-file",
					this.directory.resolve("key.pem").toString()));
		}
		this.process = new ProcessBuilder(command).redirectErrorStream(true)
			.redirectOutput(log.toFile())
			.start();
		awaitHealthy(log);
	}

	private void awaitHealthy(Path log) throws IOException {
		HttpClient.Builder builder = HttpClient.newBuilder().connectTimeout(Duration.ofMillis(500));
		if (this.tls) {
			builder.sslContext(trustingCertificate());
		}
		HttpClient http = builder.build();
		HttpRequest health = HttpRequest.newBuilder(URI.create(endpoint() + "/health"))
			.timeout(Duration.ofSeconds(1))
			.build();
		long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
		while (System.nanoTime() < deadline) {
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
				throw new IOException("interrupted", ex);
			}
			sleep(50);
		}
		throw new IOException("etcd was not healthy within 20 s: " + Files.readString(log));
	}

	/**
	 * Where clients connect.
	 * @return {@code http://127.0.0.1:<port>}
	 */
	public String endpoint() {
		return (this.tls ? "https" : "http") + "://127.0.0.1:" + this.clientPort;
	}

	/**
	 * The server's certificate, for clients to trust (TLS only).
	 * @return a PEM file
	 */
	public Path certificate() {
		return this.directory.resolve("cert.pem");
	}

	// etcd reads PEM
	private void writeCertificate() throws IOException {
		Path written = TestCertificates.selfSignedPem(this.directory, "etcd");
		Files.move(written, certificate());
		Files.move(this.directory.resolve("etcd-key.pem"), this.directory.resolve("key.pem"));
	}

	private SSLContext trustingCertificate() throws IOException {
		try (var in = Files.newInputStream(certificate())) {
			KeyStore trust = KeyStore.getInstance("PKCS12");
			trust.load(null, null);
			trust.setCertificateEntry("etcd", CertificateFactory.getInstance("X.509").generateCertificate(in));
			TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
			factory.init(trust);
			SSLContext context = SSLContext.getInstance("TLS");
			context.init(null, factory.getTrustManagers(), null);
			return context;
		}
		catch (GeneralSecurityException ex) {
			throw new IOException(ex);
		}
	}

	/**
	 * A new client of this server (failing at once while it is down rather than queueing), closed
	 * with the server unless closed before.
	 * @return the client
	 */
	public synchronized Client client() {
		if (this.tls) {
			throw new IllegalStateException("build TLS clients with the certificate()");
		}
		Client client = Client.builder().endpoints(endpoint()).waitForReady(false).build();
		this.clients.add(client);
		return client;
	}

	/**
	 * Whether the process runs.
	 * @return whether it is alive
	 */
	public synchronized boolean isRunning() {
		return this.process != null && this.process.isAlive();
	}

	/**
	 * Kills etcd at once (SIGKILL to its PID), as a crash would.
	 */
	public synchronized void kill() {
		if (this.process == null || !this.process.isAlive()) {
			return;
		}
		this.process.destroyForcibly();
		try {
			this.process.waitFor(10, TimeUnit.SECONDS);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
	}

	/**
	 * Kills etcd, closes the clients made here and deletes the data directory.
	 */
	@Override
	public synchronized void close() {
		this.clients.forEach(Client::close);
		this.clients.clear();
		kill();
		try (var files = Files.walk(this.directory)) {
			for (Path file : files.sorted(Comparator.reverseOrder()).toList()) {
				Files.deleteIfExists(file);
			}
		}
		catch (IOException ex) {
			// a temporary directory left behind is harmless
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
			if (Files.isExecutable(Path.of(candidate))) {
				return candidate;
			}
		}
		throw new IOException("etcd is not installed, and the etcd tests need a real etcd: "
				+ "apt-get install -y etcd-server");
	}

	private static int[] freePorts(int count) throws IOException {
		List<ServerSocket> sockets = new ArrayList<>();
		try {
			int[] ports = new int[count];
			for (int i = 0; i < count; i++) {
				ServerSocket socket = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"));
				sockets.add(socket);
				ports[i] = socket.getLocalPort();
			}
			return ports;
		}
		finally {
			for (ServerSocket socket : sockets) {
				socket.close();
			}
		}
	}

	private static void sleep(long millis) {
		try {
			Thread.sleep(millis);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
	}

	@Override
	public String toString() {
		return "etcd[" + endpoint() + ((this.process != null) ? ", pid " + this.process.pid() : "") + "]";
	}

}
