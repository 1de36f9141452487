package dev.clustering.leadership;

import java.time.Instant;

/**
 * Who leads, as this node sees it.
 *
 * @param name the leader's node name
 * @param since when this node learned of it
 * @param fencingToken the leader's fencing token; a later leader always has a larger one
 */
public record LeaderInfo(String name, Instant since, long fencingToken) {
}
