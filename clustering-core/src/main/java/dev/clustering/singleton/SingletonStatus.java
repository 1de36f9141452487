package dev.clustering.singleton;

import java.time.Instant;

/**
 * A singleton's state on one node, as that node reported it; every node keeps these for every
 * singleton, so any node can tell where each one runs.
 *
 * @param name the singleton
 * @param node the node
 * @param state its state there
 * @param startType how it started there
 * @param from where it came from, or {@code null}
 * @param fencingToken the token of that start
 * @param since when it reached the state
 */
public record SingletonStatus(String name, String node, SingletonState state, StartType startType, String from,
		long fencingToken, Instant since) {

	/**
	 * Whether the singleton is (or may be) active there.
	 * @return whether the state is anything but stopped
	 */
	public boolean isActive() {
		return this.state != SingletonState.STOPPED;
	}

}
