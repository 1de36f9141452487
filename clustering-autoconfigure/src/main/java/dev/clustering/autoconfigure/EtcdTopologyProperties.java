package dev.clustering.autoconfigure;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The {@code etcd} strategy's settings, {@code cluster.topologies.<name>.etcd.*}: nodes register
 * under a key on a lease and find each other by watch; etcd also elects the cluster's leader. Bound
 * by {@link EtcdStrategyFactory}.
 */
public class EtcdTopologyProperties {

	/**
	 * URLs of the etcd cluster's members (http or https, not mixed).
	 */
	private List<String> endpoints = new ArrayList<>(List.of("http://127.0.0.1:2379"));

	/**
	 * Key prefix; each node registers as <prefix>/<service>/<node name> and the election
	 * lives under <prefix>/<service>/election.
	 */
	private String prefix = "/cluster";

	/**
	 * Name that groups one cluster's nodes under the prefix. Defaults to
	 * spring.application.name, else "node".
	 */
	private String service;

	/**
	 * Time to live of this node's leases: how long a node that stopped without leaving stays
	 * registered (and leader). At least 2s; rounded up to whole seconds.
	 */
	private Duration ttl = Duration.ofSeconds(10);

	/**
	 * User name for etcd authentication.
	 */
	private String username;

	/**
	 * Password for etcd authentication.
	 */
	private String password;

	/**
	 * Whether start-up fails when etcd cannot be reached. Otherwise the application starts
	 * and the node registers, and joins, once etcd is up.
	 */
	private boolean failFast;

	private final RegistrySslProperties ssl = new RegistrySslProperties();

	public List<String> getEndpoints() {
		return this.endpoints;
	}

	public void setEndpoints(List<String> endpoints) {
		this.endpoints = endpoints;
	}

	public String getPrefix() {
		return this.prefix;
	}

	public void setPrefix(String prefix) {
		this.prefix = prefix;
	}

	public String getService() {
		return this.service;
	}

	public void setService(String service) {
		this.service = service;
	}

	public Duration getTtl() {
		return this.ttl;
	}

	public void setTtl(Duration ttl) {
		this.ttl = ttl;
	}

	public String getUsername() {
		return this.username;
	}

	public void setUsername(String username) {
		this.username = username;
	}

	public String getPassword() {
		return this.password;
	}

	public void setPassword(String password) {
		this.password = password;
	}

	public boolean isFailFast() {
		return this.failFast;
	}

	public void setFailFast(boolean failFast) {
		this.failFast = failFast;
	}

	public RegistrySslProperties getSsl() {
		return this.ssl;
	}

}
