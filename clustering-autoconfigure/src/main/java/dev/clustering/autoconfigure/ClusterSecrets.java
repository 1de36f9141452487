package dev.clustering.autoconfigure;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;


import org.springframework.util.StringUtils;

import dev.clustering.node.ClusterNode;

/**
 * Start-up checks of the secrets in {@code cluster.*}: a value that is still an unresolved
 * {@code ${...}} placeholder (the environment variable was not set), and a cookie too short for a
 * node that other machines can reach. Messages never contain the secret.
 */
final class ClusterSecrets {

	/** Shortest cookie accepted on a node that listens on a non-loopback address. */
	static final int MIN_COOKIE_LENGTH = ClusterNode.MIN_COOKIE_LENGTH;

	static final String GENERATE = "openssl rand -base64 32";


	private static final Pattern PLACEHOLDER = Pattern.compile("\\$\\{([^}]*)}");

	private static final Pattern IPV4 = Pattern.compile("(\\d{1,3})\\.(\\d{1,3})\\.(\\d{1,3})\\.(\\d{1,3})");

	// only hex digits, colons and dots (an IPv4 tail), and an optional zone: parsed, never looked up
	private static final Pattern IPV6 = Pattern.compile("[0-9A-Fa-f:.]*:[0-9A-Fa-f:.]*(%[\\w.-]+)?");

	private ClusterSecrets() {
	}

	/**
	 * Refuses a secret that still holds an unresolved placeholder, such as {@code ${CLUSTER_COOKIE}}
	 * when that variable was not set: it would otherwise be used as the secret, literally.
	 * @param property the property, such as {@code cluster.cookie}
	 * @param value its value, or {@code null}
	 */
	static void checkResolved(String property, String value) {
		if (value == null) {
			return;
		}
		Matcher placeholder = PLACEHOLDER.matcher(value);
		if (!placeholder.find()) {
			return;
		}
		String name = placeholder.group(1).trim();
		String cookie = property.equals("cluster.cookie")
				? " A new cookie, the same on every node: export " + name + "=\"$(" + GENERATE + ")\"." : "";
		throw new ClusterConfigurationException(property,
				"holds the unresolved placeholder ${" + name + "}, which would be used literally as the secret",
				"Export the environment variable before starting (export " + name + "=...), or pass --" + property
						+ "=... on the command line." + cookie);
	}

	/**
	 * Checks the cookie's length against where the node listens: a short cookie is refused on a
	 * node that other machines can reach, and only warned about on a loopback-only node.
	 * @param cookie the cookie (resolved), or {@code null} for none
	 * @param host {@code cluster.node.host}, or {@code null} for the first non-loopback address
	 * @param bindAddress {@code cluster.node.bind-address}, or {@code null} for the host
	 */
	static void checkCookieStrength(String cookie, String host, String bindAddress) {
		if (!StringUtils.hasLength(cookie) || cookie.length() >= MIN_COOKIE_LENGTH) {
			return;
		}
		if (isLoopbackOnly(host, bindAddress)) {
			return; // the engine warns once it has bound its loopback address
		}
		String where = !StringUtils.hasText(host) ? "cluster.node.host is not set, so it is this machine's first "
				+ "non-loopback address"
				: (StringUtils.hasText(bindAddress) && !isLoopback(bindAddress))
						? "cluster.node.bind-address=" + bindAddress.trim() : "cluster.node.host=" + host.trim();
		throw new ClusterConfigurationException("cluster.cookie",
				"is shorter than " + MIN_COOKIE_LENGTH + " characters on a node that listens on a non-loopback "
						+ "address (" + where + ")",
				"Generate a cookie with `" + GENERATE + "` and set the same one on every node (for example "
						+ "cluster.cookie=${CLUSTER_COOKIE} with that variable exported).");
	}

	/**
	 * Whether a node listens on loopback only: its host and, if set, its bind address are loopback.
	 * @param host {@code cluster.node.host}, or {@code null} (the engine then picks a non-loopback
	 * address)
	 * @param bindAddress {@code cluster.node.bind-address}, or {@code null}
	 * @return whether no other machine can reach the node
	 */
	static boolean isLoopbackOnly(String host, String bindAddress) {
		return StringUtils.hasText(host) && isLoopback(host)
				&& (!StringUtils.hasText(bindAddress) || isLoopback(bindAddress));
	}

	/**
	 * Whether a host is loopback (127.0.0.0/8, ::1 or {@code localhost}), decided from its text: IP
	 * literals are parsed and no other name is looked up, so any other name counts as non-loopback.
	 * @param host a host name or IP literal, IPv6 possibly in brackets
	 * @return whether it is certainly loopback
	 */
	static boolean isLoopback(String host) {
		String text = host.trim();
		if (text.length() > 2 && text.startsWith("[") && text.endsWith("]")) {
			text = text.substring(1, text.length() - 1);
		}
		if (text.toLowerCase(Locale.ROOT).equals("localhost")) {
			return true;
		}
		Matcher ipv4 = IPV4.matcher(text);
		if (ipv4.matches()) {
			for (int i = 1; i <= 4; i++) {
				if (Integer.parseInt(ipv4.group(i)) > 255) {
					return false;
				}
			}
			return Integer.parseInt(ipv4.group(1)) == 127;
		}
		if (!IPV6.matcher(text).matches()) {
			return false;
		}
		try {
			// a string with a colon that is not a valid IPv6 literal is refused, not looked up
			return InetAddress.getByName(text).isLoopbackAddress();
		}
		catch (UnknownHostException ex) {
			return false;
		}
	}

}
