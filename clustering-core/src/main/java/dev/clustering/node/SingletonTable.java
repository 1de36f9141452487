package dev.clustering.node;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

import dev.clustering.singleton.SingletonStatus;

/**
 * What every node reported about the singletons it runs (or ran), for the singletons this node
 * knows: at most one entry per singleton per member, dropped when the member is gone. Besides, for
 * each singleton, its latest run (highest token) ever reported, kept after its node is gone so the
 * leader knows what to fail over. Bounded by the number of singletons times the number of members.
 * Owned by the node's event loop.
 */
final class SingletonTable {

	private final Set<String> names;

	// node -> singleton -> status
	private final Map<String, Map<String, SingletonStatus>> byNode = new HashMap<>();

	private static final int MAX_GHOSTS = 16;

	// singleton -> node -> the active run of a node that no longer reports
	private final Map<String, Map<String, Ghost>> ghosts = new HashMap<>();

	// singleton -> its latest run (highest token) that was ever reported, and the incarnation of the
	// process that reported it
	private final Map<String, SingletonStatus> latest = new HashMap<>();

	private final Map<String, Long> latestIncarnation = new HashMap<>();

	SingletonTable(Set<String> names) {
		this.names = Set.copyOf(names);
	}

	/**
	 * Whether a singleton is known to this node (declared in its configuration).
	 * @param name the singleton
	 * @return whether it is known
	 */
	boolean knows(String name) {
		return this.names.contains(name);
	}

	/**
	 * Records what a node says about one singleton; a singleton this node does not know is ignored.
	 * @param status the status
	 * @param incarnation the incarnation of the node's process
	 * @return whether it was recorded
	 */
	boolean put(SingletonStatus status, long incarnation) {
		if (!this.names.contains(status.name())) {
			return false;
		}
		this.byNode.computeIfAbsent(status.node(), (n) -> new TreeMap<>()).put(status.name(), status);
		SingletonStatus known = this.latest.get(status.name());
		// a stopped report never hides another node's active run (a forged one cannot end a real run)
		boolean hides = known != null && known.isActive() && !status.isActive() && !status.node().equals(known.node());
		if (!hides && (known == null || status.fencingToken() > known.fencingToken()
				|| (status.fencingToken() == known.fencingToken() && status.node().equals(known.node())))) {
			this.latest.put(status.name(), status);
			this.latestIncarnation.put(status.name(), incarnation);
		}
		return true;
	}

	/**
	 * Replaces everything a node said with its whole state (anti-entropy).
	 * @param node the node
	 * @param incarnation the incarnation of the node's process
	 * @param statuses its statuses
	 */
	void replace(String node, long incarnation, Collection<SingletonStatus> statuses) {
		this.byNode.remove(node);
		statuses.forEach((status) -> put(status, incarnation));
	}

	/**
	 * Forgets what a node said (it is gone, or a new process took its name); its active runs stay
	 * known as ghosts (see {@link #ghosts}) until a newer run is confirmed.
	 * @param node the node
	 * @param incarnation the incarnation of the process that said it
	 */
	void forget(String node, long incarnation) {
		Map<String, SingletonStatus> statuses = this.byNode.remove(node);
		if (statuses == null) {
			return;
		}
		for (SingletonStatus status : statuses.values()) {
			if (status.isActive()) {
				Map<String, Ghost> ghosts = this.ghosts.computeIfAbsent(status.name(), (n) -> new HashMap<>());
				ghosts.put(node, new Ghost(status, incarnation));
				if (ghosts.size() > MAX_GHOSTS) {
					// bounded: the lowest token goes first
					ghosts.values()
						.stream()
						.min(Comparator.comparingLong((Ghost g) -> g.status().fencingToken()))
						.ifPresent((g) -> ghosts.remove(g.status().node()));
				}
			}
		}
	}

	/**
	 * The active runs of nodes that no longer report, which may still be going.
	 * @param name the singleton
	 * @return the ghosts
	 */
	List<Ghost> ghosts(String name) {
		Map<String, Ghost> ghosts = this.ghosts.get(name);
		return (ghosts != null) ? List.copyOf(ghosts.values()) : List.of();
	}

