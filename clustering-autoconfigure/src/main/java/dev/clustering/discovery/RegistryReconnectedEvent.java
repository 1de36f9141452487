package dev.clustering.discovery;

import org.springframework.context.ApplicationEvent;

/**
 * This node is registered again in a topology's registry after a {@link RegistryDisconnectedEvent}.
 */
public class RegistryReconnectedEvent extends ApplicationEvent {

	private final String topology;

	private final String localNode;

	/**
	 * Creates the event.
	 * @param source the publishing node
	 * @param topology the topology
	 * @param localNode this node's name
	 */
	public RegistryReconnectedEvent(Object source, String topology, String localNode) {
		super(source);
		this.topology = topology;
		this.localNode = localNode;
	}

	/**
	 * The topology.
	 * @return its name
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

}
