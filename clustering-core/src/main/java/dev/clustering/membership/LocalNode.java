package dev.clustering.membership;

import java.util.Map;
import java.util.Objects;

/**
 * This node: its name, the address it advertises, and the incarnation of this process.
 *
 * @param name Erlang-style node name, {@code name@host}
 * @param address the advertised transport address (the bound port when configured as 0)
 * @param incarnation random number chosen at start, telling this process from a restarted one
 * @param metadata what this node tells others about itself
 */
public record LocalNode(String name, NodeAddress address, long incarnation, Map<String, String> metadata) {

	public LocalNode {
		Objects.requireNonNull(name, "name");
		Objects.requireNonNull(address, "address");
		metadata = Map.copyOf(metadata);
	}

	/**
	 * The node name for a name part and a host: {@code abc@127.0.0.1}, {@code abc@[::1]}.
	 * @param namePart the part before {@code @}
	 * @param host the host
	 * @return the full node name
	 */
	public static String nodeName(String namePart, String host) {
		return namePart + "@" + ((host.indexOf(':') >= 0 && !host.startsWith("[")) ? "[" + host + "]" : host);
	}

	/**
	 * The part of a node name before {@code @}.
	 * @param nodeName a full node name
	 * @return its name part
	 */
	public static String namePart(String nodeName) {
		int at = nodeName.indexOf('@');
		return (at < 0) ? nodeName : nodeName.substring(0, at);
	}

}
