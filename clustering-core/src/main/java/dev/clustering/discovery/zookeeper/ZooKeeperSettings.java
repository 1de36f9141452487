package dev.clustering.discovery.zookeeper;

import java.util.Objects;

/**
 * Where nodes register in ZooKeeper: each node's ephemeral znode is
 * {@code <root>/<service>/members/<node name>}, and the election's candidates are ephemeral
 * sequential znodes under {@code <root>/<service>/election}.
 *
 * @param root the root path, starting with {@code /} (reception's {@code WithZkPrefix})
 * @param service the service that groups one cluster's nodes
 */
public record ZooKeeperSettings(String root, String service) {

	private static final String MEMBERS = "members";

	private static final String ELECTION = "election";

	public ZooKeeperSettings {
		Objects.requireNonNull(root, "root");
		Objects.requireNonNull(service, "service");
		root = root.trim();
		while (root.length() > 1 && root.endsWith("/")) {
			root = root.substring(0, root.length() - 1);
		}
		if (!root.startsWith("/") || root.contains("//") || root.chars().anyMatch(Character::isWhitespace)) {
			throw new IllegalArgumentException("root '" + root + "' must be a ZooKeeper path such as /cluster: "
					+ "starting with '/', without spaces or empty segments");
		}
		service = service.trim();
		if (service.isEmpty() || service.indexOf('/') >= 0 || service.chars().anyMatch(Character::isWhitespace)) {
			throw new IllegalArgumentException("service '" + service + "' must be a non-empty name without '/' or spaces");
		}
	}

	/**
	 * The service's path.
	 * @return {@code <root>/<service>}
	 */
	public String servicePath() {
		return (this.root.equals("/") ? "" : this.root) + "/" + this.service;
	}

	/**
	 * The parent of the members' znodes.
	 * @return {@code <root>/<service>/members}
	 */
	public String membersPath() {
		return servicePath() + "/" + MEMBERS;
	}

	/**
	 * A node's registration znode.
	 * @param nodeName the node's name
	 * @return {@code <root>/<service>/members/<node name>}
	 */
	public String memberPath(String nodeName) {
		return membersPath() + "/" + nodeName;
	}

	/**
	 * The parent of the candidates' znodes.
	 * @return {@code <root>/<service>/election}
	 */
	public String electionPath() {
		return servicePath() + "/" + ELECTION;
	}

	/**
	 * The node name a path registers, if it is a member's znode of this service.
	 * @param path a path
	 * @return the node name, or {@code null}
	 */
	public String nodeName(String path) {
		String parent = membersPath() + "/";
		if (path == null || !path.startsWith(parent)) {
			return null;
		}
		String name = path.substring(parent.length());
		return (name.isEmpty() || name.indexOf('/') >= 0) ? null : name;
	}

}
