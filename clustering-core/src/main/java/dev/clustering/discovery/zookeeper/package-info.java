/**
 * The {@code zookeeper} strategy: ephemeral registration, watch-based discovery and a leader
 * election with fencing tokens (the leader znode's creation zxid), on Apache Curator. Curator's
 * threads call in; each class says what it confines to which thread.
 */
package dev.clustering.discovery.zookeeper;
