/**
 * The membership model: immutable {@link dev.clustering.membership.Member members} and
 * {@link dev.clustering.membership.ClusterSnapshot snapshots}, and the events derived from two snapshots.
 */
package dev.clustering.membership;
