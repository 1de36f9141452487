package dev.clustering.autoconfigure;

import java.util.ArrayList;
import java.util.List;

import dev.clustering.discovery.dns.RecordType;

/**
 * The {@code dns} strategy's settings, {@code cluster.topologies.<name>.dns.*}: every address a
 * name resolves to is contacted on one port. Bound by {@link DnsStrategyFactory}.
 */
public class DnsTopologyProperties extends DnsLookupProperties {

	/**
	 * Fully qualified name whose A and AAAA records list the cluster's nodes, such as a
	 * Kubernetes headless service. When unset, the topology discovers nothing.
	 */
	private String query;

	/**
	 * Record types to ask for.
	 */
	private List<RecordType> recordTypes = new ArrayList<>(List.of(RecordType.A, RecordType.AAAA));

	/**
	 * Cluster transport port to contact every address on. Defaults to cluster.node.port.
	 */
	private int port;

	/**
	 * Name part (before '@') a node must have to be joined. Defaults to this node's name part.
	 */
	private String basename;

	public String getQuery() {
		return this.query;
	}

	public void setQuery(String query) {
		this.query = query;
	}

	public List<RecordType> getRecordTypes() {
		return this.recordTypes;
	}

	public void setRecordTypes(List<RecordType> recordTypes) {
		this.recordTypes = recordTypes;
	}

	public int getPort() {
		return this.port;
	}

	public void setPort(int port) {
		this.port = port;
	}

	public String getBasename() {
		return this.basename;
	}

	public void setBasename(String basename) {
		this.basename = basename;
	}

}
