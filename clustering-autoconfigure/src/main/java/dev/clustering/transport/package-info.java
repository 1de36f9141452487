/**
 * The cluster transport: length-prefixed frames over TCP (Netty), the authenticated handshake, and
 * heartbeats. Nothing here decides membership; it reports connections to the node.
 */
package dev.clustering.transport;
