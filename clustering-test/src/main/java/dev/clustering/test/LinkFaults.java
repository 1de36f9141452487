package dev.clustering.test;

import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import dev.clustering.transport.LinkFilter;

/**
 * The faults between a {@link LoopbackCluster}'s nodes: sides of a partition, cut directions and
 * isolated nodes. Written by the test's thread, read by every node's link filter on its event loop
 * (hence concurrent collections).
 */
final class LinkFaults {

	private final Map<String, Integer> sides = new ConcurrentHashMap<>();

	private final Set<String> cuts = ConcurrentHashMap.newKeySet();

	private final Set<String> isolated = ConcurrentHashMap.newKeySet();

	void partition(List<String> all, Collection<String>[] sides) {
		this.sides.clear();
		for (int i = 0; i < sides.length; i++) {
			for (String name : sides[i]) {
				this.sides.put(name, i);
			}
		}
		for (String name : all) {
			this.sides.putIfAbsent(name, sides.length);
		}
	}

	void cutOneWay(String from, String to) {
		this.cuts.add(from + ">" + to);
	}

	void isolate(String name) {
		this.isolated.add(name);
	}

	void heal() {
		this.sides.clear();
		this.cuts.clear();
		this.isolated.clear();
	}

	// asked for every frame in or out: nothing to look up while there is no fault
	private boolean none() {
		return this.sides.isEmpty() && this.cuts.isEmpty() && this.isolated.isEmpty();
	}

	boolean dropped(String from, String to) {
		if (this.isolated.contains(from) || this.isolated.contains(to)) {
			return true;
		}
		Integer a = this.sides.get(from);
		Integer b = this.sides.get(to);
		return (a != null && b != null && !a.equals(b)) || this.cuts.contains(from + ">" + to);
	}

	/**
	 * What one node's transport drops (its peers are named {@code name@host}).
	 * @param self the node's short name
	 * @return its link filter
	 */
	LinkFilter filterFor(String self) {
		return new LinkFilter() {

			@Override
			public boolean isCut(String peer) {
				return dropsFrom(peer) && dropsTo(peer);
			}

			@Override
			public boolean dropsFrom(String peer) {
				return !none() && dropped(LoopbackCluster.shortName(peer), self);
			}

			@Override
			public boolean dropsTo(String peer) {
				return !none() && dropped(self, LoopbackCluster.shortName(peer));
			}

		};
	}

}
