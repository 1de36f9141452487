package dev.clustering.test;

import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.function.BooleanSupplier;
import java.util.function.Predicate;

import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

import dev.clustering.detection.FailureDetectorSettings;
import dev.clustering.leadership.LeaderInfo;
import dev.clustering.node.ClusterNode;
import dev.clustering.node.EngineEvent;
import dev.clustering.node.EventLoopPause;
import dev.clustering.singleton.SingletonInfo;

/**
 * Several nodes in one JVM, talking real TCP on loopback, each with a static topology that lists
 * them all (or a topology of the test's choice): for testing an application's cluster behaviour, and the engine's. Faults are injected
 * between the nodes (partitions, cuts, one-way cuts, a paused event loop, a killed, stopped or
 * restarted node), waits read like what a user checks ({@link #awaitLeader()},
 * {@link #awaitMembers()}, {@link #awaitSingletonOn(String)}), and every node's events are
 * recorded, per node and in one {@link #timeline()} of arrival times.
 * <p>
 * As a JUnit 5 extension it starts the nodes before each test and closes them after it:
 * <pre>{@code
 * @RegisterExtension
 * final LoopbackCluster cluster = LoopbackCluster.nodes(3).singleton("reports", Reports::new).build();
 * }</pre>
 * Without JUnit: {@code try (LoopbackCluster cluster = LoopbackCluster.nodes(3).build().start()) { ... }}.
 * Nodes are named by the given names ({@code n1}, {@code n2}, ... by default); every method takes
 * that short name, and returns short names.
 */
public final class LoopbackCluster implements AutoCloseable, BeforeEachCallback, AfterEachCallback {

	/**
	 * Fast failure detection for tests: 200 ms heartbeats and 200 ms acceptable pause, so a dead node
	 * is seen in well under a second and a leader's lease is 400 ms.
	 */
	public static final FailureDetectorSettings FAST = new FailureDetectorSettings(Duration.ofMillis(200),
			Duration.ofMillis(200), 8.0, Duration.ofMillis(50), 100);

	private final LoopbackClusterBuilder settings;

	// faults, read by every node's link filter on its event loop
	private final LinkFaults links = new LinkFaults();

	private final EventRecorder recorder;

	private final LoopbackNodes nodes;

	private final ClusterWaits waits;

	LoopbackCluster(LoopbackClusterBuilder settings) {
		this.settings = settings;
		this.recorder = new EventRecorder(settings.names.size() - 1, settings.recorded);
		this.nodes = new LoopbackNodes(settings, this.links, this.recorder);
		this.waits = new ClusterWaits(settings, this.nodes, this.recorder);
	}

	/**
	 * A cluster of nodes named {@code n1} to {@code n<count>}.
	 * @param count how many nodes
	 * @return a builder
	 */
	public static LoopbackClusterBuilder nodes(int count) {
		return LoopbackClusterBuilder.numbered(count);
	}

	/**
	 * A cluster of nodes with the given names.
	 * @param names the nodes' names (without {@code @host})
	 * @return a builder
	 */
	public static LoopbackClusterBuilder nodes(String... names) {
		return new LoopbackClusterBuilder(List.of(names));
	}

	/**
	 * Starts every node (each listens on a free loopback port).
	 * @return this cluster
	 */
	public synchronized LoopbackCluster start() {
		this.nodes.start();
		return this;
	}

	/** Closes every node, gracefully. */
	@Override
	public synchronized void close() {
		this.nodes.close();
		heal();
	}

	/**
	 * Heals every fault, then closes every node gracefully, several at a time (closing many nodes
	 * one after the other takes long: each waits for its goodbyes).
	 * @param parallelism how many nodes close at once
	 */
	public synchronized void close(int parallelism) {
		heal();
		this.nodes.close(parallelism);
	}

	@Override
	public void beforeEach(ExtensionContext context) {
		start();
	}

	@Override
	public void afterEach(ExtensionContext context) {
		close();
	}

	// ---- the nodes

	/**
	 * One node.
	 * @param name its short name
	 * @return the node
	 */
	public ClusterNode node(String name) {
		return this.nodes.node(name);
	}

	/**
	 * The nodes' short names, in order.
	 * @return the names
	 */
	public List<String> names() {
		return List.copyOf(this.settings.names);
	}

	/**
	 * Every node's short name but one, in order.
	 * @param name the node left out
	 * @return the others' names
	 */
	public List<String> others(String name) {
		return this.nodes.others(name);
	}

	/**
	 * When a node was last started (by {@link #start()} or {@link #restart(String)}): for waiting until
	 * it is past the engine's start-up lease, or telling the oldest node.
	 * @param name the node
	 * @return the {@code System.nanoTime()} taken just before its last start
	 */
	public long startedAt(String name) {
		return this.nodes.startedAt(name);
	}

	/**
	 * The nodes that run now (not killed or stopped).
	 * @return their short names
	 */
	public List<String> running() {
		return this.nodes.running();
	}

