package dev.clustering.transport;

/**
 * Fault injection for tests: a link that is cut carries no frames either way, while its TCP
 * connection stays open, as with a frozen process or a silent network partition; one direction
 * alone can be cut too.
 */
@FunctionalInterface
public interface LinkFilter {

	/** No link is cut. */
	LinkFilter NONE = peer -> false;

	/**
	 * Whether the link to a peer is cut.
	 * @param peerName the peer's node name
	 * @return whether frames to and from it are dropped
	 */
	boolean isCut(String peerName);

	/**
	 * Whether frames from a peer are dropped (a one-way cut when only one direction is).
	 * @param peerName the peer's node name
	 * @return whether they are; by default, whether the link is cut
	 */
	default boolean dropsFrom(String peerName) {
		return isCut(peerName);
	}

	/**
	 * Whether frames to a peer are dropped.
	 * @param peerName the peer's node name
	 * @return whether they are; by default, whether the link is cut
	 */
	default boolean dropsTo(String peerName) {
		return isCut(peerName);
	}

}
