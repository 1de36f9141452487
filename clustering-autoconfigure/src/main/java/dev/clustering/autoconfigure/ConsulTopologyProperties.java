package dev.clustering.autoconfigure;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The {@code consul} strategy's settings, {@code cluster.topologies.<name>.consul.*}: nodes
 * register in Consul with a TTL check and find each other by blocking queries; a Consul session
 * lock elects the cluster's leader. Bound by {@link ConsulStrategyFactory}.
 */
public class ConsulTopologyProperties {

	/**
	 * URL of the Consul agent's HTTP API (https with ssl.bundle).
	 */
	private String url = "http://127.0.0.1:8500";

	/**
	 * Service each node registers as (its SRV name in Consul's DNS is
	 * <service>.service.consul). Defaults to spring.application.name + "-dist", else "node-dist".
	 */
	private String service;

	/**
	 * KV prefix of the election's lock, <prefix>/<service>/leader.
	 */
	private String prefix = "cluster";

	/**
	 * Tags of the service instance.
	 */
	private List<String> tags = new ArrayList<>();

	/**
	 * Time to live of the node's TTL check; the node passes it every third of it. A node that
	 * stops passing (frozen, or cut off from its agent) turns critical after it, leaves discovery
	 * and gives up leadership.
	 */
	private Duration checkTtl = Duration.ofSeconds(10);

	/**
	 * How long Consul keeps an instance whose check is critical before deregistering it (Consul
	 * reaps at one minute at the soonest).
	 */
	private Duration deregisterCriticalAfter = Duration.ofMinutes(1);

	/**
	 * Time to live of the election's Consul session, 10s to 24h; renewed every third of it.
	 */
	private Duration sessionTtl = Duration.ofSeconds(10);

	/**
	 * How long Consul keeps the leader's lock from being taken after its session is invalidated.
	 * 0 by default: fencing tokens, and a leader that stops leading by its own clock before its
	 * session can be invalidated, protect what Consul's 15s delay would.
	 */
	private Duration lockDelay = Duration.ZERO;

	/**
	 * ACL token sent with every request (X-Consul-Token); never logged.
	 */
	private String aclToken;

	/**
	 * Whether start-up fails when Consul cannot be reached. Otherwise the application starts and
	 * the node registers, and joins, once Consul is up.
	 */
	private boolean failFast;

	private final RegistrySslProperties ssl = new RegistrySslProperties();

	public String getUrl() {
		return this.url;
	}

	public void setUrl(String url) {
		this.url = url;
	}

	public String getService() {
		return this.service;
	}

	public void setService(String service) {
		this.service = service;
	}

	public String getPrefix() {
		return this.prefix;
	}

	public void setPrefix(String prefix) {
		this.prefix = prefix;
	}

	public List<String> getTags() {
		return this.tags;
	}

	public void setTags(List<String> tags) {
		this.tags = tags;
	}

	public Duration getCheckTtl() {
		return this.checkTtl;
	}

	public void setCheckTtl(Duration checkTtl) {
		this.checkTtl = checkTtl;
	}

	public Duration getDeregisterCriticalAfter() {
		return this.deregisterCriticalAfter;
	}

	public void setDeregisterCriticalAfter(Duration deregisterCriticalAfter) {
		this.deregisterCriticalAfter = deregisterCriticalAfter;
	}

	public Duration getSessionTtl() {
		return this.sessionTtl;
	}

	public void setSessionTtl(Duration sessionTtl) {
		this.sessionTtl = sessionTtl;
	}

	public Duration getLockDelay() {
		return this.lockDelay;
	}

	public void setLockDelay(Duration lockDelay) {
		this.lockDelay = lockDelay;
	}

	public String getAclToken() {
		return this.aclToken;
	}

	public void setAclToken(String aclToken) {
		this.aclToken = aclToken;
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
