package dev.clustering.discovery.zookeeper;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.KeyStoreException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BiFunction;
import java.util.function.Function;

import dev.clustering.discovery.TestCertificates;
import dev.clustering.discovery.TestProcesses;

/**
 * A real ZooKeeper server as a process of its own: Debian's {@code zookeeper} package
 * ({@link #startDebian(int)}), or the server of the ZooKeeper jar this build depends on
 * ({@code ZooKeeperServerMain}, in a JVM of its own). On a free loopback port, with a data
 * directory that outlives the process: killed with SIGKILL and started again on the same port and
 * data, as a crashed server comes back. Stopped by its PID, and by a shutdown hook should the tests
 * exit first. Public for the benchmark, which starts it from its own (repackaged) jar.
 * <p>
 * {@link #startTls(int)} also serves clients over TLS on a second port, with a self-signed
 * certificate for 127.0.0.1, and asks them for a certificate of their own: the one in
 * {@link #clientKeyStore()}. The plain port stays open for the tests' own checks.
 */
public final class ZooKeeperProcess implements AutoCloseable {

	private static final String MAIN = "org.apache.zookeeper.server.ZooKeeperServerMain";

	private static final String DEBIAN_SCRIPT = "/usr/share/zookeeper/bin/zkServer.sh";

	private final Path directory;

	private final int port;

	private final int tickMillis;

	private final Function<Path, ProcessBuilder> launcher;

	private final int securePort;

	private final Thread hook = new Thread(this::close, "zookeeper-stopper");

	private Process process;

	private ZooKeeperProcess(Path directory, int port, int tickMillis, Function<Path, ProcessBuilder> launcher,
			int securePort) {
		this.directory = directory;
		this.port = port;
		this.tickMillis = tickMillis;
		this.launcher = launcher;
		this.securePort = securePort;
	}

	/**
	 * Starts a server and waits until it serves.
	 * @param tickMillis its tick (sessions may last 2 to 20 ticks)
	 * @return the running server
	 * @throws IOException if it does not start
	 */
	public static ZooKeeperProcess start(int tickMillis) throws IOException {
		return start(tickMillis, ZooKeeperProcess::classPathCommand);
	}

	/**
	 * Starts a server from another class path and waits until it serves.
	 * @param tickMillis its tick (sessions may last 2 to 20 ticks)
	 * @param java the command that runs a main class, given JVM options and the class's name (the
	 * server's arguments follow it)
	 * @return the running server
	 * @throws IOException if it does not start
	 */
	public static ZooKeeperProcess start(int tickMillis, BiFunction<List<String>, String, List<String>> java)
			throws IOException {
		return start(new ZooKeeperProcess(Files.createTempDirectory("zk-process"), freePort(), tickMillis,
				jarServer(java), -1));
	}

	/**
	 * Starts the server of Debian's {@code zookeeper} package ({@value #DEBIAN_SCRIPT}
	 * {@code start-foreground}), and waits until it serves. A missing package is an error, never a
	 * reason to skip: {@code bin/test} installs it.
	 * @param tickMillis its tick (sessions may last 2 to 20 ticks)
	 * @return the running server
	 * @throws IOException if the package is missing or the server does not start
	 */
	public static ZooKeeperProcess startDebian(int tickMillis) throws IOException {
		if (!Files.isExecutable(Path.of(DEBIAN_SCRIPT))) {
			throw new IOException("Debian's ZooKeeper server is missing (" + DEBIAN_SCRIPT
					+ "): apt-get install --no-install-recommends zookeeper, as bin/test does");
		}
		Path directory = Files.createTempDirectory("zk-process");
		return start(new ZooKeeperProcess(directory, freePort(), tickMillis, (config) -> {
			ProcessBuilder builder = new ProcessBuilder(DEBIAN_SCRIPT, "start-foreground", config.toString());
			builder.environment().put("ZOO_LOG_DIR", directory.toString());
			builder.environment().put("SERVER_JVMFLAGS", "-Xmx128m");
			return builder;
		}, -1));
	}

	private static Function<Path, ProcessBuilder> jarServer(BiFunction<List<String>, String, List<String>> java) {
		return (config) -> {
			List<String> command = new ArrayList<>(java.apply(List.of("-Xmx128m",
					"-Dzookeeper.4lw.commands.whitelist=ruok", "-Dzookeeper.admin.enableServer=false"), MAIN));
			command.add(config.toString());
			return new ProcessBuilder(command);
		};
	}

	/**
	 * Starts a server that also serves TLS, with client certificates required, and waits until it
	 * serves.
	 * @param tickMillis its tick (sessions may last 2 to 20 ticks)
	 * @return the running server
	 * @throws IOException if it does not start
	 */
	public static ZooKeeperProcess startTls(int tickMillis) throws IOException {
		Path directory = Files.createTempDirectory("zk-process");
		KeyStore server = TestCertificates.selfSigned(directory.resolve("server.p12"), "zookeeper");
		KeyStore client = TestCertificates.selfSigned(directory.resolve("client.p12"), "node");
		try {
			TestCertificates.trustStore(directory.resolve("server-trust.p12"), "node", client.getCertificate("node"));
			TestCertificates.trustStore(directory.resolve("client-trust.p12"), "zookeeper",
					server.getCertificate("zookeeper"));
		}
		catch (KeyStoreException ex) {
			throw new IOException(ex);
		}
		return start(new ZooKeeperProcess(directory, freePort(), tickMillis,
				jarServer(ZooKeeperProcess::classPathCommand), freePort()));
	}

