package dev.clustering.discovery.dns;

import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.xbill.DNS.DClass;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.SimpleResolver;
import org.xbill.DNS.Type;

/**
 * A real dnsmasq (Debian {@code dnsmasq-base}) on a free loopback port, authoritative for
 * {@code cluster.test} and {@code consul}, with an {@code addn-hosts} file that can be rewritten
 * during a test ({@link #hosts}) and is re-read on SIGHUP. Stopped by its PID. Missing dnsmasq is
 * an error, never a reason to skip.
 */
public final class Dnsmasq implements AutoCloseable {

	private static final List<String> LOCATIONS = List.of("/usr/sbin/dnsmasq", "/usr/local/sbin/dnsmasq",
			"/sbin/dnsmasq", "/usr/bin/dnsmasq");

	private final Path directory;

	private final Path hostsFile;

	private final Path log;

	private final int port;

	private final Process process;

	private Dnsmasq(Path directory, int port, Process process) {
		this.directory = directory;
		this.hostsFile = directory.resolve("hosts");
		this.log = directory.resolve("dnsmasq.log");
		this.port = port;
		this.process = process;
	}

	/**
	 * Starts dnsmasq and waits until it answers.
	 * @param hosts the first contents of the hosts file ({@code ip name} lines)
	 * @param config further configuration lines, such as {@code srv-host=...}
	 * @return the running server
	 * @throws IOException if dnsmasq is missing or cannot start
	 */
	public static Dnsmasq start(List<String> hosts, List<String> config) throws IOException {
		String binary = binary();
		// readable by everyone: run as root, dnsmasq drops to nobody before it re-reads the hosts file
		Path directory = Files.createTempDirectory("dnsmasq");
		Files.setPosixFilePermissions(directory, PosixFilePermissions.fromString("rwxr-xr-x"));
		writeReadable(directory.resolve("hosts"), hosts);
		IOException last = null;
		for (int attempt = 0; attempt < 5; attempt++) {
			int port = freeUdpAndTcpPort();
			List<String> lines = new ArrayList<>(List.of("port=" + port, "listen-address=127.0.0.1", "bind-interfaces",
					"no-resolv", "no-hosts", "no-poll", "local=/test/", "local=/consul/", "local-ttl=0",
					"host-record=ready.cluster.test,127.0.0.1", "addn-hosts=" + directory.resolve("hosts")));
			lines.addAll(config);
			Path conf = directory.resolve("dnsmasq.conf");
			writeReadable(conf, lines);
			Path log = directory.resolve("dnsmasq.log");
			// --keep-in-foreground, not --no-daemon: in debug mode dnsmasq answers TCP in its only
			// process, and a client keeping its TCP connection open (dnsjava does) blocks UDP
			Process process = new ProcessBuilder(binary, "--keep-in-foreground", "--log-facility=-",
					"--conf-file=" + conf, "--pid-file=")
				.redirectErrorStream(true)
				.redirectOutput(log.toFile())
				.start();
			Dnsmasq server = new Dnsmasq(directory, port, process);
			try {
				server.awaitReady();
				return server;
			}
			catch (IOException ex) {
				server.stop();
				last = ex;
			}
		}
		throw last;
	}

	private static void writeReadable(Path file, List<String> lines) throws IOException {
		Files.write(file, lines, StandardCharsets.UTF_8);
		Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r--r--"));
	}

	private static String binary() throws IOException {
		List<String> candidates = new ArrayList<>();
		String path = System.getenv("PATH");
		if (path != null) {
			for (String dir : path.split(":")) {
				candidates.add(dir + "/dnsmasq");
			}
		}
		candidates.addAll(LOCATIONS);
		for (String candidate : candidates) {
			if (Files.isExecutable(Path.of(candidate))) {
				return candidate;
			}
		}
		throw new IOException("dnsmasq is not installed, and the DNS tests need a real DNS server: "
				+ "apt-get install -y dnsmasq-base");
	}

