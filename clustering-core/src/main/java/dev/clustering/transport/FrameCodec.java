package dev.clustering.transport;

import java.util.ArrayList;
import java.util.List;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.CorruptedFrameException;

import dev.clustering.membership.NodeAddress;
import dev.clustering.singleton.SingletonState;
import dev.clustering.singleton.StartType;
import dev.clustering.singleton.StopReason;

/**
 * Encodes a {@link Message} into the body of a frame and back; the length prefix is handled by
 * {@link FrameDecoder}. Decoding is strict and never trusts the peer: an unknown type before the
 * handshake, a field that runs past the frame, bytes left over, a string that is not strict UTF-8
 * or holds a control character, a name outside {@link WireText}'s grammar, an enum value out of
 * range (unless the peer speaks a newer minor version, see {@link #decode(ByteBuf, int, boolean)}),
 * or a negative token is a {@link CorruptedFrameException}. Nothing here resolves a host name.
 */
public final class FrameCodec {

	/** Major version of the wire protocol; nodes of different majors refuse each other. */
	public static final int PROTOCOL_MAJOR = 2;

	/** Minor version of the wire protocol; a newer minor only adds message types and enum values. */
	public static final int PROTOCOL_MINOR = 0;

	/** Bytes of a handshake nonce. */
	public static final int NONCE_LENGTH = 32;

	/** Bytes of a handshake proof (HMAC-SHA256). */
	public static final int PROOF_LENGTH = 32;

	/** Most metadata entries a node may announce. */
	public static final int MAX_METADATA_ENTRIES = 64;

	/** Longest singleton name. */
	public static final int MAX_SINGLETON_NAME = 128;

	/** Largest leadership token accepted: tokens beyond it could overflow once shifted. */
	public static final long MAX_LEADER_TOKEN = (1L << 43) - 1;

	private static final int MAX_STATES = 1024;

	static final byte HELLO = 1;

	static final byte CHALLENGE = 2;

	static final byte RESPONSE = 3;

	static final byte WELCOME = 4;

	static final byte REJECT = 5;

	static final byte HEARTBEAT = 6;

	static final byte LEAVING = 7;

	static final byte RESIGN = 8;

	static final byte SINGLETON_STATE = 9;

	static final byte SINGLETON_ORDER = 10;

	static final byte CONFIRM = 11;

	static final byte CLOSE = 12;

	static final byte VOTE_REQUEST = 13;

	static final byte VOTE = 14;

	static final byte LEASE_RENEW = 15;

	static final byte LEASE_ACK = 16;

	static final byte STATE_REQUEST = 17;

	static final byte STATE_SYNC = 18;

	static final byte MOVE_REQUEST = 19;

	private FrameCodec() {
	}

