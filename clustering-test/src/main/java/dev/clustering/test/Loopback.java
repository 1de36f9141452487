package dev.clustering.test;

import java.io.IOException;
import java.net.ServerSocket;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

/** Free loopback ports and random cookies for a {@link LoopbackCluster}. */
final class Loopback {

	private Loopback() {
	}

	/** Distinct free ports: all probe sockets are held open together, so no port is given twice. */
	static List<Integer> freePorts(int count) {
		List<ServerSocket> sockets = new ArrayList<>();
		try {
			List<Integer> ports = new ArrayList<>();
			for (int i = 0; i < count; i++) {
				ServerSocket socket = new ServerSocket(0);
				sockets.add(socket);
				ports.add(socket.getLocalPort());
			}
			return ports;
		}
		catch (IOException ex) {
			throw new IllegalStateException("No free loopback ports: " + ex.getMessage(), ex);
		}
		finally {
			for (ServerSocket socket : sockets) {
				try {
					socket.close();
				}
				catch (IOException ex) {
					// closing a probe socket
				}
			}
		}
	}

	/** A random cookie of 32 URL-safe characters. */
	static String newCookie() {
		byte[] bytes = new byte[24];
		new SecureRandom().nextBytes(bytes);
		return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
	}

}
