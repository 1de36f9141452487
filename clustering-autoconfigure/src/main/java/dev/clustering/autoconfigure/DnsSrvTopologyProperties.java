package dev.clustering.autoconfigure;

/**
 * The {@code dns-srv} strategy's settings, {@code cluster.topologies.<name>.dns-srv.*}: every SRV
 * record's target and port is contacted. Bound by {@link DnsSrvStrategyFactory}.
 */
public class DnsSrvTopologyProperties extends DnsLookupProperties {

	/**
	 * Fully qualified SRV name that lists the cluster's nodes, such as
	 * likes-service-dist.service.consul.
	 */
	private String service;

	/**
	 * Name part (before '@') a node must have to be joined, alone or followed by '-' and a
	 * port, as in likes-9401. When unset, every node the SRV name lists is joined.
	 */
	private String basename;

	public String getService() {
		return this.service;
	}

	public void setService(String service) {
		this.service = service;
	}

	public String getBasename() {
		return this.basename;
	}

	public void setBasename(String basename) {
		this.basename = basename;
	}

}
