package dev.clustering.node;

import java.time.Clock;
import java.time.Instant;
import java.util.function.LongSupplier;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.clustering.discovery.Topology;
import dev.clustering.leadership.LeaderInfo;
import dev.clustering.leadership.RevocationReason;
import dev.clustering.transport.Message;

/**
 * Leadership decided by a registry's linearizable election (etcd, ...): the registry names the
 * leader and its fencing token. This node leads only while the registry vouches that it leads with
 * that token ({@link Topology#leadsUntilNanos(long)}), checked against the monotonic clock by whoever
 * asks, and runs singletons only while the registry vouches for its registration, so a node cut off
 * from the registry stops on time even if its event loop is stalled. Runs on the node's event loop
 * except {@link #view()} and {@link #ownLeadership(long)}.
 */
final class RegistryElection implements LeaderElection {

	private static final Logger logger = LoggerFactory.getLogger(RegistryElection.class);

	private final String self;

	private final Topology registry;

	private final Clock clock;

	private final LongSupplier nanoTime;

	private final long marginNanos;

	private final Election.Listener listener;

	private String leader;

	private long token;

	private boolean lost;

	private boolean leaving;

	private long ownToken;

	private long leadingSinceNanos = -1;

	private volatile LeaderInfo own;

	private volatile LeaderInfo view;

	RegistryElection(String self, Topology registry, Clock clock, LongSupplier nanoTime, long marginNanos,
			Election.Listener listener) {
		this.self = self;
		this.registry = registry;
		this.clock = clock;
		this.nanoTime = nanoTime;
		this.marginNanos = marginNanos;
		this.listener = listener;
	}

	void elected(String leader, long token) {
		this.leader = leader;
		this.token = token;
	}

	void unknown() {
		this.leader = null;
	}

	void registryLost(boolean lost) {
		this.lost = lost;
	}

	@Override
	public void evaluate(Roster roster) {
		if (this.leaving) {
			return;
		}
		long now = this.nanoTime.getAsLong();
		boolean vouched = Deadlines.holds(Deadlines.plus(this.registry.leadsUntilNanos(this.token), -this.marginNanos),
				now);
		boolean selfLeads = !this.lost && this.self.equals(this.leader) && vouched;
		if (this.ownToken > 0 && (!selfLeads || this.token != this.ownToken)) {
			revoke((this.lost || !vouched) ? RevocationReason.REGISTRY_LOST
					: RevocationReason.SUPERSEDED);
		}
		if (selfLeads && this.ownToken == 0) {
			this.ownToken = this.token;
			this.leadingSinceNanos = now;
			this.own = new LeaderInfo(this.self, this.clock.instant(), this.token);
			logger.info("Node {} leads the cluster, elected by the registry (fencing token {})", this.self, this.token);
			this.listener.won(this.token);
		}
		LeaderInfo current = this.view;
		if (this.lost || this.leader == null) {
			this.view = null;
		}
		else if (current == null || !current.name().equals(this.leader) || current.fencingToken() != this.token) {
			this.view = new LeaderInfo(this.leader, Instant.now(this.clock), this.token);
		}
	}

	@Override
	public void received(String peer, Message message, Roster roster) {
		// the registry decides; votes between members are not used
	}

	@Override
	public void memberEnded(String name) {
		// the registry learns of it (the topology revokes a crashed node's leases)
	}

	@Override
	public void paused() {
		// the registry's lease decides, checked by the clock
	}

	@Override
	public void yieldLeadership(Roster roster) {
		logger.info("Node {} cannot yield: the registry runs the election", this.self);
	}

	@Override
	public void leave(Roster roster) {
		if (this.ownToken > 0) {
			revoke(RevocationReason.SHUTDOWN);
		}
		this.leaving = true;
		this.view = null;
	}

	@Override
	public LeaderInfo view() {
		return this.view;
	}

	@Override
	public LeaderInfo ownLeadership(long nowNanos) {
		// one value, checked against what the registry vouches for that very token: a leadership the
		// loop has not yet revoked is not valid once the registry stopped vouching for it
		LeaderInfo current = this.own;
		if (current == null || !Deadlines.holds(
				Deadlines.plus(this.registry.leadsUntilNanos(current.fencingToken()), -this.marginNanos), nowNanos)) {
			return null;
		}
		return current;
	}

	@Override
	public long highestToken() {
		return Math.max(this.token, this.ownToken);
	}

	@Override
	public boolean hasQuorum(Roster roster) {
		return !this.lost;
	}

	@Override
	public long leadingSinceNanos() {
		return this.leadingSinceNanos;
	}

	@Override
	public long leadingToken() {
		return this.ownToken;
	}

	@Override
	public long permitUntilNanos(long failoverTimeoutNanos) {
		// a singleton fails over from this node only once the registry no longer lists it
		return Deadlines.plus(this.registry.registrationValidUntilNanos(), -this.marginNanos);
	}

	@Override
	public long newLeaderWaitNanos(long failoverTimeoutNanos) {
		return failoverTimeoutNanos;
	}

	@Override
	public boolean isRegistry() {
		return true;
	}

	private void revoke(RevocationReason reason) {
		long lostToken = this.ownToken;
		this.ownToken = 0;
		this.leadingSinceNanos = -1;
		this.own = null;
		logger.info("Node {} no longer leads ({}, token {})", this.self, reason, lostToken);
		this.listener.lost(lostToken, reason);
	}

}
