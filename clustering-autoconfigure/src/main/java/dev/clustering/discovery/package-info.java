/**
 * The strategy SPI: how a topology discovers nodes (polling, watching, registering, electing),
 * and the runtime state of each topology. Built-in strategies live in sub-packages.
 */
package dev.clustering.discovery;
