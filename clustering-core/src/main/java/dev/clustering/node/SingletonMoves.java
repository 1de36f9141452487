package dev.clustering.node;

import java.util.function.LongSupplier;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.clustering.leadership.LeaderInfo;
import dev.clustering.membership.ClusterSnapshot;
import dev.clustering.membership.LocalNode;
import dev.clustering.membership.Member;
import dev.clustering.transport.Message;
import dev.clustering.transport.WarningLimiter;

/**
 * An operator's moves of singletons (OTP's {@code application:takeover/2}): a move asked of this
 * node names its target by full name or name part and is checked against what this node knows
 * ({@link SingletonPlacer#checkMove}); the leader pins the singleton to the target at once and
 * places it again, any other node asks the leader it sees, which checks the request again. Keeps no
 * state of its own (the pins are {@link SingletonPlacer}'s). Owned by the node's event loop, like
 * {@link Singletons}.
 */
final class SingletonMoves {

	// a move's warnings keep the logger they always had
	private static final Logger logger = LoggerFactory.getLogger(Singletons.class);

	private final String self;

	private final LongSupplier nanoTime;

	private final Singletons.Messenger messenger;

	private final Singletons.Leadership leader;

	private final SingletonPlacer placer;

	private final WarningLimiter warnings;

	// places every singleton again, after a pin
	private final Runnable evaluate;

	SingletonMoves(String self, LongSupplier nanoTime, Singletons.Messenger messenger, Singletons.Leadership leader,
			SingletonPlacer placer, WarningLimiter warnings, Runnable evaluate) {
		this.self = self;
		this.nanoTime = nanoTime;
		this.messenger = messenger;
		this.leader = leader;
		this.placer = placer;
		this.warnings = warnings;
		this.evaluate = evaluate;
	}

	/**
	 * Asks the leader to move a singleton to a node (OTP's {@code application:takeover/2}).
	 * @param name the singleton
	 * @param node the target node, by full name or name part
	 * @param snapshot the membership as this node sees it
	 * @return {@code null} if the request was accepted, else why not
	 */
	String request(String name, String node, ClusterSnapshot snapshot) {
		String target = resolve(node, snapshot);
		String refused = (target == null) ? node + " is not a live member" : this.placer.checkMove(name, target);
		if (refused != null) {
			return refused;
		}
		if (this.leader.election().ownLeadership(this.nanoTime.getAsLong()) != null) {
			move(name, target);
			return null;
		}
		LeaderInfo current = this.leader.election().view();
		if (current == null) {
			return "there is no leader to ask";
		}
		this.messenger.send(current.name(), new Message.MoveRequest(name, target));
		return null;
	}

	/**
	 * A member asks this node, as the leader it sees, to move a singleton.
	 * @param peer the member
	 * @param move its request
	 */
	void requested(String peer, Message.MoveRequest move) {
		if (this.leader.election().ownLeadership(this.nanoTime.getAsLong()) == null) {
			this.warnings.warn(logger, "move " + peer, "Ignoring a request from {} to move singleton {}: this "
					+ "node does not lead", peer, move.name());
			return;
		}
		String refused = this.placer.checkMove(move.name(), move.target());
		if (refused != null) {
			this.warnings.warn(logger, "move " + peer, "Ignoring a request from {} to move singleton {}: {}", peer,
					move.name(), refused);
			return;
		}
		move(move.name(), move.target());
	}

	private void move(String name, String target) {
		this.placer.pin(name, target);
		this.evaluate.run();
	}

	private String resolve(String node, ClusterSnapshot snapshot) {
		if (node.equals(this.self) || node.equals(LocalNode.namePart(this.self))) {
			return this.self;
		}
		return snapshot.upMembers().stream().map(Member::name)
			.filter((name) -> name.equals(node) || LocalNode.namePart(name).equals(node))
			.findFirst().orElse(null);
	}

}
