package dev.clustering.discovery.consul;

import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ScheduledFuture;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.clustering.discovery.DiscoveryContext;
import dev.clustering.discovery.ElectionCapable;
import dev.clustering.discovery.LeaseBound;
import dev.clustering.transport.FrameCodec;

/**
 * This node's candidacy: a Consul session (behaviour {@code release}, the settings' TTL and lock
 * delay) bound to the agent's {@code serfHealth} and to this node's own TTL check, so the session
 * is invalidated, and the lock released, as soon as the node stops passing its check; and a KV
 * acquire of {@code <prefix>/<service>/leader} with the node's name as value. Whoever holds the lock
 * leads, with the key's {@code ModifyIndex} (which the acquisition set) as fencing token: every
 * later acquisition changes the key again, so tokens grow strictly from one leader to the next,
 * across agent restarts too (the index is Consul's Raft index, kept on disk).
 * <p>
 * A thread of its own ({@code cluster-topology-consul-election-<topology>}) reads the key with
 * blocking queries, tries to acquire it whenever it is free, and reports every change of leader or
 * token; the scheduler thread renews the session every third of its TTL. This node leads only while
 * the key names its current session and both its session renewal and its check pass are vouched
 * for by the clock (see {@link #leadsUntilNanos}); a failed call gives leadership up at once, and
 * an invalidated session is replaced by a new one, queued behind whoever acquired meanwhile.
 * Closing destroys the session, which releases the lock in the same write (with a lock delay set,
 * the lock is first released on its own: an explicit release is not held back by the delay).
 */
final class ConsulCampaign implements ElectionCapable.Campaign, LeaseBound {

	private static final Logger logger = LoggerFactory.getLogger(ConsulCampaign.class);

	private static final int MAX_NAME = 512;

	private final ConsulRuntime runtime;

	private final DiscoveryContext context;

	private final ElectionCapable.ElectionListener listener;

	private final String self;

	private final String key;

	private final Thread thread;

	private volatile ScheduledFuture<?> renewal;

	private volatile String session;

	// send time of the session's creation or last answered renewal
	private volatile long sessionAtNanos;

	// this node leads with this token
	private volatile Long leading;

	private volatile boolean closed;

	// guarded by this
	private String reportedName;

	private long reportedToken;

	private boolean reportedUnknown;

	private String refusedValue;

	private String destroyedStale;

	ConsulCampaign(ConsulRuntime runtime, DiscoveryContext context, ElectionCapable.ElectionListener listener) {
		this.runtime = runtime;
		this.context = context;
		this.listener = listener;
		this.self = context.self().name();
		this.key = runtime.settings().leaderKey();
		this.thread = new Thread(this::run, "cluster-topology-consul-election-" + context.topology());
		this.thread.setDaemon(true);
	}

	void start() {
		this.runtime.campaigning(this);
		this.thread.start();
		this.renewal = this.runtime.every(this::renew, this.runtime.settings().sessionTtl().dividedBy(3));
	}

