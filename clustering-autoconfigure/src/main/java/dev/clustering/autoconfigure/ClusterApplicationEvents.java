package dev.clustering.autoconfigure;

import org.springframework.context.ApplicationEvent;

import dev.clustering.discovery.RegistryDisconnectedEvent;
import dev.clustering.discovery.RegistryReconnectedEvent;
import dev.clustering.leadership.LeaderElectedEvent;
import dev.clustering.leadership.LeadershipRevokedEvent;
import dev.clustering.membership.NodeJoinedEvent;
import dev.clustering.membership.NodeLeftEvent;
import dev.clustering.node.EngineEvent;
import dev.clustering.singleton.SingletonStartedEvent;
import dev.clustering.singleton.SingletonStoppedEvent;

/**
 * The Spring {@link ApplicationEvent} for each of the engine's {@link EngineEvent}s: what the
 * auto-configuration publishes, so that both {@code @EventListener} methods and
 * {@code ApplicationListener<NodeJoinedEvent>} beans hear the cluster.
 */
public final class ClusterApplicationEvents {

	private ClusterApplicationEvents() {
	}

	/**
	 * The application event for an engine event.
	 * @param source the event's source (the node)
	 * @param event the engine's event
	 * @return the application event
	 */
	public static ApplicationEvent of(Object source, EngineEvent event) {
		if (event instanceof EngineEvent.MemberJoined e) {
			return new NodeJoinedEvent(source, e.localNode(), e.member(), e.at());
		}
		if (event instanceof EngineEvent.MemberLeft e) {
			return new NodeLeftEvent(source, e.localNode(), e.member(), e.reason(), e.at());
		}
		if (event instanceof EngineEvent.LeaderElected e) {
			return new LeaderElectedEvent(source, e.localNode(), e.leader(), e.fencingToken());
		}
		if (event instanceof EngineEvent.LeadershipRevoked e) {
			return new LeadershipRevokedEvent(source, e.localNode(), e.fencingToken(),
					LeadershipRevokedEvent.Reason.valueOf(e.reason().name()));
		}
		if (event instanceof EngineEvent.SingletonStarted e) {
			return new SingletonStartedEvent(source, e.context());
		}
		if (event instanceof EngineEvent.SingletonStopped e) {
			return new SingletonStoppedEvent(source, e.name(), e.localNode(), e.reason(), e.fencingToken());
		}
		if (event instanceof EngineEvent.RegistryDisconnected e) {
			return new RegistryDisconnectedEvent(source, e.topology(), e.localNode(), e.error());
		}
		if (event instanceof EngineEvent.RegistryReconnected e) {
			return new RegistryReconnectedEvent(source, e.topology(), e.localNode());
		}
		throw new IllegalArgumentException("No application event for " + event);
	}

}
