package dev.clustering.discovery.zookeeper;

import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.state.ConnectionState;
import org.apache.curator.framework.state.ConnectionStateListener;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.ZooKeeper;

import dev.clustering.discovery.LeaseBound;

/**
 * Until when this node's ZooKeeper session is certainly alive. A server expires a session only
 * once it has heard nothing from its client for the negotiated session timeout, so a request the
 * server answered proves that the session lives until at least the request's send time plus that
 * timeout. The clock sends a cheap request (an {@code exists} of {@code /}) every ping interval and
 * keeps the send time of the latest one answered in the current session; it vouches until then plus
 * the session timeout, less a margin. A lost session (expired, or given up by Curator) is vouched
 * for no more, and a new session only once one of its own requests is answered. Thread-safe:
 * pings go out on the strategy's thread, answers and connection states arrive on Curator's.
 */
final class SessionClock implements LeaseBound, ConnectionStateListener {

	private final CuratorFramework client;

	private final ScheduledExecutorService executor;

	private final long pingNanos;

	// the session that answered last, its negotiated timeout, and the send time of that answered ping
	private record Answered(long session, long timeoutNanos, long sentNanos) {
	}

	private volatile Answered answered;

	private ScheduledFuture<?> pinging;

	SessionClock(CuratorFramework client, ScheduledExecutorService executor, long pingNanos) {
		this.client = client;
		this.executor = executor;
		this.pingNanos = pingNanos;
	}

	synchronized void start() {
		if (this.pinging == null) {
			this.client.getConnectionStateListenable().addListener(this);
			this.pinging = this.executor.scheduleWithFixedDelay(this::ping, 0, this.pingNanos, TimeUnit.NANOSECONDS);
		}
	}

	synchronized void stop() {
		if (this.pinging != null) {
			this.pinging.cancel(false);
			this.client.getConnectionStateListenable().removeListener(this);
			this.pinging = null;
		}
	}

	/**
	 * Pings now, besides the regular pings (after a reconnection, so the new session is vouched for
	 * without waiting for the next one).
	 */
	void pingSoon() {
		try {
			this.executor.execute(this::ping);
		}
		catch (RejectedExecutionException ex) {
			// stopped
		}
	}

	/**
	 * The current session's id, if connected.
	 * @return the session id, or 0
	 */
	long session() {
		try {
			if (!this.client.getZookeeperClient().isConnected()) {
				return 0;
			}
			ZooKeeper zooKeeper = this.client.getZookeeperClient().getZooKeeper();
			return zooKeeper.getSessionId();
		}
		catch (Exception ex) {
			return 0;
		}
	}

	private void ping() {
		try {
			if (!this.client.getZookeeperClient().isConnected()) {
				return;
			}
			ZooKeeper zooKeeper = this.client.getZookeeperClient().getZooKeeper();
			long session = zooKeeper.getSessionId();
			long sent = System.nanoTime();
			this.client.checkExists().inBackground((c, event) -> {
				if (event.getResultCode() == KeeperException.Code.OK.intValue()
						|| event.getResultCode() == KeeperException.Code.NONODE.intValue()) {
					answered(zooKeeper, session, sent);
				}
			}).forPath("/");
		}
		catch (Exception ex) {
			// not connected, or closing: the next ping tries again, and the vouch runs out meanwhile
		}
	}

	private synchronized void answered(ZooKeeper zooKeeper, long session, long sent) {
		if (session == 0 || zooKeeper.getSessionId() != session) {
			return; // an answer to a session that has ended since
		}
		Answered last = this.answered;
		if (last != null && last.session == session && sent - last.sentNanos <= 0) {
			return;
		}
		long timeoutNanos = TimeUnit.MILLISECONDS.toNanos(zooKeeper.getSessionTimeout());
		this.answered = new Answered(session, timeoutNanos, sent);
	}

	@Override
	public void stateChanged(CuratorFramework client, ConnectionState state) {
		if (state == ConnectionState.LOST) {
			synchronized (this) {
				this.answered = null;
			}
		}
		else if (state == ConnectionState.RECONNECTED || state == ConnectionState.CONNECTED) {
			pingSoon();
		}
	}

	/**
	 * Until when the session is certainly alive.
	 * @return monotonic nanoseconds, or {@link Long#MIN_VALUE} when no answer of the current session
	 * vouches for it
	 */
	@Override
	public long validUntilNanos() {
		Answered last = this.answered;
		if (last == null) {
			return Long.MIN_VALUE;
		}
		// a tenth of the timeout (at least 100 ms) for the server's and this host's clocks to differ in rate
		long margin = Math.max(TimeUnit.MILLISECONDS.toNanos(100), last.timeoutNanos / 10);
		return last.sentNanos + last.timeoutNanos - margin;
	}

}
