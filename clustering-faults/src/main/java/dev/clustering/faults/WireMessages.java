package dev.clustering.faults;

import java.util.ArrayList;
import java.util.List;

import dev.clustering.faults.WireFrame.Field;
import dev.clustering.faults.WireFrame.Kind;

import static dev.clustering.faults.WireFrame.bool;
import static dev.clustering.faults.WireFrame.count;
import static dev.clustering.faults.WireFrame.duration;
import static dev.clustering.faults.WireFrame.enumeration;
import static dev.clustering.faults.WireFrame.fixed;
import static dev.clustering.faults.WireFrame.known;
import static dev.clustering.faults.WireFrame.longValue;
import static dev.clustering.faults.WireFrame.shortValue;
import static dev.clustering.faults.WireFrame.string;
import static dev.clustering.faults.WireFrame.token;
import static dev.clustering.faults.WireFrame.type;

/**
 * Every message of protocol 2 as a {@link WireFrame}, field by field in the codec's order. The type
 * numbers and enum sizes are the protocol's (they never change: they are on the wire).
 */
final class WireMessages {

	static final int HELLO = 1;

	static final int CHALLENGE = 2;

	static final int RESPONSE = 3;

	static final int WELCOME = 4;

	static final int REJECT = 5;

	static final int HEARTBEAT = 6;

	static final int LEAVING = 7;

	static final int RESIGN = 8;

	static final int SINGLETON_STATE = 9;

	static final int SINGLETON_ORDER = 10;

	static final int CONFIRM = 11;

	static final int CLOSE = 12;

	static final int VOTE_REQUEST = 13;

	static final int VOTE = 14;

	static final int LEASE_RENEW = 15;

	static final int LEASE_ACK = 16;

	static final int STATE_REQUEST = 17;

	static final int STATE_SYNC = 18;

	static final int MOVE_REQUEST = 19;

	/** The highest type protocol 2.0 knows; anything above is a newer minor's message. */
	static final int LAST_TYPE = MOVE_REQUEST;

	static final int REJECT_REASONS = 6;

	static final int CLOSE_REASONS = 5;

	static final int SINGLETON_STATES = 4;

	static final int START_TYPES = 4;

	static final int STOP_REASONS = 4;

	private WireMessages() {
	}

	static WireFrame hello(int major, String name, long minor, String host, int port, byte[] nonce) {
		return WireFrame.of(type(HELLO), shortValue(major), string(Kind.NAME, name), longValue(minor),
				string(Kind.HOST, host), shortValue(port), fixed(nonce), shortValue(0));
	}

	static WireFrame challenge(String name, int minor, byte[] nonce) {
		return WireFrame.of(type(CHALLENGE), string(Kind.NAME, name), shortValue(minor), fixed(nonce));
	}

	static WireFrame response(byte[] proof, long incarnation) {
		return WireFrame.of(type(RESPONSE), fixed(proof), longValue(incarnation));
	}

	static WireFrame welcome(byte[] proof, long incarnation, String host, int port) {
		return WireFrame.of(type(WELCOME), fixed(proof), longValue(incarnation), string(Kind.HOST, host),
				shortValue(port), shortValue(0));
	}

	static WireFrame confirm() {
		return WireFrame.of(type(CONFIRM), shortValue(0));
	}

	static WireFrame reject(int reason, String detail) {
		return WireFrame.of(type(REJECT), enumeration(reason, REJECT_REASONS), string(Kind.STRING, detail));
	}

	static WireFrame close(int reason, String detail) {
		return WireFrame.of(type(CLOSE), enumeration(reason, CLOSE_REASONS), string(Kind.STRING, detail));
	}

	static WireFrame heartbeat(long digest) {
		return WireFrame.of(type(HEARTBEAT), longValue(digest));
	}

	static WireFrame leaving() {
		return WireFrame.of(type(LEAVING));
	}

	static WireFrame voteRequest(long token, int known, long leaseMillis) {
		return WireFrame.of(type(VOTE_REQUEST), token(token), known(known), duration(leaseMillis));
	}

	static WireFrame vote(long token, boolean granted, String leader, long leaderToken, long highest) {
		return WireFrame.of(type(VOTE), token(token), bool(granted), string(Kind.OPTIONAL_NAME, leader),
				token(leaderToken), token(highest));
	}

	static WireFrame leaseRenew(long token, long sequence, long acked, int known, long leaseMillis) {
		return WireFrame.of(type(LEASE_RENEW), token(token), count(sequence), count(acked), known(known),
				duration(leaseMillis));
	}

	static WireFrame leaseAck(long token, long sequence) {
		return WireFrame.of(type(LEASE_ACK), token(token), count(sequence));
	}

	static WireFrame resign(long token) {
		return WireFrame.of(type(RESIGN), token(token));
	}

	/** The fields of one singleton state, as in a SingletonState and in each entry of a StateSync. */
	static List<Field> state(String name, int state, long token, int startType, String from, long sinceMillis) {
		return List.of(string(Kind.SINGLETON, name), enumeration(state, SINGLETON_STATES), count(token),
				enumeration(startType, START_TYPES), string(Kind.OPTIONAL_NAME, from), longValue(sinceMillis));
	}

	static WireFrame singletonState(List<Field> state) {
		List<Field> fields = new ArrayList<>();
		fields.add(type(SINGLETON_STATE));
		fields.addAll(state);
		return new WireFrame(fields);
	}

	static WireFrame stateSync(List<List<Field>> states) {
		List<Field> fields = new ArrayList<>();
		fields.add(type(STATE_SYNC));
		fields.add(shortValue(states.size()));
		states.forEach(fields::addAll);
		return new WireFrame(fields);
	}

	static WireFrame stateRequest() {
		return WireFrame.of(type(STATE_REQUEST));
	}

	static WireFrame singletonOrder(String name, boolean start, long token, int startType, String from, int stopReason,
			long failoverMillis) {
		return WireFrame.of(type(SINGLETON_ORDER), string(Kind.SINGLETON, name), bool(start), count(token),
				enumeration(startType, START_TYPES), string(Kind.OPTIONAL_NAME, from),
				enumeration(stopReason, STOP_REASONS), duration(failoverMillis));
	}

	static WireFrame moveRequest(String name, String target) {
		return WireFrame.of(type(MOVE_REQUEST), string(Kind.SINGLETON, name), string(Kind.NAME, target));
	}

	/** A message of a type protocol 2.0 does not know (a newer minor's), with any body. */
	static WireFrame unknown(int type, byte[] body) {
		return WireFrame.of(type(type), new Field(Kind.FIXED, body.clone()));
	}

}