	private static ZooKeeperProcess start(ZooKeeperProcess server) throws IOException {
		Runtime.getRuntime().addShutdownHook(server.hook);
		server.startAgain();
		return server;
	}

	private static int freePort() throws IOException {
		try (ServerSocket socket = new ServerSocket(0)) {
			return socket.getLocalPort();
		}
	}

	/**
	 * Runs a main class with this JVM's class path.
	 * @param options JVM options
	 * @param mainClass the class
	 * @return the command, to which the program's arguments are appended
	 */
	public static List<String> classPathCommand(List<String> options, String mainClass) {
		List<String> command = new ArrayList<>();
		command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
		command.addAll(options);
		command.addAll(List.of("-cp", System.getProperty("java.class.path"), mainClass));
		return command;
	}

	/**
	 * Where clients connect.
	 * @return {@code 127.0.0.1:port}
	 */
	public String connectString() {
		return "127.0.0.1:" + this.port;
	}

	/**
	 * Where clients connect over TLS ({@link #startTls(int)} only).
	 * @return {@code 127.0.0.1:port}
	 */
	public String secureConnectString() {
		if (this.securePort < 0) {
			throw new IllegalStateException("started without TLS");
		}
		return "127.0.0.1:" + this.securePort;
	}

	/**
	 * A client's key pair that the server accepts ({@link #startTls(int)} only).
	 * @return a PKCS12 store, password {@link TestCertificates#PASSWORD}
	 */
	public Path clientKeyStore() {
		return this.directory.resolve("client.p12");
	}

	/**
	 * A trust store that holds the server's certificate ({@link #startTls(int)} only).
	 * @return a PKCS12 store, password {@link TestCertificates#PASSWORD}
	 */
	public Path clientTrustStore() {
		return this.directory.resolve("client-trust.p12");
	}

	/**
	 * The client port, the same after {@link #startAgain()}.
	 * @return the port
	 */
	public int port() {
		return this.port;
	}

	/**
	 * The server's process id, while it runs.
	 * @return its PID, or -1
	 */
	public synchronized long pid() {
		return (this.process != null && this.process.isAlive()) ? this.process.pid() : -1;
	}

	@Override
	public String toString() {
		return "ZooKeeper " + connectString() + " (pid " + pid() + ", tick " + this.tickMillis + " ms)";
	}

	/**
	 * Starts the server (again) on its port and data, and waits until it answers {@code ruok}.
	 * @throws IOException if it does not serve within 30 s
	 */
	public synchronized void startAgain() throws IOException {
		this.process = this.launcher.apply(writeConfig())
			.redirectErrorStream(true)
			.redirectOutput(this.directory.resolve("server.log").toFile())
			.start();
		TestProcesses.awaitAnswer(this.process, this::answers, Duration.ofSeconds(30), "ZooKeeper",
				this.directory.resolve("server.log"));
	}

	private Path writeConfig() throws IOException {
		Path data = Files.createDirectories(this.directory.resolve("data"));
		List<String> lines = new ArrayList<>(List.of("tickTime=" + this.tickMillis, "dataDir=" + data,
				"clientPort=" + this.port, "clientPortAddress=127.0.0.1", "admin.enableServer=false",
				"4lw.commands.whitelist=ruok"));
		if (this.securePort >= 0) {
			lines.addAll(List.of("secureClientPort=" + this.securePort,
					"serverCnxnFactory=org.apache.zookeeper.server.NettyServerCnxnFactory",
					"ssl.keyStore.location=" + this.directory.resolve("server.p12"),
					"ssl.keyStore.password=" + TestCertificates.PASSWORD, "ssl.keyStore.type=PKCS12",
					"ssl.trustStore.location=" + this.directory.resolve("server-trust.p12"),
					"ssl.trustStore.password=" + TestCertificates.PASSWORD, "ssl.trustStore.type=PKCS12",
					"ssl.clientAuth=need"));
		}
		Path config = this.directory.resolve("zoo.cfg");
		Files.write(config, lines);
		return config;
	}

	private boolean answers() {
		try (Socket socket = new Socket()) {
			socket.connect(new InetSocketAddress("127.0.0.1", this.port), 500);
			socket.setSoTimeout(500);
			OutputStream out = socket.getOutputStream();
			out.write("ruok".getBytes(StandardCharsets.US_ASCII));
			out.flush();
			byte[] answer = socket.getInputStream().readNBytes(4);
			return "imok".equals(new String(answer, StandardCharsets.US_ASCII));
		}
		catch (IOException ex) {
			return false;
		}
	}

	/** Kills the server with SIGKILL, as a crash would, and waits until it is gone. */
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
