package dev.clustering.faults;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The lab's network: a Linux bridge {@code cf<id>br} (10.231.&lt;id&gt;.1/24) in the root namespace and,
 * for node i, a namespace {@code cf<id>n<i>} whose {@code eth0} (10.231.&lt;id&gt;.(10+i)) is one end
 * of a veth pair whose other end is on the bridge. Faults are made inside those namespaces only:
 * blackhole routes (a cut that keeps TCP connections open), nft drop rules, and loss and delay on
 * {@code eth0}. Everything is removed on {@link #close()}, by a shutdown hook, and, when a previous
 * run's owner is dead, at the start of the next run.
 * <p>
 * Loss and delay use the netem qdisc where the kernel has it. Where it does not (some VM kernels
 * ship without {@code sch_netem}), loss is an nft {@code numgen random} drop rule and delay an
 * iptables NFQUEUE rule served by a small helper that accepts each packet after its delay.
 */
final class LabNetwork implements AutoCloseable {

	private static final String TABLE = "cflab";

	private final int id;

	private final int size;

	private final Path workDir;

	private final AtomicBoolean closed = new AtomicBoolean();

	private final Thread shutdownHook = new Thread(this::closeQuietly, "fault-lab-cleanup");

	private final List<Process> delayHelpers = new ArrayList<>();

	private boolean netem;

	private boolean netemActive;

	private int delayHelperMaxMillis;

	private LabNetwork(int id, int size, Path workDir) {
		this.id = id;
		this.size = size;
		this.workDir = workDir;
	}

	/**
	 * Builds the network for {@code size} nodes, after removing what dead runs left behind.
	 * @throws LabException when not root or when a command fails
	 */
	static LabNetwork create(int size, Path workDir) {
		if (!Commands.isRoot()) {
			throw new LabException("The fault lab must run as root: it creates network namespaces, a bridge, "
					+ "routes and firewall rules (run `mvn verify` or bin/faults as root)");
		}
		Commands.require("ip", "iproute2");
		Commands.require("nft", "nftables");
		LabLeftovers.removeStale();
		LabNetwork network = new LabNetwork(LabLeftovers.pickId(), size, workDir);
		Runtime.getRuntime().addShutdownHook(network.shutdownHook);
		try {
			network.build();
		}
		catch (RuntimeException ex) {
			network.close();
			throw ex;
		}
		return network;
	}

	int id() {
		return this.id;
	}

	String namespace(int node) {
		return "cf" + this.id + "n" + node;
	}

	String address(int node) {
		return "10.231." + this.id + "." + (10 + node);
	}

	/** The bridge's own address: the root namespace, where the driver (and the attacker) live. */
	String bridgeAddress() {
		return "10.231." + this.id + ".1";
	}

	/**
	 * Adds {@code count} more addresses to the bridge (10.231.&lt;id&gt;.200 and up), so that the
	 * attacker can connect from several sources (the nodes cap pending handshakes per address); they go
	 * with the bridge.
	 */
	List<String> addBridgeAddresses(int count) {
		List<String> addresses = new ArrayList<>();
		for (int i = 0; i < count; i++) {
			String address = "10.231." + this.id + "." + (200 + i);
			Commands.run("ip", "addr", "replace", address + "/32", "dev", bridge());
			addresses.add(address);
		}
		return addresses;
	}

	/** How loss and delay are made here, for the report. */
	String impairmentMethod() {
		return this.netem ? "tc netem" : "nft numgen loss + NFQUEUE delay helper (this kernel has no netem qdisc)";
	}

	private String bridge() {
		return "cf" + this.id + "br";
	}

	private void build() {
		try {
			LabLeftovers.mark(this.id);
		}
		catch (IOException ex) {
			throw new LabException("cannot write the lab's owner marker: " + ex.getMessage(), ex);
		}
		Commands.run("ip", "link", "add", bridge(), "type", "bridge");
		Commands.run("ip", "addr", "add", "10.231." + this.id + ".1/24", "dev", bridge());
		Commands.run("ip", "link", "set", bridge(), "up");
		for (int node = 1; node <= this.size; node++) {
			String ns = namespace(node);
			String veth = "cf" + this.id + "v" + node;
			Commands.run("ip", "netns", "add", ns);
			Commands.run("ip", "link", "add", veth, "type", "veth", "peer", "name", "eth0", "netns", ns);
			Commands.run("ip", "link", "set", veth, "master", bridge(), "up");
			Commands.run("ip", "-n", ns, "addr", "add", address(node) + "/24", "dev", "eth0");
			Commands.run("ip", "-n", ns, "link", "set", "eth0", "up");
			Commands.run("ip", "-n", ns, "link", "set", "lo", "up");
			inNamespace(node, "nft", "add", "table", "inet", TABLE);
			inNamespace(node, "nft", "add", "chain", "inet", TABLE, "out",
					"{ type filter hook output priority 0 ; policy accept ; }");
		}
		this.netem = Commands.exec("ip", "netns", "exec", namespace(1), "tc", "qdisc", "add", "dev", "eth0", "root",
				"netem", "delay", "1ms").ok();
		if (this.netem) {
			inNamespace(1, "tc", "qdisc", "del", "dev", "eth0", "root");
		}
		else {
			Commands.require("iptables-nft", "iptables");
			Commands.require("python3", "python3-minimal");
		}
	}

	private String inNamespace(int node, String... command) {
		List<String> full = new ArrayList<>(List.of("ip", "netns", "exec", namespace(node)));
		full.addAll(List.of(command));
		return Commands.run(full.toArray(String[]::new));
	}

	/** Blackholes traffic between the two nodes, both ways (their TCP connections stay open). */
	void cut(int a, int b) {
		Commands.run("ip", "-n", namespace(a), "route", "replace", "blackhole", address(b) + "/32");
		Commands.run("ip", "-n", namespace(b), "route", "replace", "blackhole", address(a) + "/32");
	}

	/** Removes the blackhole between the two nodes, both ways. */
	void uncut(int a, int b) {
		Commands.exec("ip", "-n", namespace(a), "route", "del", "blackhole", address(b) + "/32");
		Commands.exec("ip", "-n", namespace(b), "route", "del", "blackhole", address(a) + "/32");
	}

	/** Cuts every pair of nodes that are on different sides. */
	void partition(Collection<? extends Collection<Integer>> sides) {
		List<List<Integer>> list = sides.stream().map((side) -> List.copyOf(side)).toList();
		for (int i = 0; i < list.size(); i++) {
			for (int j = i + 1; j < list.size(); j++) {
				for (int a : list.get(i)) {
					for (int b : list.get(j)) {
						cut(a, b);
					}
				}
			}
		}
	}

	/** Drops what {@code from} sends to {@code to} (an nft rule in {@code from}'s namespace). */
	void dropOutput(int from, int to) {
		inNamespace(from, "nft", "add", "rule", "inet", TABLE, "out", "ip", "daddr", address(to), "drop");
	}

	/** Loses {@code percent} % of what every node sends on {@code eth0}. */
	void loss(int percent) {
		for (int node = 1; node <= this.size; node++) {
			if (this.netem) {
				inNamespace(node, "tc", "qdisc", "replace", "dev", "eth0", "root", "netem", "loss", percent + "%");
				this.netemActive = true;
			}
			else {
				inNamespace(node, "nft", "add", "rule", "inet", TABLE, "out", "oifname", "\"eth0\"", "numgen", "random",
						"mod", "100", "<", Integer.toString(percent), "drop");
			}
		}
	}

	/** Delays what every node sends on {@code eth0} by {@code millis} &plusmn; {@code jitter} (uniform). */
	void delay(int millis, int jitter) {
		for (int node = 1; node <= this.size; node++) {
			if (this.netem) {
				inNamespace(node, "tc", "qdisc", "replace", "dev", "eth0", "root", "netem", "delay", millis + "ms",
						jitter + "ms");
				this.netemActive = true;
			}
			else {
				startDelayHelper(node, millis, jitter);
				inNamespace(node, "iptables-nft", "-A", "OUTPUT", "-o", "eth0", "-j", "NFQUEUE", "--queue-num", "0",
						"--queue-bypass");
			}
		}
	}

	private void startDelayHelper(int node, int millis, int jitter) {
		Path script = this.workDir.resolve("nfqueue-delay.py");
		Path log = this.workDir.resolve("nfqueue-delay-n" + node + ".log");
		try (InputStream in = LabNetwork.class.getResourceAsStream("nfqueue-delay.py")) {
			if (in == null) {
				throw new LabException("nfqueue-delay.py is missing from the classpath");
			}
			Files.copy(in, script, StandardCopyOption.REPLACE_EXISTING);
			Process helper = new ProcessBuilder("ip", "netns", "exec", namespace(node), "python3", script.toString(), "0",
					Integer.toString(millis), Integer.toString(jitter))
				.redirectErrorStream(true)
				.redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
				.start();
			this.delayHelpers.add(helper);
			this.delayHelperMaxMillis = Math.max(this.delayHelperMaxMillis, millis + jitter);
			// the rule bypasses the queue until the helper has bound it, so wait for its greeting
			long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
			while (!Files.readString(log).contains("nfqueue-delay: queue")) {
				if (!helper.isAlive() || System.nanoTime() > deadline) {
					throw new LabException("the delay helper in " + namespace(node) + " did not start: "
							+ Files.readString(log, StandardCharsets.UTF_8).strip());
				}
				Thread.sleep(20);
			}
		}
		catch (IOException ex) {
			throw new LabException("cannot start the delay helper: " + ex.getMessage(), ex);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new LabException("interrupted", ex);
		}
	}

	/** Removes every fault from every namespace: routes, nft rules, qdiscs, delay helpers. */
	void heal() {
		List<String> problems = new ArrayList<>();
		for (int node = 1; node <= this.size; node++) {
			String ns = namespace(node);
			check(problems, Commands.exec("ip", "-n", ns, "route", "flush", "type", "blackhole"));
			check(problems, Commands.exec("ip", "netns", "exec", ns, "nft", "flush", "chain", "inet", TABLE, "out"));
			if (this.netemActive) {
				check(problems, Commands.exec("ip", "netns", "exec", ns, "tc", "qdisc", "del", "dev", "eth0", "root"));
			}
			if (!this.delayHelpers.isEmpty()) {
				check(problems, Commands.exec("ip", "netns", "exec", ns, "iptables-nft", "-F", "OUTPUT"));
			}
		}
		this.netemActive = false;
		stopDelayHelpers();
		if (!problems.isEmpty()) {
			throw new LabException("heal failed: " + String.join("; ", problems));
		}
	}

	private static void check(List<String> problems, Commands.Result result) {
		if (!result.ok()) {
			problems.add(result.describe());
		}
	}

	private void stopDelayHelpers() {
		if (this.delayHelpers.isEmpty()) {
			return;
		}
		try {
			// packets already queued are released before their helper goes
			Thread.sleep(this.delayHelperMaxMillis + 50L);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
		for (Process helper : this.delayHelpers) {
			helper.destroy();
		}
		this.delayHelpers.clear();
		this.delayHelperMaxMillis = 0;
	}

	/** Kills what still runs in the namespaces, then removes them, the bridge and the marker. */
	@Override
	public void close() {
		if (!this.closed.compareAndSet(false, true)) {
			return;
		}
		try {
			Runtime.getRuntime().removeShutdownHook(this.shutdownHook);
		}
		catch (IllegalStateException ex) {
			// already shutting down: this is the hook
		}
		for (Process helper : this.delayHelpers) {
			helper.destroyForcibly();
		}
		LabLeftovers.remove(this.id);
	}

	private void closeQuietly() {
		try {
			close();
		}
		catch (RuntimeException ex) {
			System.err.println("fault lab cleanup: " + ex.getMessage());
		}
	}

}
