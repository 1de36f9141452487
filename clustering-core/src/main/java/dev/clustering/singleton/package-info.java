/**
 * Singletons, as Erlang/OTP distributed applications: work that runs on exactly one node, placed
 * by priority, moved on failover and taken over by a node of higher priority.
 */
package dev.clustering.singleton;
