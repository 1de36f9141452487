package dev.clustering.node;

import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.function.LongSupplier;
import java.util.function.Predicate;

import io.netty.channel.EventLoop;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.clustering.membership.NodeAddress;
import dev.clustering.transport.NettyTransport;
import dev.clustering.transport.PeerConnection;
import dev.clustering.transport.TransportSettings;

/**
 * Dials the addresses discovery lists, each with its own back-off ({@link DialBackoff}): at most
 * one dial in flight per address, retried later after a failure, never again once the address
 * turned out to be this node. Forgets an address no topology lists once no dial to it is in
 * flight. Owned by the node's event loop, like {@link Mesh}; a dial's failure, reported on a Netty
 * thread, is handed back to that loop.
 */
final class Dialer {

	private static final Logger logger = LoggerFactory.getLogger(Dialer.class);

	private final NettyTransport transport;

	private final EventLoop loop;

	private final TransportSettings settings;

	private final LongSupplier nanoTime;

	private final Map<NodeAddress, DialBackoff> dials = new HashMap<>();

	Dialer(NettyTransport transport, TransportSettings settings, LongSupplier nanoTime) {
		this.transport = transport;
		this.loop = transport.eventLoop();
		this.settings = settings;
		this.nanoTime = nanoTime;
	}

	/**
	 * Dials every wanted address that is not skipped and whose back-off allows it now.
	 * @param wanted the discovered addresses, with the topologies that list each
	 * @param skip the addresses not to dial (this node's, a member's)
	 * @param now the time
	 */
	void dial(Map<NodeAddress, Set<String>> wanted, Predicate<NodeAddress> skip, long now) {
		this.dials.keySet().removeIf((address) -> !wanted.containsKey(address) && !this.dials.get(address).inFlight());
		wanted.forEach((address, names) -> {
			if (skip.test(address)) {
				return;
			}
			DialBackoff backoff = backoff(address);
			backoff.topologies = names;
			if (backoff.mayDial(now)) {
				backoff.dialling();
				this.transport.connect(address).addListener((future) -> {
					if (!future.isSuccess()) {
						Throwable cause = future.cause();
						onLoop(() -> failed(address, backoff, this.nanoTime.getAsLong(),
								(cause.getMessage() != null) ? cause.getMessage() : cause.toString()));
					}
				});
			}
		});
	}

	/**
	 * A connection this node dialled reached a node (it was established).
	 * @param address the address dialled
	 */
	void connected(NodeAddress address) {
		backoff(address).connected();
	}

	/**
	 * A connection this node dialled closed.
	 * @param connection the connection
	 * @param toSelf whether this node answered at that address (it is never dialled again)
	 * @param now the time
	 */
	void closed(PeerConnection connection, boolean toSelf, long now) {
		NodeAddress dialled = connection.dialled();
		DialBackoff backoff = backoff(dialled);
		if (connection.wasEstablished()) {
			backoff.disconnected(now);
		}
		else if (toSelf) {
			backoff.connected();
		}
		else {
			failed(dialled, backoff, now,
					(connection.failure() != null) ? connection.failure() : "closed during the handshake");
		}
	}

	private void failed(NodeAddress address, DialBackoff backoff, long now, String reason) {
		if (backoff.failed(now, reason)) {
			logger.info("{} cannot reach {}: {}; retrying with back-off", backoff.topologies, address, reason);
		}
	}

	private DialBackoff backoff(NodeAddress address) {
		return this.dials.computeIfAbsent(address, (a) -> new DialBackoff(this.settings.reconnectInitialBackoff(),
				this.settings.reconnectMaxBackoff()));
	}

	private void onLoop(Runnable task) {
		if (this.loop.inEventLoop()) {
			task.run();
		}
		else {
			this.loop.execute(task);
		}
	}

}