	private void run() {
		long index = 0;
		ConsulDiscovery.Backoff backoff = new ConsulDiscovery.Backoff();
		boolean failing = false;
		boolean refused = false;
		boolean warmed = false;
		while (!this.closed) {
			try {
				String current = this.session;
				if (current == null) {
					current = createSession();
					if (current == null) {
						// this node's check is not passing yet: the session could not be bound to it
						if (!backoff.pause()) {
							return;
						}
						continue;
					}
					index = 0;
				}
				ConsulApi.Indexed<Optional<ConsulApi.KeyValue>> answer = this.runtime.api()
					.readKey(this.key, index, this.runtime.settings().blockingWait());
				index = (answer.index() > 0 && answer.index() >= index) ? answer.index() : 0;
				ConsulApi.KeyValue value = answer.value().orElse(null);
				if (value == null || value.session() == null || value.session().isEmpty()) {
					this.leading = null;
					unknown(null);
					// still free after a refusal (a lock delay holds it back): retry after a pause
					if (refused && !backoff.pause()) {
						return;
					}
					refused = !this.runtime.api().acquire(this.key, current, this.self);
					// read again at once: the answer names whoever holds it now
					index = 0;
					continue;
				}
				refused = false;
				backoff.reset();
				if (!warmed && !value.session().equals(current)) {
					// the acquisition's code path, taken once while another holds the lock (it answers
					// false), so that a take-over does not pay for loading and compiling it
					warmed = true;
					if (this.runtime.api().acquire(this.key, current, this.self)) {
						index = 0;
						continue;
					}
				}
				if (failing) {
					failing = false;
					logger.info("[{}] Consul answers the election again", this.context.topology());
				}
				evaluate(value);
			}
			catch (Exception ex) {
				if (this.closed) {
					return;
				}
				index = 0;
				this.leading = null;
				if (!failing) {
					failing = true;
					logger.warn("[{}] Consul election failed, nobody is known to lead until it answers: {}",
							this.context.topology(), ConsulRuntime.describe(ex));
				}
				unknown(ex);
				if (!backoff.pause()) {
					return;
				}
			}
		}
	}

	private String createSession() throws IOException {
		if (this.runtime.registrationValidUntilNanos(this.self) - System.nanoTime() <= 0) {
			return null;
		}
		ConsulSettings settings = this.runtime.settings();
		long sent = System.nanoTime();
		String created;
		try {
			created = this.runtime.api()
				.createSession("cluster " + settings.service() + " " + this.self, settings.sessionTtl(),
						settings.lockDelay(), List.of("serfHealth", "service:" + this.self));
		}
		catch (IOException ex) {
			if (String.valueOf(ex.getMessage()).contains("Missing check")) {
				// the agent has the check, the catalog not yet (the agent syncs it within moments)
				logger.debug("[{}] this node's check is not in Consul's catalog yet", this.context.topology());
				return null;
			}
			throw ex;
		}
		synchronized (this) {
			if (!this.closed) {
				this.sessionAtNanos = sent;
				this.session = created;
				logger.debug("[{}] Consul session {} created", this.context.topology(), created);
				return created;
			}
		}
		// closed while the session was being created: nobody would renew or destroy it
		try {
			this.runtime.api().destroySession(created);
		}
		catch (IOException ex) {
			logger.warn("[{}] could not destroy Consul session {} ({}); it ends with its TTL", this.context.topology(),
					created, ConsulRuntime.describe(ex));
		}
		return null;
	}

	private synchronized void evaluate(ConsulApi.KeyValue value) {
		if (this.closed) {
			return;
		}
		String name = value.value();
		long token = value.modifyIndex();
		if (name == null || name.isEmpty() || name.length() > MAX_NAME || token <= 0
				|| token > FrameCodec.MAX_LEADER_TOKEN) {
			this.leading = null;
			String description = "value " + ((name == null) ? "none" : "of " + name.length() + " characters")
					+ ", index " + token;
			if (!description.equals(this.refusedValue)) {
				this.refusedValue = description;
				logger.error("[{}] {} holds no leader this node can accept ({}); nobody leads until it does",
						this.context.topology(), this.key, description);
			}
			unknown(null);
			return;
		}
		this.leading = value.session().equals(this.session) ? token : null;
		if (name.equals(this.self) && this.leading == null && !value.session().equals(this.destroyedStale)) {
			// a session an earlier process of this node left (or this one's, invalidated) would hold the
			// lock until its TTL ran out
			this.destroyedStale = value.session();
			String stale = value.session();
			this.runtime.execute(() -> {
				try {
					this.runtime.api().destroySession(stale);
					logger.info("[{}] destroyed Consul session {} that an earlier process of {} left holding {}",
							this.context.topology(), stale, this.self, this.key);
				}
				catch (IOException ex) {
					logger.warn("[{}] could not destroy stale Consul session {} ({}); it ends with its TTL",
							this.context.topology(), stale, ConsulRuntime.describe(ex));
				}
			});
		}
		if (this.reportedUnknown || !name.equals(this.reportedName) || token != this.reportedToken) {
			this.reportedUnknown = false;
			this.reportedName = name;
			this.reportedToken = token;
			logger.debug("[{}] {} leads (token {})", this.context.topology(), name, token);
			try {
				this.listener.leaderElected(name, token);
			}
			catch (RuntimeException ex) {
				logger.warn("[{}] election listener failed", this.context.topology(), ex);
			}
		}
	}

