package dev.clustering.discovery.dns;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.clustering.discovery.DiscoveryContext;
import dev.clustering.membership.LocalNode;

/**
 * Which node names a DNS topology joins, by the part before {@code @}; a node turned away is
 * logged once, not on every attempt.
 */
final class BasenameFilter {

	private static final Logger logger = LoggerFactory.getLogger(BasenameFilter.class);

	private final String basename;

	private final boolean defaultToOwn;

	private final boolean portSuffix;

	private final Set<String> reported = ConcurrentHashMap.newKeySet();

	/**
	 * Creates a filter.
	 * @param basename the name part to require, or {@code null}
	 * @param defaultToOwn whether a {@code null} basename means this node's own name part (otherwise
	 * it admits every name)
	 * @param portSuffix whether {@code basename-<port>} matches too
	 */
	BasenameFilter(String basename, boolean defaultToOwn, boolean portSuffix) {
		this.basename = basename;
		this.defaultToOwn = defaultToOwn;
		this.portSuffix = portSuffix;
	}

	String basename(DiscoveryContext context) {
		return (this.basename != null) ? this.basename
				: this.defaultToOwn ? LocalNode.namePart(context.self().name()) : null;
	}

	boolean admits(DiscoveryContext context, String nodeName) {
		String expected = basename(context);
		if (expected == null) {
			return true;
		}
		String part = LocalNode.namePart(nodeName);
		boolean matches = part.equals(expected) || (this.portSuffix && isPortSuffixed(part, expected));
		if (!matches && this.reported.add(nodeName)) {
			logger.info("[{}] not joining {}: its name part is not '{}'{}", context.topology(), nodeName, expected,
					this.portSuffix ? " or '" + expected + "-<port>'" : "");
		}
		return matches;
	}

	// basename-<port>, as caravan names nodes that share a host
	private static boolean isPortSuffixed(String part, String basename) {
		String suffix = part.startsWith(basename + "-") ? part.substring(basename.length() + 1) : "";
		return !suffix.isEmpty() && suffix.chars().allMatch((c) -> c >= '0' && c <= '9');
	}

}
