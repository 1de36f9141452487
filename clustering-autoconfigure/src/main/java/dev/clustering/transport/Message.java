package dev.clustering.transport;

import java.util.Map;

import dev.clustering.membership.NodeAddress;

/**
 * The messages nodes exchange, one per frame.
 */
public sealed interface Message {

	/** First frame of the initiator: who it is and a fresh nonce. */
	record Hello(int version, String name, long incarnation, NodeAddress address, byte[] nonce,
			Map<String, String> metadata) implements Message {
	}

	/** The acceptor's answer: who it is, its nonce, and its proof that it knows the cookie. */
	record Challenge(String name, long incarnation, NodeAddress address, byte[] nonce, Map<String, String> metadata,
			byte[] proof) implements Message {
	}

	/** The initiator's proof that it knows the cookie. */
	record Response(byte[] proof) implements Message {
	}

	/** The acceptor admits the initiator. */
	record Welcome() implements Message {
	}

	/** Either side refuses the connection, with why. */
	record Reject(RejectReason reason, String detail) implements Message {
	}

	/** I am alive. */
	record Heartbeat() implements Message {
	}

	/** I am leaving the cluster (graceful shutdown). */
	record Leave() implements Message {
	}

	/**
	 * The sender's leadership claim: it leads with a fencing token, or it does not lead (token 0).
	 */
	record Claim(long token) implements Message {
	}

	/**
	 * Where a singleton stands on the sending node: broadcast by the node that runs (or ran) it.
	 */
	record SingletonState(String name, int state, long token, int startType, String from, long sinceMillis)
			implements Message {
	}

	/**
	 * The leader's order to a node: start (with a fencing token, how and from where) or stop a singleton.
	 */
	record SingletonOrder(String name, boolean start, long token, int startType, String from, int stopReason)
			implements Message {
	}

	/** Why a connection was refused. */
	enum RejectReason {

		/** The protocol versions differ. */
		VERSION,

		/** The proof did not match: the cookies differ. */
		AUTHENTICATION,

		/** A different node with that name is already a member. */
		DUPLICATE_NAME,

		/** The node is shutting down. */
		LEAVING,

		/** The connection is not allowed (for example, no cookie and not on loopback). */
		NOT_ALLOWED

	}

}
