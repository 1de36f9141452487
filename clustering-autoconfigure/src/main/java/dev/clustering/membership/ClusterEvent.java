package dev.clustering.membership;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;

import org.springframework.context.ApplicationEvent;

/**
 * Base of the membership events. They are Spring {@link ApplicationEvent}s so that
 * {@code @EventListener} methods and {@code ApplicationListener} beans receive them, but they are
 * plain immutable objects that the engine also hands to its own listeners without Spring.
 */
public abstract sealed class ClusterEvent extends ApplicationEvent permits NodeJoinedEvent, NodeLeftEvent {

	private final String localNode;

	private final Member member;

	ClusterEvent(Object source, String localNode, Member member, Instant at) {
		super(source, Clock.fixed(at, ZoneOffset.UTC));
		this.localNode = localNode;
		this.member = member;
	}

	/**
	 * The node that saw the change.
	 * @return the local node's name
	 */
	public String getLocalNode() {
		return this.localNode;
	}

	/**
	 * The member concerned.
	 * @return the member
	 */
	public Member getMember() {
		return this.member;
	}

	/**
	 * Shortcut for the member's name.
	 * @return the member's node name
	 */
	public String getNodeName() {
		return this.member.name();
	}

}