	/**
	 * Every event a node's listeners heard, in order (across its restarts).
	 * @param name the node
	 * @return the events
	 */
	public List<EngineEvent> events(String name) {
		return this.waits.events(name);
	}

	/**
	 * Every node's events in the order their listeners received them, each with its arrival time.
	 * @return the events
	 */
	public List<RecordedEvent> timeline() {
		return since(0);
	}

	/**
	 * A position in the {@link #timeline()}, to read what comes after it with {@link #since(int)}:
	 * take it just before a fault, then time the fault's effect on every node.
	 * @return the number of events recorded so far
	 */
	public int mark() {
		return this.recorder.mark();
	}

	/**
	 * The events recorded after a {@link #mark()}, in arrival order.
	 * @param mark the mark
	 * @return the events
	 */
	public List<RecordedEvent> since(int mark) {
		return this.recorder.since(mark);
	}

	/**
	 * Each node's first event of a kind that matches since a {@link #mark()}, with its arrival
	 * time: when every node had heard of a fault.
	 * @param <T> the kind
	 * @param mark the mark
	 * @param type the kind, such as {@code EngineEvent.MemberLeft.class}
	 * @param matching which events
	 * @return the first such event of each node that heard one, by short name
	 */
	public <T extends EngineEvent> Map<String, RecordedEvent> firstSince(int mark, Class<T> type,
			Predicate<? super T> matching) {
		return this.recorder.firstSince(mark, type, matching);
	}

	/**
	 * How many events of a kind all nodes' listeners have heard, whether they are recorded or not.
	 * @param type the kind, such as {@code EngineEvent.MemberJoined.class}
	 * @return the number
	 */
	public long heard(Class<? extends EngineEvent> type) {
		return this.recorder.heard(type);
	}

	/**
	 * When a node's listeners first had heard every other node join (counted whether events are
	 * recorded or not): for timing how long a cluster takes to form.
	 * @param name the node
	 * @return the {@code System.nanoTime()} of the last of those joins, or empty if not yet
	 */
	public OptionalLong formedAt(String name) {
		return this.waits.formedAt(name);
	}

	/**
	 * The events of one kind a node heard, in order.
	 * @param <T> the kind
	 * @param name the node
	 * @param type the kind, such as {@code EngineEvent.LeaderElected.class}
	 * @return the events
	 */
	public <T extends EngineEvent> List<T> events(String name, Class<T> type) {
		return this.waits.events(name, type);
	}

	/**
	 * Waits until a node's listeners have heard an event of a kind that matches (events are delivered
	 * on the node's event thread, a moment after the views that other waits read change).
	 * @param <T> the kind
	 * @param name the node
	 * @param type the kind, such as {@code EngineEvent.MemberLeft.class}
	 * @param matching which event
	 * @return the latest such event
	 */
	public <T extends EngineEvent> T awaitEvent(String name, Class<T> type, Predicate<? super T> matching) {
		return this.waits.awaitEvent(name, type, matching);
	}

	// ---- faults

	/**
	 * Splits the cluster: nodes on different sides cannot reach each other (their connections stay
	 * open, as with a blackhole route, and carry nothing). Nodes not listed form one more side.
	 * @param sides the sides, by short name
	 */
	@SafeVarargs
	public final void partition(Collection<String>... sides) {
		this.nodes.partition(sides);
	}

	/**
	 * Cuts the link between two nodes, both ways.
	 * @param a one node
	 * @param b the other
	 */
	public void cut(String a, String b) {
		cutOneWay(a, b);
		cutOneWay(b, a);
	}

	/**
	 * Cuts one direction of a link: what {@code from} sends never reaches {@code to}, while
	 * {@code to}'s frames still reach {@code from}.
	 * @param from the sender
	 * @param to the receiver
	 */
	public void cutOneWay(String from, String to) {
		this.nodes.cutOneWay(from, to);
	}

	/**
	 * Cuts a node from every other node.
	 * @param name the node
	 */
	public void isolate(String name) {
		this.nodes.isolate(name);
	}

	/** Heals every partition and cut. */
	public void heal() {
		this.links.heal();
	}

	/**
	 * Stalls a node's event loop (a long GC pause, a stuck handler) while its clock runs: a leader
	 * whose loop stalls must stop leading by the clock alone.
	 * @param name the node
	 * @param duration how long
	 */
	public void pause(String name, Duration duration) {
		this.nodes.pause(name, duration);
	}

	/**
	 * Stalls a node's event loop until the caller releases it, as a stopped process
	 * ({@code SIGSTOP}) would be; the hold tells when the loop actually stalled.
	 * <pre>{@code
	 * EventLoopPause.Hold hold = cluster.hold("n1");
	 * ... // measure from hold.stalledAt()
	 * long resumedAt = hold.release();
	 * }</pre>
	 * @param name the node
	 * @return the hold, once the loop has stalled
	 */
	public EventLoopPause.Hold hold(String name) {
		return this.nodes.hold(name);
	}