	/**
	 * A newer run is confirmed (it runs, with a token of this leader): ghosts with smaller tokens are
	 * over, their permits having run out before it could start.
	 * @param name the singleton
	 * @param token the confirmed run's token
	 */
	void confirmed(String name, long token) {
		Map<String, Ghost> ghosts = this.ghosts.get(name);
		if (ghosts != null) {
			ghosts.values().removeIf((g) -> g.status().fencingToken() < token);
		}
	}

	/**
	 * An active run of a node that no longer reports.
	 * @param status what its node last said
	 * @param incarnation the incarnation of the process that said it
	 */
	record Ghost(SingletonStatus status, long incarnation) {
	}

	/**
	 * What one node said about one singleton.
	 * @param node the node
	 * @param name the singleton
	 * @return the status, or {@code null}
	 */
	SingletonStatus get(String node, String name) {
		Map<String, SingletonStatus> statuses = this.byNode.get(node);
		return (statuses != null) ? statuses.get(name) : null;
	}

	/**
	 * Everything one node said, by singleton.
	 * @param node the node
	 * @return its statuses (a copy)
	 */
	List<SingletonStatus> of(String node) {
		Map<String, SingletonStatus> statuses = this.byNode.get(node);
		return (statuses != null) ? List.copyOf(statuses.values()) : List.of();
	}

	/**
	 * What every node that still reports says about one singleton.
	 * @param name the singleton
	 * @return the statuses
	 */
	List<SingletonStatus> reports(String name) {
		List<SingletonStatus> all = new ArrayList<>();
		this.byNode.values().forEach((statuses) -> {
			SingletonStatus status = statuses.get(name);
			if (status != null) {
				all.add(status);
			}
		});
		all.sort(Comparator.comparingLong(SingletonStatus::fencingToken));
		return all;
	}

	/**
	 * The latest run of a singleton ever reported, even by a node that is gone.
	 * @param name the singleton
	 * @return the status, or {@code null} if none was ever reported
	 */
	SingletonStatus latest(String name) {
		return this.latest.get(name);
	}

	/**
	 * The incarnation of the process that reported the latest run of a singleton.
	 * @param name the singleton
	 * @return the incarnation, or 0
	 */
	long latestIncarnation(String name) {
		return this.latestIncarnation.getOrDefault(name, 0L);
	}

	/**
	 * The nodes that hold a latest run, for pruning what is kept about gone nodes.
	 * @return node names
	 */
	Set<String> latestNodes() {
		Set<String> nodes = new HashSet<>();
		this.latest.values().forEach((status) -> nodes.add(status.node()));
		this.ghosts.values().forEach((byNode) -> nodes.addAll(byNode.keySet()));
		return nodes;
	}

	/**
	 * How many singletons (other than one) a node runs, as far as this node knows.
	 * @param node the node
	 * @param except the singleton not to count
	 * @return the count
	 */
	long running(String node, String except) {
		Map<String, SingletonStatus> statuses = this.byNode.get(node);
		if (statuses == null) {
			return 0;
		}
		return statuses.values().stream().filter((s) -> !s.name().equals(except) && s.isActive()).count();
	}

	/**
	 * A digest of what a node said, to compare with the digest it sends in its heartbeats.
	 * @param node the node
	 * @return the digest
	 */
	long digest(String node) {
		return digest(of(node));
	}

	/**
	 * A digest of statuses: the same on every node for the same statuses.
	 * @param statuses the statuses
	 * @return the digest (FNV-1a over the sorted fields)
	 */
	static long digest(Collection<SingletonStatus> statuses) {
		List<SingletonStatus> sorted = new ArrayList<>(statuses);
		sorted.sort(Comparator.comparing(SingletonStatus::name));
		long hash = 0xcbf29ce484222325L;
		for (SingletonStatus status : sorted) {
			String text = status.name() + "\u0000" + status.state().ordinal() + "\u0000" + status.fencingToken() + "\u0000"
					+ status.startType().ordinal() + "\u0000" + ((status.from() != null) ? status.from() : "") + "\u0000"
					+ status.since().toEpochMilli() + "\u0001";
			for (byte b : text.getBytes(StandardCharsets.UTF_8)) {
				hash ^= (b & 0xff);
				hash *= 0x100000001b3L;
			}
		}
		return hash;
	}

}
