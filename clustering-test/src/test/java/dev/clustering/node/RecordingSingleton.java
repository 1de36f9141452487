package dev.clustering.node;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BiConsumer;

import dev.clustering.singleton.ClusterSingleton;
import dev.clustering.singleton.SingletonContext;
import dev.clustering.singleton.SingletonSpec;
import dev.clustering.singleton.StartType;
import dev.clustering.singleton.StopReason;

/**
 * A singleton that writes every start and stop, on every node, to one shared log, and counts how
 * many instances run at once.
 */
final class RecordingSingleton implements ClusterSingleton {

	/** One line of the shared log. */
	record Entry(long nanos, String node, boolean start, StartType type, String from, StopReason reason, long token) {
	}

	static final class Log {

		final List<Entry> entries = new CopyOnWriteArrayList<>();

		// nodes running it now; a crashed node's instance dies with it (see crashed)
		final Set<String> running = ConcurrentHashMap.newKeySet();

		final AtomicInteger maxRunning = new AtomicInteger();

		// the context of each node's current run, to ask whether it still believes its token valid
		final Map<String, SingletonContext> contexts = new ConcurrentHashMap<>();

		// moments at which two runs both believed their tokens valid
		final List<String> overlaps = new CopyOnWriteArrayList<>();

		private volatile Thread sampler;

		/** The nodes whose run believes its token valid now. */
		Set<String> validNow() {
			Set<String> valid = new TreeSet<>();
			this.contexts.forEach((node, context) -> {
				if (context.isValid()) {
					valid.add(node + "#" + context.fencingToken());
				}
			});
			return valid;
		}

		/** Checks every millisecond, until {@link #stopSampling()}, that at most one run believes it is valid. */
		void startSampling() {
			Thread thread = new Thread(() -> {
				while (!Thread.currentThread().isInterrupted()) {
					Set<String> valid = validNow();
					if (valid.size() > 1) {
						this.overlaps.add(System.nanoTime() + " " + valid);
					}
					try {
						Thread.sleep(1);
					}
					catch (InterruptedException ex) {
						return;
					}
				}
			}, "validity-sampler");
			thread.setDaemon(true);
			thread.start();
			this.sampler = thread;
		}

		void stopSampling() {
			Thread thread = this.sampler;
			if (thread != null) {
				thread.interrupt();
			}
		}

		/**
		 * Every node hosts the singleton of a spec, each with its own instance writing to this log
		 * (for {@code LoopbackClusterBuilder.customize}).
		 * @param spec the singleton's placement rules
		 * @return the customizer
		 */
		BiConsumer<String, ClusterNodeBuilder> hosting(SingletonSpec spec) {
			return (name, builder) -> builder.singletonSpec(spec)
				.singleton(spec.name(), new RecordingSingleton(name, this));
		}

		void crashed(String node) {
			this.running.remove(node);
		}

		List<Entry> starts() {
			return this.entries.stream().filter(Entry::start).toList();
		}

		Entry lastStart() {
			List<Entry> starts = starts();
			return starts.isEmpty() ? null : starts.get(starts.size() - 1);
		}

	}

	private final String node;

	private final Log log;

	RecordingSingleton(String node, Log log) {
		this.node = node;
		this.log = log;
	}

	@Override
	public void start(SingletonContext context) {
		this.log.contexts.put(this.node, context);
		this.log.running.add(this.node);
		this.log.maxRunning.accumulateAndGet(this.log.running.size(), Math::max);
		this.log.entries.add(new Entry(System.nanoTime(), this.node, true, context.startType(), context.from(), null,
				context.fencingToken()));
	}

	@Override
	public void stop(StopReason reason) {
		this.log.entries.add(new Entry(System.nanoTime(), this.node, false, null, null, reason, 0));
		this.log.running.remove(this.node);
	}

}
