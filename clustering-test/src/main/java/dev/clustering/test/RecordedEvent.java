package dev.clustering.test;

import dev.clustering.node.EngineEvent;

/**
 * One event as a node's listener received it, in {@link LoopbackCluster#timeline()}: with the
 * moment it arrived, so a test can time a fault to its effect on every node.
 *
 * @param nanos {@code System.nanoTime()} when the listener received it and put it in the timeline
 * (the timeline's order is its times' order)
 * @param node the node that heard it, by short name
 * @param event the event
 */
public record RecordedEvent(long nanos, String node, EngineEvent event) {
}
