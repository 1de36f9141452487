package dev.clustering.discovery.etcd;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.BiConsumer;
import java.util.function.Supplier;

import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.common.exception.ClosedClientException;
import io.etcd.jetcd.common.exception.ErrorCode;
import io.etcd.jetcd.common.exception.EtcdException;
import io.grpc.Status;
import io.netty.util.concurrent.DefaultThreadFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What one {@link EtcdStrategy}'s handles share: the client, the settings, the leases this strategy
 * holds, and one thread on which every handle keeps its state, so that jetcd's callbacks (arriving
 * on its own threads) are applied in order and without locks.
 */
final class EtcdRuntime {

	private static final Logger logger = LoggerFactory.getLogger(EtcdRuntime.class);

	private final Client client;

	private final EtcdSettings settings;

	private final ScheduledThreadPoolExecutor thread;

	private final Set<Long> ownLeases = ConcurrentHashMap.newKeySet();

	private final Set<Runnable> whenReachable = ConcurrentHashMap.newKeySet();

	private final Duration requestTimeout;

	private final Duration retryDelay;

	EtcdRuntime(Client client, EtcdSettings settings) {
		this.client = client;
		this.settings = settings;
		this.thread = new ScheduledThreadPoolExecutor(1, new DefaultThreadFactory("cluster-etcd-" + settings.service(),
				true));
		this.thread.setRemoveOnCancelPolicy(true);
		// an idle strategy (no handle open) holds no thread
		this.thread.setKeepAliveTime(30, TimeUnit.SECONDS);
		this.thread.allowCoreThreadTimeOut(true);
		Duration third = settings.ttl().dividedBy(3);
		this.requestTimeout = max(Duration.ofSeconds(1), min(settings.ttl().dividedBy(2), Duration.ofSeconds(5)));
		this.retryDelay = min(third, Duration.ofMillis(500));
	}

	Client client() {
		return this.client;
	}

	EtcdSettings settings() {
		return this.settings;
	}

	/**
	 * Leases this strategy holds (registration and candidacies): never revoked as another node's.
	 * @return the live set
	 */
	Set<Long> ownLeases() {
		return this.ownLeases;
	}

	/**
	 * Runs a task, on this strategy's thread, each time a lease was restored: etcd answers again,
	 * so whatever waits to retry may retry now.
	 * @param task the task
	 * @return removes the task
	 */
	Runnable whenReachable(Runnable task) {
		this.whenReachable.add(task);
		return () -> this.whenReachable.remove(task);
	}

	/**
	 * A lease was restored (called on this strategy's thread).
	 */
	void reachable() {
		this.whenReachable.forEach(Runnable::run);
	}

	/**
	 * How long a unary request may take before it counts as failed.
	 * @return the timeout
	 */
	Duration requestTimeout() {
		return this.requestTimeout;
	}

	/**
	 * How long a lease's first request may take: it opens the client's connection (and, in a new
	 * process, loads its classes), which can outlast the request timeout of a short TTL, and nothing
	 * is vouched for yet that a slow answer could put at risk.
	 * @return the timeout, at least 5 s
	 */
	Duration firstCallTimeout() {
		return max(this.requestTimeout, Duration.ofSeconds(5));
	}

	/**
	 * How long to wait before trying a failed step again.
	 * @return the delay
	 */
	Duration retryDelay() {
		return this.retryDelay;
	}

	/**
	 * Starts a unary request with the request timeout; a request that throws at once (a closed client)
	 * gives a failed future.
	 * @param <T> the response type
	 * @param request starts the request
	 * @return its outcome
	 */
	<T> CompletableFuture<T> call(Supplier<CompletableFuture<T>> request) {
		return call(request, this.requestTimeout);
	}

	/**
	 * Starts a unary request with a timeout of its own (see {@link #firstCallTimeout()}).
	 * @param <T> the response type
	 * @param request starts the request
	 * @param timeout how long it may take
	 * @return its outcome
	 */
	<T> CompletableFuture<T> call(Supplier<CompletableFuture<T>> request, Duration timeout) {
		CompletableFuture<T> result = new CompletableFuture<>();
		open(request).orTimeout(timeout.toMillis(), TimeUnit.MILLISECONDS).whenComplete((value, error) -> {
			Throwable cause = unwrap(error);
			if (cause == null) {
				result.complete(value);
			}
			else if (cause instanceof TimeoutException) {
				result.completeExceptionally(new TimeoutException(
						"etcd did not answer within " + timeout.toMillis() + " ms"));
			}
			else {
				result.completeExceptionally(cause);
			}
		});
		return result;
	}

