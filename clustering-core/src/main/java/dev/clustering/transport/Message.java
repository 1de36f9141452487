package dev.clustering.transport;

import java.util.List;
import java.util.Map;

import dev.clustering.membership.NodeAddress;

/**
 * The messages nodes exchange, one per frame. Every field is validated when the frame is decoded
 * (see {@link FrameCodec}): names follow {@link WireText#isNodeName}, strings are strict UTF-8
 * without control characters, enums are in range (or, from a peer of a newer minor version, mapped
 * to a documented fallback), tokens are not negative.
 * <p>
 * The handshake, in which the dialling side proves first, so that nothing derived from the cookie
 * reaches a peer that has not proved it knows it, and identities (incarnation, metadata) are told
 * only to a peer that has:
 *
 * <pre>
 * initiator                                     acceptor
 *   Hello(version, name, address, nonceI)  --&gt;
 *                                          &lt;--   Challenge(name, minor, nonceA)
 *   Response(proofI, incarnationI)         --&gt;              (checks proofI)
 *                                          &lt;--   Welcome(proofA, incarnationA, address, metadata) | Reject
 *   (checks proofA)
 *   Confirm(metadata) | Reject             --&gt;
 * </pre>
 */
public sealed interface Message {

	/**
	 * First frame of the initiator: protocol version, who it is, where it listens, a fresh nonce.
	 * @param major the protocol's major version; a different one is refused
	 * @param minor the protocol's minor version; newer minors add messages and enum values that
	 * older nodes skip
	 * @param name the initiator's node name
	 * @param address the address it advertises (checked against the socket only after it proved
	 * it knows the cookie)
	 * @param nonce fresh random bytes
	 */
	record Hello(int major, int minor, String name, NodeAddress address, byte[] nonce) implements Message {
	}

	/**
	 * A hello of another major version: only its version was read, so it can be refused clearly.
	 * @param major the version the peer speaks
	 */
	record ForeignHello(int major) implements Message {
	}

	/**
	 * The acceptor's answer to a hello: its name and a fresh nonce; nothing derived from the cookie.
	 * @param name the acceptor's node name
	 * @param minor its protocol minor version
	 * @param nonce fresh random bytes
	 */
	record Challenge(String name, int minor, byte[] nonce) implements Message {
	}

	/**
	 * The initiator's proof that it knows the cookie, bound to both hellos and its incarnation.
	 * @param proof the MAC
	 * @param incarnation the initiator's process incarnation
	 */
	record Response(byte[] proof, long incarnation) implements Message {
	}

	/**
	 * The acceptor admits the initiator and proves it knows the cookie too; its identity is told only
	 * now that the initiator has proved itself.
	 * @param proof the acceptor's MAC
	 * @param incarnation its process incarnation
	 * @param address the address it advertises
	 * @param metadata its metadata
	 */
	record Welcome(byte[] proof, long incarnation, NodeAddress address, Map<String, String> metadata)
			implements Message {
	}

	/**
	 * The initiator checked the acceptor's proof and admits it: the connection is established.
	 * @param metadata the initiator's metadata
	 */
	record Confirm(Map<String, String> metadata) implements Message {
	}

	/**
	 * Either side refuses the connection during the handshake, with why. Its encoding never changes,
	 * so nodes of any version can read why they were refused.
	 * @param reason why
	 * @param detail more, for the log
	 */
	record Reject(RejectReason reason, String detail) implements Message {
	}

	/**
	 * Either side closes an established connection on purpose, and says why first, so the peer does
	 * not take the end of the stream for this node's death.
	 * @param reason why
	 * @param detail more, for the log
	 */
	record Close(CloseReason reason, String detail) implements Message {
	}

	/**
	 * I am alive. Only heartbeats feed the failure detector.
	 * @param digest a hash of what the sender announces (its singletons), so a receiver whose copy
	 * differs asks for the whole state (anti-entropy)
	 */
	record Heartbeat(long digest) implements Message {
	}

	/** I am leaving the cluster: place nothing on me; my singletons are handed over. */
	record Leaving() implements Message {
	}

