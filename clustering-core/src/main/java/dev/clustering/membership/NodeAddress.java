package dev.clustering.membership;

import java.util.Locale;
import java.util.regex.Pattern;

import io.netty.util.NetUtil;

/**
 * Where a node's cluster transport listens: a host (name or IP literal) and a port.
 * IP literals are normalised (so {@code 0:0:0:0:0:0:0:1} and {@code ::1} are equal) and IPv6
 * hosts are written in brackets, as in URLs.
 *
 * @param host host name or IP literal, without brackets
 * @param port TCP port, 1 to 65535
 */
public record NodeAddress(String host, int port) implements Comparable<NodeAddress> {

	private static final Pattern IPV4 = Pattern.compile("[0-9.]+");

	public NodeAddress {
		if (host == null || host.isBlank()) {
			throw new IllegalArgumentException("host must not be empty");
		}
		if (port < 1 || port > 65535) {
			throw new IllegalArgumentException("port must be between 1 and 65535, was " + port);
		}
		host = normaliseHost(host);
	}

	/**
	 * Parses {@code host:port}, {@code [ipv6]:port}.
	 * @param text the address
	 * @return the address
	 * @throws IllegalArgumentException when the text is not {@code host:port}
	 */
	public static NodeAddress parse(String text) {
		String value = (text != null) ? text.trim() : "";
		int colon = value.lastIndexOf(':');
		if (colon <= 0 || colon == value.length() - 1) {
			throw new IllegalArgumentException("'" + text + "' is not host:port");
		}
		String host = value.substring(0, colon);
		if (host.startsWith("[")) {
			if (!host.endsWith("]")) {
				throw new IllegalArgumentException("'" + text + "' is not host:port");
			}
			host = host.substring(1, host.length() - 1);
		}
		else if (host.indexOf(':') >= 0) {
			throw new IllegalArgumentException("'" + text + "' is not host:port (write IPv6 hosts as [addr]:port)");
		}
		int port;
		try {
			port = Integer.parseInt(value.substring(colon + 1));
		}
		catch (NumberFormatException ex) {
			throw new IllegalArgumentException("'" + text + "' does not end with a port number");
		}
		return new NodeAddress(host, port);
	}

	/**
	 * Whether this host is an IP literal rather than a name.
	 * @return whether the host is an IP address
	 */
	public boolean isIpLiteral() {
		return isIpLiteral(this.host);
	}

	/**
	 * The host as written in a URL or node name: IPv6 literals in brackets.
	 * @return the host for display
	 */
	public String hostForDisplay() {
		return this.host.indexOf(':') >= 0 ? "[" + this.host + "]" : this.host;
	}

	@Override
	public int compareTo(NodeAddress other) {
		int byHost = this.host.compareTo(other.host);
		return (byHost != 0) ? byHost : Integer.compare(this.port, other.port);
	}

	@Override
	public String toString() {
		return hostForDisplay() + ":" + this.port;
	}

	static boolean isIpLiteral(String host) {
		return host.indexOf(':') >= 0 || IPV4.matcher(host).matches();
	}

	// RFC 5952 text form: lower case, no leading zeros, the longest run of zero groups as "::"
	private static String compress(byte[] bytes) {
		int[] groups = new int[8];
		for (int i = 0; i < 8; i++) {
			groups[i] = ((bytes[2 * i] & 0xff) << 8) | (bytes[2 * i + 1] & 0xff);
		}
		int bestStart = -1;
		int bestLength = 1;
		for (int i = 0; i < 8;) {
			int j = i;
			while (j < 8 && groups[j] == 0) {
				j++;
			}
			if (j - i > bestLength) {
				bestStart = i;
				bestLength = j - i;
			}
			i = (j == i) ? i + 1 : j;
		}
		StringBuilder text = new StringBuilder();
		for (int i = 0; i < 8; i++) {
			if (i == bestStart) {
				text.append("::");
				i += bestLength - 1;
				continue;
			}
			if (text.length() > 0 && text.charAt(text.length() - 1) != ':') {
				text.append(':');
			}
			text.append(Integer.toHexString(groups[i]));
		}
		return text.toString();
	}

	private static String normaliseHost(String host) {
		String trimmed = host.trim();
		if (trimmed.startsWith("[") && trimmed.endsWith("]")) {
			trimmed = trimmed.substring(1, trimmed.length() - 1);
		}
		if (!isIpLiteral(trimmed)) {
			return trimmed.toLowerCase(Locale.ROOT);
		}
		// a literal is parsed here, never looked up: text that looks like one but is not (999.1.2.3)
		// is an error, not a host name for a resolver
		byte[] bytes = NetUtil.createByteArrayFromIpAddressString(trimmed);
		if (bytes == null) {
			throw new IllegalArgumentException("'" + host + "' is not a valid IP address");
		}
		if (bytes.length == 16) {
			return compress(bytes);
		}
		return (bytes[0] & 0xff) + "." + (bytes[1] & 0xff) + "." + (bytes[2] & 0xff) + "." + (bytes[3] & 0xff);
	}

}
