package dev.clustering.autoconfigure;

import java.util.ArrayList;
import java.util.List;

/**
 * The {@code static} strategy's settings, {@code cluster.topologies.<name>.static.*}: a fixed
 * list of nodes. Bound by {@link StaticStrategyFactory}.
 */
public class StaticTopologyProperties {

	/**
	 * Addresses (host:port, [ipv6]:port) of the cluster's nodes; this node's own entry is
	 * skipped.
	 */
	private List<String> hosts = new ArrayList<>();

	public List<String> getHosts() {
		return this.hosts;
	}

	public void setHosts(List<String> hosts) {
		this.hosts = hosts;
	}

}
