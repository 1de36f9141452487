package dev.clustering.discovery.etcd;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeoutException;

import io.etcd.jetcd.Lease;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One lease kept alive for one handle (a registration or a candidacy), on the strategy's thread:
 * granted, then renewed every third of its TTL with one keep-alive at a time. What the handle puts
 * under the lease it does in {@link Owner#establish}, again whenever the lease has to be vouched
 * for anew.
 * <p>
 * The lease is <em>lost</em> when no keep-alive has been answered for its TTL, counted from when
 * the last answered one was sent (etcd renews it on receipt, later, so etcd never expires it before
 * this node gives it up), when etcd says it no longer exists, or when the first grant fails. A lost
 * lease is tried again: if etcd still has it (etcd restarted: leases outlive a restart with a fresh
 * TTL) the keys under it are put again, otherwise a new lease is granted; either way the owner
 * hears it was restored. Closing revokes the lease, so what was put under it goes at once.
 */
final class LeaseKeeper {

	private static final Logger logger = LoggerFactory.getLogger(LeaseKeeper.class);

	/**
	 * What a lease is kept for. Called on the strategy's thread.
	 */
	interface Owner {

		/**
		 * Puts this handle's keys under a lease; called again whenever the lease is vouched for anew,
		 * so it must be idempotent.
		 * @param lease the lease
		 * @return completes once done
		 */
		CompletableFuture<?> establish(long lease);

		/**
		 * The lease, once in place, can no longer be vouched for (never said before it was first in place).
		 * @param error why
		 */
		void lost(Throwable error);

		/**
		 * The lease (the same or a new one) is vouched for again, and established.
		 */
		void restored();

	}

	private final EtcdRuntime runtime;

	private final String description;

	private final Owner owner;

	private final Duration renewEvery;

	private volatile boolean closed;

	private volatile long currentLease;

	// confined to the strategy's thread
	private long lease;

	private boolean established;

	private boolean busy;

	private boolean lost;

	private boolean everEstablished;

	// whether the first attempts' failure was logged (before anything was in place)
	private boolean pendingLogged;

	private long deadlineNanos;

	// the lease and its deadline while it is established and not lost, for any thread, as one value
	private volatile Vouched vouched = Vouched.NONE;

	/**
	 * A lease and until when etcd cannot have expired it.
	 * @param lease the lease, or 0
	 * @param untilNanos monotonic nanoseconds, or {@link Long#MIN_VALUE}
	 */
	record Vouched(long lease, long untilNanos) {

		static final Vouched NONE = new Vouched(0, Long.MIN_VALUE);

	}

	private volatile ScheduledFuture<?> deadlineCheck;

	/**
	 * Creates a keeper; nothing happens until {@link #start()}.
	 * @param runtime the strategy's runtime
	 * @param description what the lease is for, for the log ("[prod] registration of app@10.0.0.1")
	 * @param owner the handle
	 */
	LeaseKeeper(EtcdRuntime runtime, String description, Owner owner) {
		this.runtime = runtime;
		this.description = description;
		this.owner = owner;
		this.renewEvery = runtime.settings().ttl().dividedBy(3);
	}

	void start() {
		this.runtime.execute(this::tick);
	}

	/**
	 * The current lease, from any thread.
	 * @return the lease, or 0 while there is none
	 */
	long lease() {
		return this.currentLease;
	}

	/**
	 * Until when etcd cannot have expired the lease: the send time of the last answered keep-alive
	 * plus its TTL, while the lease is established and not lost. From any thread.
	 * @return monotonic nanoseconds, or {@link Long#MIN_VALUE}
	 */
	long validUntilNanos() {
		return this.vouched.untilNanos();
	}

	/**
	 * The lease and its deadline, read together. From any thread.
	 * @return the lease vouched for, or {@link Vouched#NONE}
	 */
	Vouched vouched() {
		return this.vouched;
	}

	/**
	 * Whether the lease is vouched for and established (on the strategy's thread).
	 * @return whether it is
	 */
	boolean isAlive() {
		return this.established && !this.lost && !this.closed;
	}

	/**
	 * Whether the lease was reported lost and is not restored yet (on the strategy's thread).
	 * @return whether it is lost
	 */
	boolean isLost() {
		return this.lost;
	}

	/**
	 * Stops keeping the lease and revokes it, waiting up to the request timeout for etcd.
	 * @return {@code null} once revoked (or when there was none), otherwise what went wrong
	 */
	Throwable close() {
		this.closed = true;
		this.vouched = Vouched.NONE;
		// read after closed is set: a grant answered meanwhile sees closed and revokes its lease itself
		long held = this.currentLease;
		ScheduledFuture<?> check = this.deadlineCheck;
		if (check != null) {
			check.cancel(false);
		}
		return (held != 0) ? this.runtime.revoke(held) : null;
	}

	private Lease leases() {
		return this.runtime.client().getLeaseClient();
	}

	private void tick() {
		if (this.closed || this.busy) {
			return;
		}
		this.busy = true;
		long sent = System.nanoTime();
		if (this.lease == 0) {
			// a new keeper's first grant may wait for the connection: until one is established, nothing is lost
			Duration timeout = this.everEstablished ? this.runtime.requestTimeout() : this.runtime.firstCallTimeout();
			this.runtime.then(this.runtime.call(() -> leases().grant(this.runtime.settings().ttlSeconds()), timeout),
					(grant, error) -> {
						if (error != null) {
							failed(error);
							return;
						}
						long granted = grant.getID();
						this.runtime.ownLeases().add(granted);
						this.currentLease = granted;
						if (this.closed) {
							this.runtime.revokeLater(granted);
							return;
						}
						this.lease = granted;
						renewed(sent, grant.getTTL());
						logger.debug("{}: lease {} granted for {}s", this.description, EtcdRuntime.hex(granted),
								grant.getTTL());
						establish();
					});
			return;
		}
		long kept = this.lease;
		this.runtime.then(this.runtime.call(() -> leases().keepAliveOnce(kept)), (response, error) -> {
			if (this.closed) {
				return;
			}
			if (error == null && response.getTTL() > 0) {
				renewed(sent, response.getTTL());
				if (this.established && !this.lost) {
					this.vouched = new Vouched(kept, this.deadlineNanos);
				}
				if (this.established) {
					next(renewDelay());
				}
				else {
					establish();
				}
			}
			else if (error == null || EtcdRuntime.isNotFound(error)) {
				expired(kept);
			}
			else {
				failed(error);
			}
		});
	}

	private void establish() {
		long current = this.lease;
		CompletableFuture<?> done;
		try {
			done = this.owner.establish(current);
		}
		catch (RuntimeException ex) {
			done = CompletableFuture.failedFuture(ex);
		}
		this.runtime.then(done, (ignored, error) -> {
			if (this.closed || current != this.lease) {
				this.busy = false;
				return;
			}
			if (error != null) {
				failed(error);
				return;
			}
			this.established = true;
			this.vouched = new Vouched(current, this.deadlineNanos);
			if (!this.everEstablished) {
				this.everEstablished = true;
				logger.info("{}: in place with lease {} (TTL {}s)", this.description, EtcdRuntime.hex(current),
						this.runtime.settings().ttlSeconds());
			}
			if (this.lost) {
				this.lost = false;
				logger.info("{}: restored with lease {}", this.description, EtcdRuntime.hex(current));
				this.owner.restored();
				this.runtime.reachable();
			}
			next(renewDelay());
		});
	}

	private void expired(long gone) {
		this.runtime.ownLeases().remove(gone);
		this.lease = 0;
		this.currentLease = 0;
		this.established = false;
		this.vouched = Vouched.NONE;
		markLost(new IllegalStateException("lease " + EtcdRuntime.hex(gone) + " expired or was revoked"));
		this.busy = false;
		tick();
	}

	private void failed(Throwable error) {
		if (this.closed) {
			return;
		}
		boolean starting = this.lease == 0 || !this.established;
		if (!this.lost && (starting || System.nanoTime() - this.deadlineNanos >= 0)) {
			markLost(error);
		}
		else {
			logger.debug("{}: {}", this.description, EtcdRuntime.describe(error));
		}
		next(this.runtime.retryDelay());
	}

	private void markLost(Throwable error) {
		this.established = false;
		this.vouched = Vouched.NONE;
		if (this.lost) {
			return;
		}
		if (!this.everEstablished) {
			// nothing was ever in place, so nothing is lost (a cold client's first calls can outlast a short
			// TTL): the owner hears of it once it is in place; until then it is told only in the log
			if (!this.pendingLogged) {
				this.pendingLogged = true;
				logger.warn("{}: not in place yet ({}); trying again", this.description, EtcdRuntime.describe(error));
			}
			return;
		}
		this.lost = true;
		logger.warn("{}: lost ({}); trying again", this.description, EtcdRuntime.describe(error));
		this.owner.lost(error);
	}

	private void renewed(long sentNanos, long ttlSeconds) {
		this.deadlineNanos = sentNanos + Duration.ofSeconds(ttlSeconds).toNanos();
		if (this.deadlineCheck != null) {
			this.deadlineCheck.cancel(false);
		}
		long renewedLease = this.lease;
		this.deadlineCheck = this.runtime.schedule(() -> {
			if (!this.closed && renewedLease == this.lease && !this.lost
					&& System.nanoTime() - this.deadlineNanos >= 0) {
				markLost(new TimeoutException("no keep-alive of lease " + EtcdRuntime.hex(renewedLease)
						+ " was answered within its TTL of " + ttlSeconds + "s"));
			}
		}, Duration.ofNanos(Math.max(0, this.deadlineNanos - System.nanoTime())));
	}

	// every third of the TTL, sooner when the lease has less left (etcd answered slowly)
	private Duration renewDelay() {
		long left = this.deadlineNanos - System.nanoTime();
		return (left / 3 < this.renewEvery.toNanos()) ? Duration.ofNanos(Math.max(0, left / 3)) : this.renewEvery;
	}

	private void next(Duration delay) {
		this.busy = false;
		this.runtime.schedule(this::tick, delay);
	}

}
