/**
 * The strategy SPI: how a topology discovers nodes (polling, watching, registering, electing),
 * and the runtime state of each topology. Built-in strategies live in sub-packages. Each topology
 * runs its strategy on a thread of its own and hands answers to the node's event loop; a strategy
 * must not block the caller of its callbacks, and anything it throws is logged with the topology's
 * name and counted, never lost.
 */
package dev.clustering.discovery;
