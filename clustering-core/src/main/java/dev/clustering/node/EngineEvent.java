package dev.clustering.node;

import java.time.Instant;

import dev.clustering.leadership.RevocationReason;
import dev.clustering.membership.LeaveReason;
import dev.clustering.membership.Member;
import dev.clustering.singleton.SingletonContext;
import dev.clustering.singleton.StopReason;

/**
 * What a node tells its {@link ClusterListener}s: membership, leadership, singletons and
 * registries. Plain values with no framework type; the Spring Boot auto-configuration publishes
 * each as the matching {@code ApplicationEvent} ({@code NodeJoinedEvent}, {@code LeaderElectedEvent},
 * ...). Delivered in order, on one thread per node, never on its event loop.
 */
public sealed interface EngineEvent {

	/**
	 * The node that reports it.
	 * @return its full name
	 */
	String localNode();

	/**
	 * A member is up: it connected and authenticated, or became reachable again, or is a new
	 * incarnation of a node that left.
	 * @param localNode the node that reports it
	 * @param member the member
	 * @param at when this node saw it
	 */
	record MemberJoined(String localNode, Member member, Instant at) implements EngineEvent {
	}

	/**
	 * A member that was up is no longer: it left, its connection was lost, or it is unreachable.
	 * @param localNode the node that reports it
	 * @param member the member as it was last seen up
	 * @param reason why
	 * @param at when this node saw it
	 */
	record MemberLeft(String localNode, Member member, LeaveReason reason, Instant at) implements EngineEvent {
	}

	/**
	 * A leader, as this node sees it (maybe this node itself).
	 * @param localNode the node that reports it
	 * @param leader the leader's full name
	 * @param fencingToken its fencing token
	 */
	record LeaderElected(String localNode, String leader, long fencingToken) implements EngineEvent {
	}

	/**
	 * This node no longer leads.
	 * @param localNode this node
	 * @param fencingToken the token that is no longer valid
	 * @param reason why
	 */
	record LeadershipRevoked(String localNode, long fencingToken, RevocationReason reason) implements EngineEvent {
	}

	/**
	 * A singleton started on this node.
	 * @param localNode this node
	 * @param context the run: name, start type, fencing token, validity
	 */
	record SingletonStarted(String localNode, SingletonContext context) implements EngineEvent {
	}

	/**
	 * A singleton stopped on this node.
	 * @param localNode this node
	 * @param name the singleton
	 * @param reason why
	 * @param fencingToken the token of the run that stopped
	 */
	record SingletonStopped(String localNode, String name, StopReason reason, long fencingToken)
			implements EngineEvent {
	}

	/**
	 * A topology's registry (etcd) is out of reach: this node's registration may lapse.
	 * @param localNode this node
	 * @param topology the topology
	 * @param error what failed
	 */
	record RegistryDisconnected(String localNode, String topology, Throwable error) implements EngineEvent {
	}

	/**
	 * This node is registered again in a topology's registry.
	 * @param localNode this node
	 * @param topology the topology
	 */
	record RegistryReconnected(String localNode, String topology) implements EngineEvent {
	}

}
