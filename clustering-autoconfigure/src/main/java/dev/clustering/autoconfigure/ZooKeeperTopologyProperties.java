package dev.clustering.autoconfigure;

import java.time.Duration;

/**
 * The {@code zookeeper} strategy's settings, {@code cluster.topologies.<name>.zookeeper.*}: nodes
 * register as ephemeral znodes and find each other by watch; ZooKeeper also elects the cluster's
 * leader. Bound by {@link ZooKeeperStrategyFactory}.
 */
public class ZooKeeperTopologyProperties {

	/**
	 * ZooKeeper servers, as host:port pairs separated by commas.
	 */
	private String connectString = "127.0.0.1:2181";

	/**
	 * Root path; each node registers as <root>/<service>/members/<node name> and the
	 * election lives under <root>/<service>/election.
	 */
	private String root = "/cluster";

	/**
	 * Name that groups one cluster's nodes under the root. Defaults to
	 * spring.application.name, else "node".
	 */
	private String service;

	/**
	 * Session timeout asked of ZooKeeper: how long a node that stopped without leaving stays
	 * registered (and leader). The server keeps it between 2 and 20 ticks.
	 */
	private Duration sessionTimeout = Duration.ofSeconds(10);

	/**
	 * How long to wait for a connection to ZooKeeper, each time one is made.
	 */
	private Duration connectionTimeout = Duration.ofSeconds(5);

	/**
	 * Digest credentials, as user:password, sent to ZooKeeper when connecting.
	 */
	private String authorization;

	/**
	 * Whether start-up fails when ZooKeeper cannot be reached. Otherwise the application starts
	 * and the node registers, and joins, once ZooKeeper is up.
	 */
	private boolean failFast;

	private final RegistrySslProperties ssl = new RegistrySslProperties();

	public String getConnectString() {
		return this.connectString;
	}

	public void setConnectString(String connectString) {
		this.connectString = connectString;
	}

	public String getRoot() {
		return this.root;
	}

	public void setRoot(String root) {
		this.root = root;
	}

	public String getService() {
		return this.service;
	}

	public void setService(String service) {
		this.service = service;
	}

	public Duration getSessionTimeout() {
		return this.sessionTimeout;
	}

	public void setSessionTimeout(Duration sessionTimeout) {
		this.sessionTimeout = sessionTimeout;
	}

	public Duration getConnectionTimeout() {
		return this.connectionTimeout;
	}

	public void setConnectionTimeout(Duration connectionTimeout) {
		this.connectionTimeout = connectionTimeout;
	}

	public String getAuthorization() {
		return this.authorization;
	}

	public void setAuthorization(String authorization) {
		this.authorization = authorization;
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
