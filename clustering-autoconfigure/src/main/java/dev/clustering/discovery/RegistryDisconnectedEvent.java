package dev.clustering.discovery;

import org.springframework.context.ApplicationEvent;

/**
 * This node's registration in a topology's registry can no longer be vouched for (reception's
 * on-disconnect): the registry is unreachable or the lease expired. The node keeps its transport
 * membership; if the registry runs the cluster's election, this node gives up leadership and stops
 * its singletons at once. It re-registers (and re-campaigns) when the registry is back, and
 * {@link RegistryReconnectedEvent} follows. React to it as the application needs (for work that must
 * never run twice, stop taking input).
 */
public class RegistryDisconnectedEvent extends ApplicationEvent {

	private final String topology;

	private final String localNode;

	private final transient Throwable error;

	/**
	 * Creates the event.
	 * @param source the publishing node
	 * @param topology the topology whose registry was lost
	 * @param localNode this node's name
	 * @param error why
	 */
	public RegistryDisconnectedEvent(Object source, String topology, String localNode, Throwable error) {
		super(source);
		this.topology = topology;
		this.localNode = localNode;
		this.error = error;
	}

	/**
	 * The topology whose registry was lost.
	 * @return the topology name
	 */
	public String getTopology() {
		return this.topology;
	}

	/**
	 * This node.
	 * @return its name
	 */
	public String getLocalNode() {
		return this.localNode;
	}

	/**
	 * Why.
	 * @return the error, or {@code null}
	 */
	public Throwable getError() {
		return this.error;
	}

	@Override
	public String toString() {
		return "RegistryDisconnectedEvent[" + this.topology + ", " + this.error + "]";
	}

}
