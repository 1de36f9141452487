/**
 * The {@code none} strategy: discovers nothing, for a one-node development cluster (nessie's {@code Ignore}).
 */
package dev.clustering.discovery.none;
