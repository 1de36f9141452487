package dev.clustering.test;

import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

import dev.clustering.singleton.ClusterSingleton;
import dev.clustering.singleton.SingletonContext;
import dev.clustering.singleton.StartType;
import dev.clustering.singleton.StopReason;

/**
 * Where and when one singleton ran on a {@link LoopbackCluster}'s nodes, kept by a stand-in that
 * does no work ({@link LoopbackClusterBuilder#recordedSingleton(String)}): every start and stop,
 * which nodes run it now, and how often it started on one node while it ran on another (an
 * overlap, what a singleton must never do). A killed node's instance is gone from the moment of
 * {@link LoopbackCluster#kill(String)}, as with a crashed process.
 */
public final class SingletonRecord {

	private final List<Run> runs = new CopyOnWriteArrayList<>();

	private final Set<String> running = ConcurrentHashMap.newKeySet();

	private final AtomicInteger overlaps = new AtomicInteger();

	SingletonRecord() {
	}

	/**
	 * Every start and stop so far, in order.
	 * @return the runs
	 */
	public List<Run> runs() {
		return List.copyOf(this.runs);
	}

	/**
	 * The starts and stops after the first {@code mark}: with {@code runs().size()} taken before a
	 * fault, what came of it.
	 * @param mark how many runs to skip
	 * @return the later runs
	 */
	public List<Run> since(int mark) {
		List<Run> runs = runs();
		return runs.subList(mark, runs.size());
	}

	/**
	 * The nodes whose instance runs now (started, not stopped, not killed).
	 * @return their short names
	 */
	public Set<String> running() {
		return Set.copyOf(this.running);
	}

	/**
	 * How many starts came while another node's instance ran.
	 * @return the number of overlaps
	 */
	public int overlaps() {
		return this.overlaps.get();
	}

	void killed(String node) {
		this.running.remove(node);
	}

	ClusterSingleton on(String node) {
		return new ClusterSingleton() {

			@Override
			public void start(SingletonContext context) {
				long now = System.nanoTime();
				if (SingletonRecord.this.running.stream().anyMatch((other) -> !other.equals(node))) {
					SingletonRecord.this.overlaps.incrementAndGet();
				}
				SingletonRecord.this.running.add(node);
				SingletonRecord.this.runs.add(new Run(now, node, true, context.startType(), context.from(), null));
			}

			@Override
			public void stop(StopReason reason) {
				SingletonRecord.this.running.remove(node);
				SingletonRecord.this.runs.add(new Run(System.nanoTime(), node, false, null, null, reason));
			}

		};
	}

	/**
	 * One start or stop of the singleton.
	 *
	 * @param nanos {@code System.nanoTime()} on entry to {@code start()}, or on return from {@code stop()}
	 * @param node the node, by short name
	 * @param start whether it started (else it stopped)
	 * @param type how it started, for a start
	 * @param from the node it moved from (a full name), for a start, if any
	 * @param reason why it stopped, for a stop
	 */
	public record Run(long nanos, String node, boolean start, StartType type, String from, StopReason reason) {
	}

}
