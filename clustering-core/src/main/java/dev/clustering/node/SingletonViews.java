package dev.clustering.node;

import java.util.Collection;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.Map;

import dev.clustering.singleton.SingletonInfo;
import dev.clustering.singleton.SingletonSpec;
import dev.clustering.singleton.SingletonState;
import dev.clustering.singleton.SingletonStatus;

/**
 * Where each singleton runs, as this node knows it: every configured singleton is listed from the
 * start, stopped until a leader places it, then with its active run of the highest token (the leader
 * first shows a run it started over a claim it cannot vouch for), and stopped again once this node
 * leaves. Published as one immutable map through one volatile field: written only by the event loop
 * (through {@link Singletons}), read by any thread.
 */
final class SingletonViews {

	private final Map<String, SingletonSpec> specs;

	private volatile Map<String, SingletonInfo> views = Map.of();

	SingletonViews(Map<String, SingletonSpec> specs) {
		this.specs = specs;
		// every configured singleton is listed from the start, stopped until a leader places it
		Map<String, SingletonInfo> initial = new LinkedHashMap<>();
		this.specs.values().forEach((spec) -> initial.put(spec.name(), stopped(spec)));
		this.views = Map.copyOf(initial);
	}

	private static SingletonInfo stopped(SingletonSpec spec) {
		return new SingletonInfo(spec.name(), null, SingletonState.STOPPED, null, null, null, 0, spec.nodes());
	}

	/**
	 * Where each singleton runs; safe from any thread.
	 * @return the views by singleton name
	 */
	Map<String, SingletonInfo> get() {
		return this.views;
	}

	/**
	 * Publishes the views anew, on the event loop.
	 * @param placer the runs this node knows of, and the tokens this leadership issued
	 * @param leads whether this node leads
	 * @param leaving whether this node is leaving (it then shows every singleton stopped)
	 */
	void refresh(SingletonPlacer placer, boolean leads, boolean leaving) {
		Map<String, SingletonInfo> next = new LinkedHashMap<>();
		for (SingletonSpec spec : this.specs.values()) {
			Collection<Long> mine = placer.issued(spec.name());
			// the leader shows the run it started over a claim it cannot vouch for
			Comparator<SingletonStatus> order = Comparator
				.comparing((SingletonStatus s) -> leads && mine.contains(s.fencingToken()))
				.thenComparingLong(SingletonStatus::fencingToken);
			SingletonStatus current = leaving ? null
					: placer.live(spec.name()).stream().filter(SingletonStatus::isActive).max(order).orElse(null);
			next.put(spec.name(), (current != null)
					? new SingletonInfo(spec.name(), current.node(), current.state(), current.startType(),
							current.from(), current.since(), current.fencingToken(), spec.nodes())
					: stopped(spec));
		}
		this.views = Map.copyOf(next);
	}

}
