package dev.clustering.node;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.util.Collections;

/**
 * Picks the address a node advertises when none is configured.
 */
public final class HostAddresses {

	private HostAddresses() {
	}

	/**
	 * This machine's first non-loopback address of an interface that is up, IPv4 preferred;
	 * {@code 127.0.0.1} if there is none.
	 * @return an IP literal
	 */
	public static String firstNonLoopback() {
		String ipv6 = null;
		try {
			for (NetworkInterface nic : Collections.list(NetworkInterface.getNetworkInterfaces())) {
				if (!nic.isUp() || nic.isLoopback() || nic.isVirtual()) {
					continue;
				}
				for (InetAddress address : Collections.list(nic.getInetAddresses())) {
					if (address.isLoopbackAddress() || address.isLinkLocalAddress()) {
						continue;
					}
					if (address instanceof Inet4Address) {
						return address.getHostAddress();
					}
					if (ipv6 == null) {
						String literal = address.getHostAddress();
						int zone = literal.indexOf('%');
						ipv6 = (zone >= 0) ? literal.substring(0, zone) : literal;
					}
				}
			}
		}
		catch (SocketException ex) {
			// fall through to loopback
		}
		return (ipv6 != null) ? ipv6 : "127.0.0.1";
	}

}
