/**
 * The test kit: {@link dev.clustering.test.LoopbackCluster} runs several nodes in one JVM on
 * loopback, injects faults between them, waits for what a user checks, and records every event.
 * <p>
 * Threads: a test drives the cluster from its own thread; faults are read by each node's event
 * loop (they live in concurrent collections), and events are recorded on each node's event thread.
 */
package dev.clustering.test;
