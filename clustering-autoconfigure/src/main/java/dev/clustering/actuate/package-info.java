/**
 * Operations view of the cluster: the {@code cluster} actuator endpoint, the health indicator and
 * Micrometer metrics.
 */
package dev.clustering.actuate;
