/**
 * The {@code static} strategy: a fixed list of {@code host:port} (libcluster's Epmd strategy).
 */
package dev.clustering.discovery.staticlist;
