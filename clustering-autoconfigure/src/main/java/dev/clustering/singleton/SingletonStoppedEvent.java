package dev.clustering.singleton;

import org.springframework.context.ApplicationEvent;

/**
 * A singleton stopped on this node.
 */
public class SingletonStoppedEvent extends ApplicationEvent {

	private final String name;

	private final String node;

	private final StopReason reason;

	private final long fencingToken;

	/**
	 * Creates the event.
	 * @param source the publishing node
	 * @param name the singleton
	 * @param node this node
	 * @param reason why it stopped
	 * @param fencingToken the token of the start that ended
	 */
	public SingletonStoppedEvent(Object source, String name, String node, StopReason reason, long fencingToken) {
		super(source);
		this.name = name;
		this.node = node;
		this.reason = reason;
		this.fencingToken = fencingToken;
	}

	/**
	 * The singleton's name.
	 * @return the name
	 */
	public String getName() {
		return this.name;
	}

	/**
	 * The node it stopped on.
	 * @return the node name
	 */
	public String getNode() {
		return this.node;
	}

	/**
	 * Why it stopped.
	 * @return the reason
	 */
	public StopReason getReason() {
		return this.reason;
	}

	/**
	 * The fencing token of the start that ended.
	 * @return the token
	 */
	public long getFencingToken() {
		return this.fencingToken;
	}

	@Override
	public String toString() {
		return "SingletonStoppedEvent[" + this.name + " on " + this.node + ", " + this.reason + "]";
	}

}