	private static int freeUdpAndTcpPort() throws IOException {
		for (int i = 0; i < 20; i++) {
			try (DatagramSocket udp = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0))) {
				int port = udp.getLocalPort();
				try (ServerSocket tcp = new ServerSocket(port, 1, InetAddress.getByName("127.0.0.1"))) {
					return port;
				}
				catch (IOException ex) {
					// taken for TCP: try another
				}
			}
		}
		throw new IOException("no free port for both UDP and TCP on 127.0.0.1");
	}

	private void awaitReady() throws IOException {
		long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
		Message query = Message.newQuery(Record.newRecord(Name.fromConstantString("ready.cluster.test."), Type.A,
				DClass.IN));
		SimpleResolver resolver = new SimpleResolver(address());
		resolver.setTimeout(Duration.ofMillis(200));
		while (System.nanoTime() < deadline) {
			if (!this.process.isAlive()) {
				throw new IOException("dnsmasq exited with " + this.process.exitValue() + ": " + output());
			}
			try {
				if (resolver.send(query).getRcode() == Rcode.NOERROR) {
					return;
				}
			}
			catch (IOException ex) {
				// not listening yet
			}
			try {
				Thread.sleep(50);
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
				throw new IOException("interrupted", ex);
			}
		}
		throw new IOException("dnsmasq did not answer within 10 s: " + output());
	}

	/**
	 * Where dnsmasq listens.
	 * @return its UDP and TCP address
	 */
	public InetSocketAddress address() {
		return new InetSocketAddress("127.0.0.1", this.port);
	}

	/**
	 * The nameserver as a property value.
	 * @return {@code 127.0.0.1:port}
	 */
	public String nameserver() {
		return "127.0.0.1:" + this.port;
	}

	/**
	 * A resolver asking only this server.
	 * @return the resolver
	 */
	public DnsjavaResolver resolver() {
		return new DnsjavaResolver(List.of(address()), Duration.ofMillis(500));
	}

	/**
	 * Replaces the hosts file and makes dnsmasq re-read it (SIGHUP); callers await the change.
	 * @param lines {@code ip name} lines
	 * @throws IOException if the file cannot be written or the signal sent
	 */
	public void hosts(List<String> lines) throws IOException {
		writeReadable(this.hostsFile, lines);
		signal("HUP");
	}

	/**
	 * Whether dnsmasq is running.
	 * @return whether its process is alive
	 */
	public boolean isRunning() {
		return this.process.isAlive();
	}

	/**
	 * Stops dnsmasq (SIGTERM to its PID, then SIGKILL if it lingers).
	 */
	public void stop() {
		if (!this.process.isAlive()) {
			return;
		}
		this.process.destroy();
		try {
			if (!this.process.waitFor(5, TimeUnit.SECONDS)) {
				this.process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
			}
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
	}

	@Override
	public void close() {
		stop();
		try (var files = Files.list(this.directory)) {
			for (Path file : files.toList()) {
				Files.deleteIfExists(file);
			}
			Files.deleteIfExists(this.directory);
		}
		catch (IOException ex) {
			// a temporary directory left behind is harmless
		}
	}

	/**
	 * What dnsmasq has logged.
	 * @return its output
	 */
	public String output() {
		try {
			return Files.readString(this.log);
		}
		catch (IOException ex) {
			return "(no output: " + ex.getMessage() + ")";
		}
	}

	private void signal(String signal) throws IOException {
		try {
			Process kill = new ProcessBuilder("kill", "-" + signal, Long.toString(this.process.pid()))
				.redirectErrorStream(true)
				.start();
			if (!kill.waitFor(5, TimeUnit.SECONDS) || kill.exitValue() != 0) {
				throw new IOException("kill -" + signal + " " + this.process.pid() + " failed: "
						+ new String(kill.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
			}
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new IOException("interrupted", ex);
		}
	}

	@Override
	public String toString() {
		return "dnsmasq[pid " + this.process.pid() + ", " + nameserver() + "]";
	}

}
