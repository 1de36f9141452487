package dev.clustering.test;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Predicate;

import dev.clustering.node.ClusterListener;
import dev.clustering.node.EngineEvent;

/**
 * What a {@link LoopbackCluster}'s listeners heard: the recorded events per node and in one timeline
 * of arrival times, and, recorded or not, how many events of each kind, each node's up peers and
 * when each node first heard every other node join. Written on each node's event thread, read by
 * the test's thread.
 */
final class EventRecorder {

	// every node's events, across its restarts
	private final Map<String, List<EngineEvent>> logs = new ConcurrentHashMap<>();

	// every node's events in arrival order, with their arrival time
	private final List<RecordedEvent> timeline = new ArrayList<>();

	// what the listeners heard, recorded or not: events per kind, each node's up peers (joins less
	// leaves, from its last start), and when each node first heard every other node join
	private final Map<Class<?>, LongAdder> heard = new ConcurrentHashMap<>();

	private final Map<String, AtomicInteger> heardUp = new ConcurrentHashMap<>();

	private final Map<String, Long> formedAt = new ConcurrentHashMap<>();

	private final int others;

	private final Predicate<? super EngineEvent> recorded;

	EventRecorder(int others, Predicate<? super EngineEvent> recorded) {
		this.others = others;
		this.recorded = recorded;
	}

	// the listener of a node being built: a new log, no peer heard up, not formed yet
	ClusterListener listenerFor(String name) {
		List<EngineEvent> log = new CopyOnWriteArrayList<>();
		AtomicInteger up = new AtomicInteger();
		this.heardUp.put(name, up);
		this.formedAt.remove(name);
		this.logs.put(name, log);
		return (event) -> {
			long now = System.nanoTime();
			this.heard.computeIfAbsent(event.getClass(), (kind) -> new LongAdder()).increment();
			if (event instanceof EngineEvent.MemberJoined && up.incrementAndGet() == this.others) {
				this.formedAt.putIfAbsent(name, now);
			}
			else if (event instanceof EngineEvent.MemberLeft) {
				up.decrementAndGet();
			}
			if (this.recorded.test(event)) {
				record(name, log, event);
			}
		};
	}

	// the time is read under the timeline's lock: nodes' event threads record concurrently, and
	// the timeline's order must be its times' order
	private void record(String name, List<EngineEvent> log, EngineEvent event) {
		log.add(event);
		synchronized (this.timeline) {
			this.timeline.add(new RecordedEvent(System.nanoTime(), name, event));
		}
	}

	// a new incarnation hears its peers join again
	void restarted(String name) {
		this.heardUp.get(name).set(0);
	}

	int heardUp(String name) {
		return this.heardUp.get(name).get();
	}

	List<EngineEvent> events(String name) {
		return List.copyOf(this.logs.get(name));
	}

	int mark() {
		synchronized (this.timeline) {
			return this.timeline.size();
		}
	}

	List<RecordedEvent> since(int mark) {
		synchronized (this.timeline) {
			return List.copyOf(this.timeline.subList(mark, this.timeline.size()));
		}
	}

	<T extends EngineEvent> Map<String, RecordedEvent> firstSince(int mark, Class<T> type,
			Predicate<? super T> matching) {
		Map<String, RecordedEvent> first = new LinkedHashMap<>();
		for (RecordedEvent recorded : since(mark)) {
			if (type.isInstance(recorded.event()) && matching.test(type.cast(recorded.event()))) {
				first.putIfAbsent(recorded.node(), recorded);
			}
		}
		return first;
	}

	long heard(Class<? extends EngineEvent> type) {
		return this.heard.entrySet().stream().filter((e) -> type.isAssignableFrom(e.getKey()))
			.mapToLong((e) -> e.getValue().sum())
			.sum();
	}

	OptionalLong formedAt(String name) {
		Long at = this.formedAt.get(name);
		return (at != null) ? OptionalLong.of(at) : OptionalLong.empty();
	}

}
