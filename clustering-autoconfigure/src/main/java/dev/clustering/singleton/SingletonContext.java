package dev.clustering.singleton;

/**
 * What a singleton is told when it starts.
 *
 * @param name the singleton's name
 * @param node the node it runs on
 * @param startType how it started
 * @param from the node it came from (failover, takeover), or {@code null}
 * @param fencingToken a token larger than that of any earlier start of this singleton; guard
 * external writes with it
 */
public record SingletonContext(String name, String node, StartType startType, String from, long fencingToken) {
}
