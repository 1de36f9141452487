package dev.clustering.transport;

import java.util.HashMap;
import java.util.Map;

/**
 * Caps the accepted connections that have not finished their handshake: at most {@code total} at
 * once, and at most {@code perAddress} from one remote address, so neither one client nor many can
 * hold the node's memory with half-open handshakes (each holds at most one handshake frame). Used
 * from the node's event loop only.
 */
final class HandshakeGuard {

	private final int total;

	private final int perAddress;

	private final Map<String, Integer> byAddress = new HashMap<>();

	private int pending;

	HandshakeGuard(int total, int perAddress) {
		this.total = total;
		this.perAddress = perAddress;
	}

	/**
	 * Takes a slot for a new accepted connection.
	 * @param address the remote address
	 * @return whether there was room
	 */
	boolean tryAcquire(String address) {
		int fromThere = this.byAddress.getOrDefault(address, 0);
		if (this.pending >= this.total || fromThere >= this.perAddress) {
			return false;
		}
		this.pending++;
		this.byAddress.put(address, fromThere + 1);
		return true;
	}

	/**
	 * Gives a slot back (the handshake finished or the connection closed).
	 * @param address the remote address
	 */
	void release(String address) {
		Integer fromThere = this.byAddress.get(address);
		if (fromThere == null) {
			return;
		}
		this.pending--;
		if (fromThere <= 1) {
			this.byAddress.remove(address);
		}
		else {
			this.byAddress.put(address, fromThere - 1);
		}
	}

	int pending() {
		return this.pending;
	}

}
