/**
 * The cluster transport: length-prefixed frames over TCP (Netty), the authenticated handshake
 * (protocol {@value dev.clustering.transport.FrameCodec#PROTOCOL_MAJOR}), and strict decoding of
 * everything a peer sends ({@link dev.clustering.transport.WireText},
 * {@link dev.clustering.transport.FrameCodec}). Nothing here decides membership; it reports
 * connections to the node. Every connection lives on the node's single event-loop thread; host
 * names are resolved on a resolver thread of the transport's own, never on that loop.
 */
package dev.clustering.transport;
