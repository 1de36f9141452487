package dev.clustering.singleton;

import java.util.Objects;
import java.util.function.BooleanSupplier;

/**
 * What a singleton is told when it starts, and how it checks, at any moment and from any thread,
 * that it may still act.
 */
public final class SingletonContext {

	private final String name;

	private final String node;

	private final StartType startType;

	private final String from;

	private final long fencingToken;

	private final BooleanSupplier validity;

	/**
	 * Creates a context that is always valid (for tests of a singleton's own code).
	 * @param name the singleton's name
	 * @param node the node it runs on
	 * @param startType how it started
	 * @param from the node it came from, or {@code null}
	 * @param fencingToken its fencing token
	 */
	public SingletonContext(String name, String node, StartType startType, String from, long fencingToken) {
		this(name, node, startType, from, fencingToken, () -> true);
	}

	/**
	 * Creates a context.
	 * @param name the singleton's name
	 * @param node the node it runs on
	 * @param startType how it started
	 * @param from the node it came from, or {@code null}
	 * @param fencingToken its fencing token
	 * @param validity whether the run may still act, checked by the clock
	 */
	public SingletonContext(String name, String node, StartType startType, String from, long fencingToken,
			BooleanSupplier validity) {
		this.name = Objects.requireNonNull(name, "name");
		this.node = Objects.requireNonNull(node, "node");
		this.startType = Objects.requireNonNull(startType, "startType");
		this.from = from;
		this.fencingToken = fencingToken;
		this.validity = Objects.requireNonNull(validity, "validity");
	}

	/**
	 * The singleton's name.
	 * @return the name
	 */
	public String name() {
		return this.name;
	}

	/**
	 * The node it runs on.
	 * @return the node name
	 */
	public String node() {
		return this.node;
	}

	/**
	 * How it started here.
	 * @return the start type
	 */
	public StartType startType() {
		return this.startType;
	}

	/**
	 * Where it came from (failover, takeover, hand-over).
	 * @return the node name, or {@code null}
	 */
	public String from() {
		return this.from;
	}

	/**
	 * A token larger than that of any earlier start of this singleton; guard external writes with it.
	 * @return the fencing token
	 */
	public long fencingToken() {
		return this.fencingToken;
	}

	/**
	 * Whether this run may still act: checked against the monotonic clock on the caller's thread, so
	 * it turns false on time even if this node's event loop is stalled, before any other node can
	 * start the singleton. Turns false for good once the run is told to stop. Check it before each
	 * action that must not happen twice, and pass {@link #fencingToken()} to the store as well: the
	 * store's check is what protects a write that was already under way.
	 * @return whether the run is still valid
	 */
	public boolean isValid() {
		return this.validity.getAsBoolean();
	}

	@Override
	public String toString() {
		return "SingletonContext[" + this.name + " on " + this.node + ", " + this.startType
				+ ((this.from != null) ? " from " + this.from : "") + ", token " + this.fencingToken + "]";
	}

}
