package dev.clustering.discovery;

/**
 * A strategy that admits only some node names among the addresses it discovers (nessie's and
 * caravan's basename): discovery yields addresses, and a node's name is known only once it has
 * introduced itself, so the engine asks after the handshake.
 */
public interface NameScoped {

	/**
	 * Whether a node found at one of this topology's addresses belongs to the topology.
	 * @param context the topology
	 * @param nodeName the name the node introduced itself with
	 * @return whether it may join through this topology
	 */
	boolean admits(DiscoveryContext context, String nodeName);

}
