/**
 * The cluster transport: length-prefixed frames over TCP (Netty), the authenticated handshake
 * (protocol {@value dev.clustering.transport.FrameCodec#PROTOCOL_MAJOR}), and strict decoding of
 * everything a peer sends ({@link dev.clustering.transport.WireText},
 * {@link dev.clustering.transport.FrameCodec}). Nothing here decides membership; it reports
 * connections to the node. Every connection lives on the node's single event-loop thread; host
 * names are resolved on a resolver thread of the transport's own, never on that loop. A
 * {@code PeerConnection} hands its handshake, until it is established, to {@code Handshake} (which
 * owns the acceptor's guard slot, the deadline and the transcript), and then reads its frames
 * through {@code EstablishedFrames}, which holds no state of its own; both run on that loop.
 */
package dev.clustering.transport;