	/**
	 * Writes a message.
	 * @param message the message
	 * @param out the frame body
	 * @throws IllegalArgumentException if a field is out of the protocol's limits
	 */
	public static void encode(Message message, ByteBuf out) {
		if (message instanceof Message.Hello m) {
			// laid out so that a node of protocol 1 reads it far enough to refuse it by version
			out.writeByte(HELLO);
			out.writeShort(m.major());
			WireFields.writeString(out, m.name());
			out.writeLong(m.minor());
			WireFields.writeAddress(out, m.address());
			WireFields.writeFixed(out, m.nonce(), NONCE_LENGTH);
			out.writeShort(0);
		}
		else if (message instanceof Message.ForeignHello) {
			throw new IllegalArgumentException("a foreign hello is never sent");
		}
		else if (message instanceof Message.Challenge m) {
			out.writeByte(CHALLENGE);
			WireFields.writeString(out, m.name());
			out.writeShort(m.minor());
			WireFields.writeFixed(out, m.nonce(), NONCE_LENGTH);
		}
		else if (message instanceof Message.Response m) {
			out.writeByte(RESPONSE);
			WireFields.writeFixed(out, m.proof(), PROOF_LENGTH);
			out.writeLong(m.incarnation());
		}
		else if (message instanceof Message.Welcome m) {
			out.writeByte(WELCOME);
			WireFields.writeFixed(out, m.proof(), PROOF_LENGTH);
			out.writeLong(m.incarnation());
			WireFields.writeAddress(out, m.address());
			WireFields.writeMap(out, m.metadata());
		}
		else if (message instanceof Message.Confirm m) {
			out.writeByte(CONFIRM);
			WireFields.writeMap(out, m.metadata());
		}
		else if (message instanceof Message.Reject m) {
			out.writeByte(REJECT);
			out.writeByte(m.reason().ordinal());
			WireFields.writeString(out, m.detail());
		}
		else if (message instanceof Message.Close m) {
			out.writeByte(CLOSE);
			out.writeByte(m.reason().ordinal());
			WireFields.writeString(out, m.detail());
		}
		else if (message instanceof Message.Heartbeat m) {
			out.writeByte(HEARTBEAT);
			out.writeLong(m.digest());
		}
		else if (message instanceof Message.Leaving) {
			out.writeByte(LEAVING);
		}
		else if (message instanceof Message.VoteRequest m) {
			out.writeByte(VOTE_REQUEST);
			WireFields.writeToken(out, m.token());
			WireFields.writeKnown(out, m.known());
			WireFields.writeDuration(out, m.leaseMillis());
		}
		else if (message instanceof Message.Vote m) {
			out.writeByte(VOTE);
			WireFields.writeToken(out, m.token());
			out.writeBoolean(m.granted());
			WireFields.writeOptionalName(out, m.leader());
			WireFields.writeToken(out, m.leaderToken());
			WireFields.writeToken(out, m.highest());
		}
		else if (message instanceof Message.LeaseRenew m) {
			out.writeByte(LEASE_RENEW);
			WireFields.writeToken(out, m.token());
			WireFields.writeCount(out, m.sequence());
			WireFields.writeCount(out, m.acked());
			WireFields.writeKnown(out, m.known());
			WireFields.writeDuration(out, m.leaseMillis());
		}
		else if (message instanceof Message.LeaseAck m) {
			out.writeByte(LEASE_ACK);
			WireFields.writeToken(out, m.token());
			WireFields.writeCount(out, m.sequence());
		}
		else if (message instanceof Message.Resign m) {
			out.writeByte(RESIGN);
			WireFields.writeToken(out, m.token());
		}
		else if (message instanceof Message.SingletonState m) {
			out.writeByte(SINGLETON_STATE);
			writeState(out, m);
		}
		else if (message instanceof Message.StateSync m) {
			if (m.states().size() > MAX_STATES) {
				throw new IllegalArgumentException("more than " + MAX_STATES + " singleton states");
			}
			out.writeByte(STATE_SYNC);
			out.writeShort(m.states().size());
			m.states().forEach((state) -> writeState(out, state));
		}
		else if (message instanceof Message.StateRequest) {
			out.writeByte(STATE_REQUEST);
		}
		else if (message instanceof Message.SingletonOrder m) {
			out.writeByte(SINGLETON_ORDER);
			WireFields.writeSingletonName(out, m.name());
			out.writeBoolean(m.start());
			WireFields.writeCount(out, m.token());
			out.writeByte(m.startType());
			WireFields.writeOptionalName(out, m.from());
			out.writeByte(m.stopReason());
			WireFields.writeDuration(out, m.failoverMillis());
		}
		else if (message instanceof Message.MoveRequest m) {
			out.writeByte(MOVE_REQUEST);
			WireFields.writeSingletonName(out, m.name());
			WireFields.writeName(out, m.target());
		}
		else if (message instanceof Message.Unknown) {
			throw new IllegalArgumentException("an unknown message is never sent");
		}
		else {
			throw new IllegalArgumentException("unknown message " + message);
		}
	}

	/**
	 * Encodes a message into a new array (for handshake messages, whose bytes enter the proofs).
	 * @param message the message
	 * @return the frame body
	 */
	public static byte[] toBytes(Message message) {
		ByteBuf buffer = Unpooled.buffer(128);
		try {
			encode(message, buffer);
			byte[] bytes = new byte[buffer.readableBytes()];
			buffer.readBytes(bytes);
			return bytes;
		}
		finally {
			buffer.release();
		}
	}

	/**
	 * Reads one message from a whole frame body, as a node of this version reads its own kind.
	 * @param in the frame body
	 * @return the message
	 * @throws CorruptedFrameException if the frame is not a well-formed message
	 */
	public static Message decode(ByteBuf in) {
		return decode(in, PROTOCOL_MINOR, false);
	}

