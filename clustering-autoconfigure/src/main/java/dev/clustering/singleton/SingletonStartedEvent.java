package dev.clustering.singleton;

import org.springframework.context.ApplicationEvent;

/**
 * A singleton started on this node.
 */
public class SingletonStartedEvent extends ApplicationEvent {

	private final SingletonContext context;

	/**
	 * Creates the event.
	 * @param source the publishing node
	 * @param context how it started
	 */
	public SingletonStartedEvent(Object source, SingletonContext context) {
		super(source);
		this.context = context;
	}

	/**
	 * How it started.
	 * @return the start context
	 */
	public SingletonContext getContext() {
		return this.context;
	}

	/**
	 * The singleton's name.
	 * @return the name
	 */
	public String getName() {
		return this.context.name();
	}

	@Override
	public String toString() {
		return "SingletonStartedEvent[" + this.context + "]";
	}

}
