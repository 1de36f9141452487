package dev.clustering.singleton;

import java.time.Instant;
import java.util.List;

/**
 * A singleton as a node sees it: where it runs, since when, and how it got there.
 *
 * @param name the singleton
 * @param node where it is active, or {@code null} if nowhere
 * @param state its state there ({@code STOPPED} when it runs nowhere)
 * @param startType how it started there, or {@code null}
 * @param from where it came from, or {@code null}
 * @param since when it reached that state, or {@code null}
 * @param fencingToken the token of that start, or 0
 * @param nodes its configured priority groups
 */
public record SingletonInfo(String name, String node, SingletonState state, StartType startType, String from,
		Instant since, long fencingToken, List<List<String>> nodes) {
}
