package dev.clustering.singleton;

/**
 * How a singleton came to start on a node (OTP's start type).
 */
public enum StartType {

	/** First start in the cluster, or after it was stopped everywhere. */
	NORMAL,

	/** The node that ran it died, left, or lost its quorum. */
	FAILOVER,

	/** A node of higher priority (or the operator) took it over. */
	TAKEOVER,

	/**
	 * The node that ran it is shutting down: it stopped it cleanly and it was started here at once,
	 * without waiting out the failover timeout.
	 */
	HANDOVER

}