	/**
	 * A candidate asks for a vote: the voter promises not to support another leader while its
	 * promise to this one lasts.
	 * @param token the leadership token the candidate would hold
	 * @param known how many nodes the candidate knows of (a voter that knows of more refuses)
	 * @param leaseMillis the candidate's lease (a voter promises at least that long)
	 */
	record VoteRequest(long token, int known, long leaseMillis) implements Message {
	}

	/**
	 * The answer to a vote request.
	 * @param token the token asked about
	 * @param granted whether the voter supports the candidate now
	 * @param leader whom the voter supports instead, or empty
	 * @param leaderToken that leader's token, or 0
	 * @param highest the highest leadership token the voter has seen (a new candidacy must exceed it)
	 */
	record Vote(long token, boolean granted, String leader, long leaderToken, long highest) implements Message {
	}

	/**
	 * The leader renews its supporters' promises (and tells non-supporters who leads).
	 * @param token the leader's token
	 * @param sequence a number that grows with every renewal from this leader
	 * @param acked the last sequence number this recipient acknowledged and the leader received, or
	 * 0; tells the recipient that the leader heard from it
	 * @param known how many nodes the leader knows of
	 * @param leaseMillis the leader's lease (a supporter promises at least that long)
	 */
	record LeaseRenew(long token, long sequence, long acked, int known, long leaseMillis) implements Message {
	}

	/**
	 * A supporter acknowledges a renewal: its promise runs from when it received it.
	 * @param token the leader's token
	 * @param sequence the renewal's sequence number
	 */
	record LeaseAck(long token, long sequence) implements Message {
	}

	/**
	 * The leader gives its leadership up (yield, shutdown): supporters are free at once.
	 * @param token the token given up
	 */
	record Resign(long token) implements Message {
	}

	/**
	 * Where a singleton stands on the sending node: broadcast by the node that runs (or ran) it.
	 * @param name the singleton
	 * @param state its state ordinal (see {@code SingletonState})
	 * @param token the fencing token of that run
	 * @param startType its start type ordinal (see {@code StartType})
	 * @param from where it came from, or empty
	 * @param sinceMillis when it reached that state, epoch milliseconds
	 */
	record SingletonState(String name, int state, long token, int startType, String from, long sinceMillis)
			implements Message {
	}

	/**
	 * The sender's whole singleton state, in answer to a {@link StateRequest}: replaces what the
	 * receiver holds for the sender.
	 * @param states every singleton the sender has run, at most one entry each
	 */
	record StateSync(List<SingletonState> states) implements Message {
	}

	/** Asks a peer for its whole singleton state (its heartbeat digest differs from what we hold). */
	record StateRequest() implements Message {
	}

	/**
	 * The leader's order to a node: start (with a fencing token, how and from where) or stop a singleton.
	 * @param name the singleton
	 * @param start whether to start (else stop)
	 * @param token the fencing token of the start, or of the run to stop
	 * @param startType the start type ordinal
	 * @param from where it comes from, or empty
	 * @param stopReason the stop reason ordinal
	 * @param failoverMillis the leader's failover timeout for it (the runner's permit uses the shorter
	 * of this and its own)
	 */
	record SingletonOrder(String name, boolean start, long token, int startType, String from, int stopReason,
			long failoverMillis) implements Message {
	}

	/**
	 * Asks the leader to move a singleton to a node (OTP's {@code application:takeover/2}).
	 * @param name the singleton
	 * @param target the node's full name
	 */
	record MoveRequest(String name, String target) implements Message {
	}

	/**
	 * A message of a type this node does not know, from a peer of a newer minor version: skipped.
	 * @param type its type byte
	 */
	record Unknown(int type) implements Message {
	}

	/** Why a connection was refused during the handshake. Never reorder: ordinals are on the wire. */
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
		NOT_ALLOWED,

		/** Too many connections are authenticating now; try again. */
		BUSY

	}

	/** Why an established connection is closed on purpose. Never reorder: ordinals are on the wire. */
	enum CloseReason {

		/** The node leaves the cluster. */
		LEAVING,

		/** Both nodes dialled each other; this is the spare connection. */
		SPARE,

		/** The peer broke the protocol (a frame too large, a handshake message after the handshake). */
		PROTOCOL,

		/** The peer was replaced by a new process with its name. */
		REPLACED,

		/** Anything else, from a peer of a newer version. */
		OTHER

	}

}