	private synchronized void unknown(Throwable error) {
		if (!this.reportedUnknown) {
			this.reportedUnknown = true;
			this.reportedName = null;
			try {
				this.listener.leadershipUnknown(error);
			}
			catch (RuntimeException ex) {
				logger.warn("[{}] election listener failed", this.context.topology(), ex);
			}
		}
	}

	private void renew() {
		String current = this.session;
		if (current == null || this.closed) {
			return;
		}
		long sent = System.nanoTime();
		try {
			if (this.runtime.api().renewSession(current)) {
				this.sessionAtNanos = sent;
				return;
			}
			logger.warn("[{}] Consul session {} was invalidated; campaigning again with a new one",
					this.context.topology(), current);
			synchronized (this) {
				if (Objects.equals(this.session, current)) {
					this.session = null;
				}
				this.leading = null;
			}
			unknown(new IOException("the Consul session was invalidated"));
		}
		catch (IOException | RuntimeException ex) {
			this.leading = null;
			logger.warn("[{}] could not renew the Consul session: {}", this.context.topology(),
					ConsulRuntime.describe(ex));
			unknown(ex);
		}
	}

	/**
	 * Until when this node leads with the token: the earlier of the session's last answered renewal
	 * plus its TTL and the check's last answered pass plus its TTL (either running out lets Consul
	 * invalidate the session), less a margin; {@link Long#MIN_VALUE} unless the key names this
	 * node's current session with that token.
	 */
	@Override
	public long leadsUntilNanos(long fencingToken) {
		Long token = this.leading;
		if (token == null || token != fencingToken || this.closed) {
			return Long.MIN_VALUE;
		}
		return validUntilNanos();
	}

	@Override
	public long validUntilNanos() {
		if (this.session == null || this.closed) {
			return Long.MIN_VALUE;
		}
		Duration ttl = this.runtime.settings().sessionTtl();
		long session = this.sessionAtNanos + ttl.toNanos() - ConsulRuntime.marginNanos(ttl);
		return Math.min(session, this.runtime.registrationValidUntilNanos(this.self));
	}

	/**
	 * Stops campaigning without a word to Consul (the strategy closing, or a test's crash): the lock
	 * and session are left to Consul's own timers.
	 */
	void stop() {
		this.runtime.withdrawn(this);
		synchronized (this) {
			this.closed = true;
			this.leading = null;
		}
		ScheduledFuture<?> task = this.renewal;
		if (task != null) {
			task.cancel(false);
		}
		this.thread.interrupt();
	}

	/**
	 * Resigns or withdraws: destroys the session, which releases the lock if this node holds it (one
	 * Raft write on the hand-over's path; with a lock delay, an explicit release first).
	 */
	@Override
	public void close() {
		stop();
		// after stop(), under the same lock as the creation: a session created later is destroyed there
		String current;
		synchronized (this) {
			current = this.session;
		}
		if (current == null) {
			return;
		}
		// destroying the session releases its lock (behaviour release) in the same write; with a lock
		// delay that would hold the lock back, so then the lock is released on its own first
		if (!this.runtime.settings().lockDelay().isZero()) {
			try {
				this.runtime.api().release(this.key, current);
			}
			catch (IOException | RuntimeException ex) {
				logger.warn("[{}] could not release {} ({})", this.context.topology(), this.key,
						ConsulRuntime.describe(ex));
			}
		}
		try {
			this.runtime.api().destroySession(current);
		}
		catch (IOException | RuntimeException ex) {
			logger.warn("[{}] could not destroy Consul session {} ({}); it ends with its TTL",
					this.context.topology(), current, ConsulRuntime.describe(ex));
		}
	}

}