	/**
	 * Stops a node at once, without a word to its peers, as a crashed process would.
	 * @param name the node
	 */
	public void kill(String name) {
		this.nodes.kill(name);
	}

	/**
	 * Where and when a recorded singleton ({@link LoopbackClusterBuilder#recordedSingleton(String)})
	 * has run so far.
	 * @param singleton the singleton's name
	 * @return its record
	 */
	public SingletonRecord singletonRecord(String singleton) {
		return this.nodes.singletonRecord(singleton);
	}

	/**
	 * Stops a node gracefully: it hands its singletons over and leaves.
	 * @param name the node
	 */
	public void stop(String name) {
		node(name).close();
	}

	/**
	 * Starts a killed or stopped node again, on its port, as a new incarnation; while the port is
	 * still held (the old process's socket closing), it tries again for up to 5 s.
	 * @param name the node
	 */
	public void restart(String name) {
		this.nodes.restart(name);
	}

	// ---- waits

	/**
	 * Waits until every running node sees every other running node as an up member.
	 */
	public void awaitMembers() {
		this.waits.awaitMembers();
	}

	/**
	 * Waits until every running node has exactly this many up members besides itself.
	 * @param others how many other nodes each should see
	 */
	public void awaitMembers(int others) {
		this.waits.awaitMembers(others);
	}

	/**
	 * Whether every node runs, sees every other node up, and its listeners have heard that (joins
	 * less leaves since its last start), now (no waiting).
	 * @return whether the cluster is whole
	 */
	public boolean whole() {
		return this.waits.whole();
	}

	/**
	 * The leader the given nodes agree on now (no waiting): one of them, seen by all with the same
	 * fencing token, and leading by its own lease; every one of them must be running.
	 * @param among the nodes, by short name
	 * @return the leader and its fencing token, or empty if they do not agree
	 */
	public Optional<LeaderInfo> agreedLeader(Collection<String> among) {
		return this.waits.agreedLeader(among);
	}

	/**
	 * The node that runs a singleton now (no waiting), if every running node says so.
	 * @param singleton the singleton's name
	 * @return its short name, or empty if it runs nowhere or the nodes do not agree
	 */
	public Optional<String> placement(String singleton) {
		return this.waits.placement(singleton);
	}

	/**
	 * Waits until the running nodes agree on a leader, and it leads by its own lease.
	 * @return the leader and its fencing token
	 */
	public LeaderInfo awaitLeader() {
		return awaitLeader(running());
	}

	/**
	 * Waits until the given nodes agree on a leader (one of them), and it leads by its own lease.
	 * @param among the nodes, by short name
	 * @return the leader and its fencing token
	 */
	public LeaderInfo awaitLeader(Collection<String> among) {
		return this.waits.awaitLeader(among);
	}

	/**
	 * Waits until a node does not lead: its own lease has run out or was given up.
	 * @param name the node
	 */
	public void awaitNotLeading(String name) {
		this.waits.awaitNotLeading(name);
	}

	/**
	 * Waits until a singleton runs on one node, and every running node says so.
	 * @param singleton the singleton's name
	 * @return the node that runs it, by short name
	 */
	public String awaitSingletonOn(String singleton) {
		return this.waits.awaitSingletonOn(singleton);
	}

	/**
	 * Waits until a singleton runs on a given node, and every running node says so.
	 * @param singleton the singleton's name
	 * @param name the node, by short name
	 */
	public void awaitSingletonOn(String singleton, String name) {
		this.waits.awaitSingletonOn(singleton, name);
	}

	/**
	 * Waits until a condition holds, checking it every 20 ms, up to the cluster's timeout.
	 * @param description what is awaited, for the failure message
	 * @param condition the condition
	 * @throws AssertionError with the description and every node's view if the timeout passes
	 */
	public void await(String description, BooleanSupplier condition) {
		this.waits.await(description, condition);
	}

	/**
	 * Checks a condition every millisecond until it holds or the timeout passes, without failing: for
	 * measuring how long something takes, where a timeout is an outcome to count rather than a failed
	 * test ({@link #await} checks every 20 ms and fails).
	 * @param timeout how long to wait at most
	 * @param condition the condition
	 * @return whether it held within the timeout
	 */
	public static boolean within(Duration timeout, BooleanSupplier condition) {
		return Polling.within(timeout, condition);
	}

	/**
	 * What each node sees now: members, leader, singletons; for failure messages.
	 * @return one line per node
	 */
	public String views() {
		return this.waits.views();
	}

	/**
	 * The short name of a node from its full name ({@code n1@127.0.0.1} gives {@code n1}), as in
	 * {@link LeaderInfo#name()} and {@link SingletonInfo#node()}.
	 * @param fullName the full name
	 * @return the short name
	 */
	public static String shortName(String fullName) {
		int at = fullName.indexOf('@');
		return (at < 0) ? fullName : fullName.substring(0, at);
	}

}