	/**
	 * Starts a request that may take long (a campaign).
	 * @param <T> the response type
	 * @param request starts the request
	 * @return its outcome
	 */
	<T> CompletableFuture<T> open(Supplier<CompletableFuture<T>> request) {
		try {
			return request.get();
		}
		catch (RuntimeException ex) {
			return CompletableFuture.failedFuture(ex);
		}
	}

	/**
	 * Runs an action on this strategy's thread once a future completes.
	 * @param <T> the result type
	 * @param future the future
	 * @param action given the result, or the unwrapped error
	 */
	<T> void then(CompletableFuture<T> future, BiConsumer<T, Throwable> action) {
		future.whenComplete((result, error) -> execute(() -> action.accept(result, unwrap(error))));
	}

	/**
	 * Runs a task on this strategy's thread; dropped once the strategy is closed.
	 * @param task the task
	 */
	void execute(Runnable task) {
		try {
			this.thread.execute(() -> run(task));
		}
		catch (RejectedExecutionException ex) {
			// closed
		}
	}

	/**
	 * Runs a task on this strategy's thread later.
	 * @param task the task
	 * @param delay how long from now
	 * @return the scheduled task, or {@code null} once the strategy is closed
	 */
	ScheduledFuture<?> schedule(Runnable task, Duration delay) {
		try {
			return this.thread.schedule(() -> run(task), delay.toNanos(), TimeUnit.NANOSECONDS);
		}
		catch (RejectedExecutionException ex) {
			return null;
		}
	}

	/**
	 * Revokes a lease and waits for etcd's answer, up to the request timeout.
	 * @param lease the lease
	 * @return {@code null} when revoked (or already gone), otherwise what went wrong
	 */
	Throwable revoke(long lease) {
		try {
			call(() -> this.client.getLeaseClient().revoke(lease)).get();
			return null;
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			return ex;
		}
		catch (ExecutionException ex) {
			Throwable cause = unwrap(ex);
			return isNotFound(cause) ? null : cause;
		}
		finally {
			this.ownLeases.remove(lease);
		}
	}

	/**
	 * Revokes a lease without waiting.
	 * @param lease the lease
	 */
	void revokeLater(long lease) {
		call(() -> this.client.getLeaseClient().revoke(lease)).whenComplete((r, error) -> this.ownLeases.remove(lease));
	}

	void close() {
		this.thread.shutdownNow();
	}

	private void run(Runnable task) {
		try {
			task.run();
		}
		catch (Throwable ex) {
			// the thread runs every handle of this strategy: one failed task must not end it silently
			logger.error("etcd strategy task under {} failed", this.settings.servicePrefix(), ex);
		}
	}

	static ByteSequence bytes(String text) {
		return ByteSequence.from(text, StandardCharsets.UTF_8);
	}

	static String text(ByteSequence bytes) {
		return bytes.toString(StandardCharsets.UTF_8);
	}

	static Throwable unwrap(Throwable error) {
		Throwable cause = error;
		while ((cause instanceof CompletionException || cause instanceof ExecutionException)
				&& cause.getCause() != null) {
			cause = cause.getCause();
		}
		return cause;
	}

	/**
	 * Whether etcd answered that a lease does not exist (expired or revoked).
	 * @param error an error
	 * @return whether it says so
	 */
	static boolean isNotFound(Throwable error) {
		// jetcd converts some errors to its own exception and passes others on as gRPC's
		return (error instanceof EtcdException etcd) ? etcd.getErrorCode() == ErrorCode.NOT_FOUND
				: error != null && Status.fromThrowable(error).getCode() == Status.Code.NOT_FOUND;
	}

	static String describe(Throwable error) {
		Throwable cause = unwrap(error);
		if (cause instanceof RejectedExecutionException || cause instanceof ClosedClientException) {
			return "the etcd client is closed";
		}
		String message = cause.getMessage();
		return (message != null) ? cause.getClass().getSimpleName() + ": " + message : cause.getClass().getName();
	}

	static String hex(long lease) {
		return Long.toHexString(lease);
	}

	private static Duration min(Duration a, Duration b) {
		return (a.compareTo(b) <= 0) ? a : b;
	}

	private static Duration max(Duration a, Duration b) {
		return (a.compareTo(b) >= 0) ? a : b;
	}

}
