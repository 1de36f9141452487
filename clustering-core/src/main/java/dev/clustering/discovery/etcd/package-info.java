/**
 * The {@code etcd} strategy: lease-kept registration, watch-based discovery and a linearizable
 * leader election with fencing tokens, on jetcd.
 */
package dev.clustering.discovery.etcd;
