package dev.clustering.faults;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;

/**
 * The faults, each as one window in the driver log: apply, hold, heal, then measure how long the
 * views take to agree. A fault that touches a majority of the nodes (loss or delay everywhere) is
 * marked {@code no-quorum}, so the gap rule does not apply inside it.
 */
final class FaultScenarios {

	private final Lab lab;

	private final Random random;

	private final Duration settle;

	private int sequence;

	FaultScenarios(Lab lab, Random random, Duration settle) {
		this.lab = lab;
		this.random = random;
		this.settle = settle;
	}

	/** A symmetric partition: blackhole routes between every pair of nodes on different sides. */
	void partition(Set<Integer> minority, Duration hold) {
		Set<Integer> majority = others(minority);
		String kind = "partition-" + majority.size() + "|" + minority.size();
		this.lab.driver().note("partition " + names(majority) + " | " + names(minority));
		window(kind, true, all(), hold, () -> this.lab.network().partition(List.of(majority, minority)));
	}

	/** A partition into random sides (a random minority of one or two nodes). */
	void randomPartition(Duration hold) {
		partition(randomNodes(1 + this.random.nextInt(2), Set.of()), hold);
	}

	/** {@code a}'s packets reach {@code b}, {@code b}'s do not reach {@code a}. */
	void oneWay(int a, int b, Duration hold) {
		this.lab.driver().note("one-way: n" + a + " reaches n" + b + ", n" + b + " does not reach n" + a);
		window("one-way", true, List.of(a, b), hold, () -> this.lab.network().dropOutput(b, a));
	}

	/** {@code a} and {@code b} cannot see each other; every other node sees both. */
	void bridge(int a, int b, Duration hold) {
		this.lab.driver().note("bridge: n" + a + " and n" + b + " cut from each other only");
		window("bridge-node", true, List.of(a, b), hold, () -> this.lab.network().cut(a, b));
	}

	void loss(int percent, Duration hold) {
		window("loss-" + percent + "%", false, all(), hold, () -> this.lab.network().loss(percent));
	}

	void delay(int millis, int jitter, Duration hold) {
		window("delay-" + millis + "+-" + jitter + "ms", false, all(), hold,
				() -> this.lab.network().delay(millis, jitter));
	}

	/** Cuts {@code node} from the rest for a second, restores it for a second, and so on. */
	void flap(int node, Duration duration) {
		Set<Integer> rest = others(Set.of(node));
		this.lab.driver().note("flapping: n" + node + " against " + names(rest));
		window("flapping", true, List.of(node), Duration.ZERO, () -> {
			long end = System.nanoTime() + duration.toNanos();
			boolean cut = false;
			while (System.nanoTime() < end) {
				cut = !cut;
				for (int other : rest) {
					if (cut) {
						this.lab.network().cut(node, other);
					}
					else {
						this.lab.network().uncut(node, other);
					}
				}
				Lab.sleep(Duration.ofSeconds(1));
			}
		});
	}

	/** Freezes the leader's JVM (SIGSTOP) and thaws it (SIGCONT) after {@code duration}. */
	void freezeLeader(Duration duration) {
		int leader = this.lab.leaderIndex();
		if (leader == 0) {
			this.lab.driver().note("frozen-leader skipped: no leader in the views");
			return;
		}
		NodeProcess node = this.lab.node(leader);
		String id = next("frozen-leader");
		this.lab.driver().begin(id, "frozen-leader", true, List.of(node.name));
		this.lab.signal(node, "STOP");
		try {
			holdAndNote(id, duration);
		}
		finally {
			this.lab.signal(node, "CONT");
			this.lab.driver().end(id);
		}
		this.lab.awaitConvergence(id, this.settle);
	}

	private void window(String kind, boolean quorum, Collection<Integer> affected, Duration hold, Runnable apply) {
		String id = next(kind);
		this.lab.driver().begin(id, kind, quorum, affected.stream().map((i) -> "n" + i).toList());
		try {
			apply.run();
			holdAndNote(id, hold);
		}
		finally {
			this.lab.network().heal();
			this.lab.driver().end(id);
		}
		this.lab.awaitConvergence(id, this.settle);
	}

	/**
	 * Waits {@code hold}, recording the views shortly before it ends (and how long reading them took:
	 * delay and loss slow it, a frozen node never answers), so the fault lasts {@code hold} exactly.
	 */
	private void holdAndNote(String id, Duration hold) {
		long end = System.nanoTime() + hold.toNanos();
		Lab.sleep(hold.minusMillis(1500).isNegative() ? Duration.ZERO : hold.minusMillis(1500));
		long start = System.nanoTime();
		String views = ClusterViews.describe(this.lab.views());
		this.lab.driver().note("views before healing " + id + " (read in " + (System.nanoTime() - start) / 1_000_000
				+ " ms): " + views);
		Lab.sleep(Duration.ofNanos(Math.max(0, end - System.nanoTime())));
	}

	String next(String kind) {
		return kind + "#" + (++this.sequence);
	}

	/** {@code count} random nodes, none from {@code excluded}. */
	Set<Integer> randomNodes(int count, Set<Integer> excluded) {
		List<Integer> candidates = new ArrayList<>(others(excluded));
		Collections.shuffle(candidates, this.random);
		return new TreeSet<>(candidates.subList(0, count));
	}

	/** A random node other than those given. */
	int randomOther(Integer... excluded) {
		return randomNodes(1, Set.of(excluded)).iterator().next();
	}

	static Set<Integer> others(Set<Integer> nodes) {
		Set<Integer> others = new TreeSet<>();
		for (int i = 1; i <= Lab.SIZE; i++) {
			if (!nodes.contains(i)) {
				others.add(i);
			}
		}
		return others;
	}

	private static List<Integer> all() {
		return List.copyOf(others(Set.of()));
	}

	private static String names(Collection<Integer> nodes) {
		return nodes.stream().map((i) -> "n" + i).collect(Collectors.joining(","));
	}

}
