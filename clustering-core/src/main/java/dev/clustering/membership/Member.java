package dev.clustering.membership;

import java.time.Instant;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Another node of the cluster, as this node sees it. Immutable; equality is the node's unique
 * identity (its name and the incarnation of the process that holds it), so a restarted node is a
 * different member with the same name.
 *
 * @param name Erlang-style node name, {@code name@host}
 * @param address where its cluster transport listens
 * @param incarnation random number chosen by the node's process at start
 * @param status its current status
 * @param topologies names of the topologies whose discovery lists it (empty if it dialled in unlisted)
 * @param since when it reached its current status
 * @param metadata what the node told about itself in its handshake
 */
public record Member(String name, NodeAddress address, long incarnation, MemberStatus status,
		Set<String> topologies, Instant since, Map<String, String> metadata) {

	public Member {
		Objects.requireNonNull(name, "name");
		Objects.requireNonNull(address, "address");
		Objects.requireNonNull(status, "status");
		Objects.requireNonNull(since, "since");
		topologies = Set.copyOf(topologies);
		metadata = Map.copyOf(metadata);
	}

	/**
	 * This member with another status; the only way a status changes.
	 * @param next the new status
	 * @param at when it changed
	 * @return the changed member
	 * @throws IllegalStateException if the transition is not allowed
	 */
	public Member withStatus(MemberStatus next, Instant at) {
		if (!this.status.canBecome(next)) {
			throw new IllegalStateException(this.name + " cannot go from " + this.status + " to " + next);
		}
		return new Member(this.name, this.address, this.incarnation, next, this.topologies, at, this.metadata);
	}

	/**
	 * This member as listed by other topologies.
	 * @param names the topology names
	 * @return the changed member
	 */
	public Member withTopologies(Set<String> names) {
		return new Member(this.name, this.address, this.incarnation, this.status, names, this.since, this.metadata);
	}

	/**
	 * Whether the member is up.
	 * @return whether its status is {@link MemberStatus#UP}
	 */
	public boolean isUp() {
		return this.status == MemberStatus.UP;
	}

	@Override
	public boolean equals(Object other) {
		return (other instanceof Member that) && this.name.equals(that.name) && this.incarnation == that.incarnation;
	}

	@Override
	public int hashCode() {
		return Objects.hash(this.name, this.incarnation);
	}

}
