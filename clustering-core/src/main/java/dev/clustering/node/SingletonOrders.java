package dev.clustering.node;

import java.time.Clock;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.clustering.leadership.LeaderInfo;
import dev.clustering.singleton.SingletonSpec;
import dev.clustering.singleton.SingletonState;
import dev.clustering.singleton.SingletonStatus;
import dev.clustering.singleton.StartType;
import dev.clustering.singleton.StopReason;
import dev.clustering.transport.Message;
import dev.clustering.transport.WarningLimiter;

/**
 * A member's side of the leader's start and stop orders: an order is obeyed only for a singleton
 * configured here, from the member this node sees as the leader while it has a quorum, and, for a
 * start, with a fencing token; a start refused for that is answered with a stopped state, so the
 * sender does not wait for it. A start's permit uses the shorter of this node's and the leader's
 * failover timeout; a stop ends the local run it names (any, if it names no token). Keeps no state
 * of its own (the runs are {@link SingletonRunner}'s). Owned by the node's event loop, like
 * {@link Singletons}.
 */
final class SingletonOrders {

	// an order's warnings keep the logger they always had
	private static final Logger logger = LoggerFactory.getLogger(Singletons.class);

	private final Map<String, SingletonSpec> specs;

	private final Clock clock;

	private final Singletons.Messenger messenger;

	private final Singletons.Leadership leader;

	private final SingletonRunner runner;

	private final WarningLimiter warnings;

	SingletonOrders(Map<String, SingletonSpec> specs, Clock clock, Singletons.Messenger messenger,
			Singletons.Leadership leader, SingletonRunner runner, WarningLimiter warnings) {
		this.specs = specs;
		this.clock = clock;
		this.messenger = messenger;
		this.leader = leader;
		this.runner = runner;
		this.warnings = warnings;
	}

	/**
	 * An order from a member: obeyed if it comes from the leader this node sees, else refused.
	 * @param peer the member
	 * @param order the order
	 */
	void received(String peer, Message.SingletonOrder order) {
		SingletonSpec spec = this.specs.get(order.name());
		LeaderInfo seen = this.leader.election().view();
		boolean fromLeader = seen != null && seen.name().equals(peer)
				&& this.leader.election().hasQuorum(this.leader.roster());
		if (spec == null || !fromLeader || (order.start() && order.token() == 0)) {
			this.warnings.warn(logger, "order " + peer, "Ignoring an order for singleton {} from {}: {}", order.name(),
					peer, (spec == null) ? "no such singleton here" : (!fromLeader) ? "this node does not see it as "
							+ "the leader" : "no fencing token");
			if (order.start() && spec != null) {
				// say so, so the sender does not wait for a start that will not come
				this.messenger.send(peer, new Message.SingletonState(order.name(), SingletonState.STOPPED.ordinal(),
						order.token(), Math.min(order.startType(), StartType.values().length - 1), order.from(),
						this.clock.millis()));
			}
			return;
		}
		if (order.start()) {
			String from = order.from().isEmpty() ? null : order.from();
			// the leader fails it over after its own timeout: the permit uses the shorter of the two
			long failover = Math.min(spec.failoverTimeout().toNanos(),
					TimeUnit.MILLISECONDS.toNanos(order.failoverMillis()));
			this.runner.start(order.name(), order.token(), Singletons.startType(order.startType()), from, failover);
		}
		else {
			SingletonStatus mine = this.runner.active(order.name());
			if (mine != null && (order.token() == 0 || order.token() == mine.fencingToken())) {
				this.runner.stop(order.name(), stopReason(order.stopReason()));
			}
		}
	}

	private static StopReason stopReason(int ordinal) {
		StopReason[] reasons = StopReason.values();
		return (ordinal < reasons.length) ? reasons[ordinal] : StopReason.FAILOVER;
	}

}
