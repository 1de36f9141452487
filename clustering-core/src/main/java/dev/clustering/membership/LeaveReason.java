package dev.clustering.membership;

/**
 * Why a node stopped being a member.
 */
public enum LeaveReason {

	/** The node said it was leaving (its application context closed). */
	LEFT,

	/** Its connection closed without a goodbye: the process died or the link broke. */
	CONNECTION_LOST,

	/** Its connection is open but it went silent past the failure detector's threshold. */
	UNREACHABLE

}
