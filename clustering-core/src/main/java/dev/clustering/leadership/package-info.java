/**
 * Leadership: one leader per cluster with a fencing token that only grows, its events, and the
 * split-brain rule that decides whether this side of a partition may have a leader at all.
 */
package dev.clustering.leadership;
