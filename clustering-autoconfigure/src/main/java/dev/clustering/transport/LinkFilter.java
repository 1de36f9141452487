package dev.clustering.transport;

/**
 * Fault injection for tests: a link that is cut carries no frames either way, while its TCP
 * connection stays open, as with a frozen process or a silent network partition.
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

}
