package dev.clustering.autoconfigure;

import org.springframework.boot.context.properties.bind.Bindable;
import org.springframework.boot.context.properties.bind.Binder;

/**
 * What a {@link ClusterStrategyFactory} is given for one topology: the topology's name and the
 * strategy's own group of properties, {@code cluster.topologies.<topology>.<strategy>.*}, bound to a
 * class of the strategy's own (as Spring Boot binds each kind of SSL bundle to its own class).
 * Nothing else of {@code cluster.*} reaches a strategy, so adding one touches only its own classes
 * and its auto-configuration.
 */
public final class StrategyContext {

	private final String topology;

	private final String strategy;

	private final Binder binder;

	private final int nodePort;

	StrategyContext(String topology, String strategy, Binder binder, int nodePort) {
		this.topology = topology;
		this.strategy = strategy;
		this.binder = binder;
		this.nodePort = nodePort;
	}

	/**
	 * The topology's name, the key under {@code cluster.topologies}.
	 * @return the name
	 */
	public String topology() {
		return this.topology;
	}

	/**
	 * The prefix of the strategy's properties, such as {@code cluster.topologies.k8s.dns}.
	 * @return the prefix
	 */
	public String prefix() {
		return "cluster.topologies." + this.topology + "." + this.strategy;
	}

	/**
	 * The full name of one of the strategy's properties, for error messages.
	 * @param key the key under {@link #prefix()}, such as {@code query}
	 * @return the property's name
	 */
	public String property(String key) {
		return prefix() + "." + key;
	}

	/**
	 * The strategy's properties, bound (with relaxed names, durations and sizes, as
	 * {@code @ConfigurationProperties} are) to a new instance of a JavaBean class; its defaults when
	 * none is set. A value that cannot be converted fails start-up naming the property.
	 * @param <P> the class
	 * @param type the class
	 * @return the bound instance
	 */
	public <P> P properties(Class<P> type) {
		return this.binder.bindOrCreate(prefix(), Bindable.of(type));
	}

	/**
	 * This node's transport port ({@code cluster.node.port}; 0 for a free one), for strategies that
	 * contact every node on the same port.
	 * @return the port
	 */
	public int nodePort() {
		return this.nodePort;
	}

}
