/**
 * The cluster engine: {@link dev.clustering.node.ClusterNode} ties transport, failure detection and
 * topologies together, and is built and run in plain Java, without a Spring context.
 */
package dev.clustering.node;