	/**
	 * Reads one message from a whole frame body.
	 * @param in the frame body
	 * @param peerMinor the minor version the peer speaks: a peer of a newer minor may send enum values
	 * this node does not know (kept as they are, for the reader to map to its fallback); from a peer
	 * of this minor or older they are errors
	 * @param established whether the handshake is done: then an unknown message type is returned as
	 * {@link Message.Unknown} (a newer peer's addition) instead of being an error
	 * @return the message
	 * @throws CorruptedFrameException if the frame is not a well-formed message
	 */
	public static Message decode(ByteBuf in, int peerMinor, boolean established) {
		try {
			int type = in.readUnsignedByte();
			if (type == HELLO) {
				int major = in.readUnsignedShort();
				if (major != PROTOCOL_MAJOR) {
					in.skipBytes(in.readableBytes());
					return new Message.ForeignHello(major);
				}
			}
			Message message = switch (type) {
				case HELLO -> {
					String name = WireFields.readName(in);
					long minor = in.readLong();
					if (minor < 0 || minor > 0xffff) {
						throw new CorruptedFrameException("minor version out of range");
					}
					NodeAddress address = WireFields.readAddress(in);
					byte[] nonce = WireFields.readFixed(in, NONCE_LENGTH);
					if (in.readUnsignedShort() != 0) {
						throw new CorruptedFrameException("a hello carries no metadata");
					}
					yield new Message.Hello(PROTOCOL_MAJOR, (int) minor, name, address, nonce);
				}
				case CHALLENGE -> new Message.Challenge(WireFields.readName(in), in.readUnsignedShort(), WireFields.readFixed(in, NONCE_LENGTH));
				case RESPONSE -> new Message.Response(WireFields.readFixed(in, PROOF_LENGTH), in.readLong());
				case WELCOME -> new Message.Welcome(WireFields.readFixed(in, PROOF_LENGTH), in.readLong(), WireFields.readAddress(in),
						WireFields.readMap(in));
				case CONFIRM -> new Message.Confirm(WireFields.readMap(in));
				case REJECT -> new Message.Reject(rejectReason(in.readUnsignedByte()), WireFields.readString(in));
				case CLOSE -> new Message.Close(closeReason(in.readUnsignedByte()), WireFields.readString(in));
				case HEARTBEAT -> new Message.Heartbeat(in.readLong());
				case LEAVING -> new Message.Leaving();
				case VOTE_REQUEST -> new Message.VoteRequest(WireFields.readToken(in), WireFields.readKnown(in), WireFields.readDuration(in));
				case VOTE -> new Message.Vote(WireFields.readToken(in), in.readBoolean(), WireFields.readOptionalName(in), WireFields.readToken(in),
						WireFields.readToken(in));
				case LEASE_RENEW -> new Message.LeaseRenew(WireFields.readToken(in), WireFields.readCount(in), WireFields.readCount(in), WireFields.readKnown(in),
						WireFields.readDuration(in));
				case LEASE_ACK -> new Message.LeaseAck(WireFields.readToken(in), WireFields.readCount(in));
				case RESIGN -> new Message.Resign(WireFields.readToken(in));
				case SINGLETON_STATE -> readState(in, peerMinor);
				case STATE_SYNC -> {
					int count = in.readUnsignedShort();
					if (count > MAX_STATES) {
						throw new CorruptedFrameException("more than " + MAX_STATES + " singleton states");
					}
					List<Message.SingletonState> states = new ArrayList<>(Math.min(count, 64));
					for (int i = 0; i < count; i++) {
						states.add(readState(in, peerMinor));
					}
					yield new Message.StateSync(List.copyOf(states));
				}
				case STATE_REQUEST -> new Message.StateRequest();
				case SINGLETON_ORDER -> new Message.SingletonOrder(WireFields.readSingletonName(in), in.readBoolean(),
						WireFields.readCount(in), WireFields.ordinal(in, StartType.values().length, peerMinor), WireFields.readOptionalName(in),
						WireFields.ordinal(in, StopReason.values().length, peerMinor), WireFields.readDuration(in));
				case MOVE_REQUEST -> new Message.MoveRequest(WireFields.readSingletonName(in), WireFields.readName(in));
				default -> {
					if (!established) {
						throw new CorruptedFrameException("unknown message type " + type);
					}
					in.skipBytes(in.readableBytes());
					yield new Message.Unknown(type);
				}
			};
			if (in.isReadable()) {
				throw new CorruptedFrameException(in.readableBytes() + " unexpected trailing bytes");
			}
			return message;
		}
		catch (IndexOutOfBoundsException ex) {
			throw new CorruptedFrameException("frame ends inside a field");
		}
		catch (IllegalArgumentException ex) {
			throw new CorruptedFrameException("invalid field: " + ex.getMessage());
		}
	}

	private static void writeState(ByteBuf out, Message.SingletonState m) {
		WireFields.writeSingletonName(out, m.name());
		out.writeByte(m.state());
		WireFields.writeCount(out, m.token());
		out.writeByte(m.startType());
		WireFields.writeOptionalName(out, m.from());
		out.writeLong(m.sinceMillis());
	}

	private static Message.SingletonState readState(ByteBuf in, int peerMinor) {
		return new Message.SingletonState(WireFields.readSingletonName(in), WireFields.ordinal(in, SingletonState.values().length, peerMinor),
				WireFields.readCount(in), WireFields.ordinal(in, StartType.values().length, peerMinor), WireFields.readOptionalName(in), in.readLong());
	}

	private static Message.RejectReason rejectReason(int ordinal) {
		Message.RejectReason[] reasons = Message.RejectReason.values();
		// a reason added later reads as "not allowed": the connection is refused either way
		return (ordinal < reasons.length) ? reasons[ordinal] : Message.RejectReason.NOT_ALLOWED;
	}

	private static Message.CloseReason closeReason(int ordinal) {
		Message.CloseReason[] reasons = Message.CloseReason.values();
		return (ordinal < reasons.length) ? reasons[ordinal] : Message.CloseReason.OTHER;
	}

}
