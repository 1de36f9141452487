package dev.clustering.discovery;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BiConsumer;

import io.netty.util.concurrent.DefaultThreadFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.clustering.membership.NodeAddress;
import dev.clustering.transport.WireText;

/**
 * Runs one topology's strategy on its own thread, so a slow or failing topology never holds up
 * another, and keeps its {@link TopologyStatus}. A failed round keeps the last good answer.
 */
public final class Topology implements DiscoveryListener {

	private static final Logger logger = LoggerFactory.getLogger(Topology.class);

	private final String name;

	private final String strategyName;

	private final DiscoveryStrategy strategy;

	private final Duration pollInterval;

	private final Clock clock;

	private final BiConsumer<Topology, TopologyStatus> onChange;

	private final Object lock = new Object();

	private volatile ScheduledExecutorService executor;

	private volatile DiscoveryContext context;

	// handles are assigned on the topology's thread and closed once, by whoever takes them first
	private final AtomicReference<AutoCloseable> watch = new AtomicReference<>();

	private final AtomicReference<AutoCloseable> registration = new AtomicReference<>();

	private final AtomicReference<AutoCloseable> campaign = new AtomicReference<>();

	private volatile boolean stopping;

	private volatile RegistryListener registryEvents;

	private TopologyStatus status;

	/**
	 * Creates a topology.
	 * @param name its name
	 * @param strategyName the configured strategy name, for display
	 * @param strategy the strategy
	 * @param pollInterval how often to poll a {@link PollingStrategy}
	 * @param clock wall clock for timestamps
	 * @param onChange told of every new status (from the topology's thread)
	 */
	public Topology(String name, String strategyName, DiscoveryStrategy strategy, Duration pollInterval, Clock clock,
			BiConsumer<Topology, TopologyStatus> onChange) {
		this.name = name;
		this.strategyName = strategyName;
		this.strategy = strategy;
		this.pollInterval = pollInterval;
		this.clock = clock;
		this.onChange = onChange;
		this.status = new TopologyStatus(name, strategyName, false, null, List.of(), null, 0, 0);
	}

	/**
	 * The topology name.
	 * @return the name
	 */
	public String name() {
		return this.name;
	}

	/**
	 * The current status.
	 * @return the status
	 */
	public TopologyStatus status() {
		synchronized (this.lock) {
			return this.status;
		}
	}

	/**
	 * Starts discovery.
	 * @param context the topology's context (with this node's bound address)
	 */
	public void start(DiscoveryContext context) {
		this.context = context;
		this.executor = Executors.newSingleThreadScheduledExecutor(
				new DefaultThreadFactory("cluster-topology-" + this.name, true));
		this.executor.execute(this::startStrategy);
	}

	/**
	 * Who else hears about this topology's registration being lost and restored (the node);
	 * set before {@link #start}.
	 * @param listener the listener
	 */
	public void onRegistry(RegistryListener listener) {
		this.registryEvents = listener;
	}

	/**
	 * Whether this topology's strategy can run the cluster's leader election.
	 * @return whether it is {@link ElectionCapable}
	 */
	public boolean offersElection() {
		return this.strategy instanceof ElectionCapable;
	}

	/**
	 * Joins the strategy's election, on the topology's thread, retrying every poll interval until
	 * the campaign starts.
	 * @param listener hears who leads
	 */
	public void campaign(ElectionCapable.ElectionListener listener) {
		ScheduledExecutorService running = this.executor;
		if (running != null && !running.isShutdown() && this.strategy instanceof ElectionCapable election) {
			running.execute(() -> {
				if (this.stopping) {
					return;
				}
				try {
					keep(this.campaign, election.campaign(this.context, listener), "campaign");
				}
				catch (Exception | LinkageError ex) {
					logger.warn("[{}] cannot join the election yet: {}", this.name, ex.toString());
					listener.leadershipUnknown(ex);
					running.schedule(() -> campaign(listener), this.pollInterval.toNanos(), TimeUnit.NANOSECONDS);
				}
			});
		}
	}

	/**
	 * Tells an election backend that a node's process died (its connection was closed), on the
	 * topology's thread.
	 * @param nodeName the node
	 */
	public void nodeCrashed(String nodeName) {
		ScheduledExecutorService running = this.executor;
		if (running != null && !running.isShutdown() && this.strategy instanceof ElectionCapable election) {
			running.execute(() -> {
				try {
					election.nodeCrashed(this.context, nodeName);
				}
				catch (RuntimeException | Error ex) {
					logger.warn("[{}] could not end the candidacy of {}: {}", this.name, nodeName, ex.toString());
				}
			});
		}
	}

	/**
	 * Runs a discovery round now (polling) or asks the strategy to re-read (watching).
	 */
	public void discoverNow() {
		ScheduledExecutorService running = this.executor;
		if (running == null || running.isShutdown()) {
			return;
		}
		if (this.strategy instanceof PollingStrategy) {
			running.execute(this::poll);
		}
		else if (this.strategy instanceof WatchStrategy watching) {
			running.execute(() -> {
				try {
					watching.refresh();
				}
				catch (RuntimeException | Error ex) {
					failed(ex);
				}
			});
		}
	}

	/**
	 * Until when this topology's registry vouches for this node's registration (see
	 * {@link LeaseBound}), from any thread.
	 * @return monotonic nanoseconds; {@link Long#MAX_VALUE} when the registration is not lease-bound,
	 * {@link Long#MIN_VALUE} while there is none
	 */
	public long registrationValidUntilNanos() {
		return validUntil(this.registration.get());
	}

	/**
	 * Until when this topology's registry vouches for this node's candidacy (see {@link LeaseBound}),
	 * from any thread.
	 * @return monotonic nanoseconds; {@link Long#MAX_VALUE} when the candidacy is not lease-bound,
	 * {@link Long#MIN_VALUE} while there is none
	 */
	public long campaignValidUntilNanos() {
		return validUntil(this.campaign.get());
	}

	/**
	 * Until when this topology's registry vouches that this node leads with a token (see
	 * {@link ElectionCapable.Campaign}), from any thread.
	 * @param fencingToken the token
	 * @return monotonic nanoseconds; {@link Long#MAX_VALUE} when the candidacy cannot tell,
	 * {@link Long#MIN_VALUE} when this node does not lead with that token
	 */
	public long leadsUntilNanos(long fencingToken) {
		AutoCloseable handle = this.campaign.get();
		if (handle instanceof ElectionCapable.Campaign campaign) {
			return campaign.leadsUntilNanos(fencingToken);
		}
		return validUntil(handle);
	}

	private static long validUntil(AutoCloseable handle) {
		if (handle == null) {
			return Long.MIN_VALUE;
		}
		return (handle instanceof LeaseBound bound) ? bound.validUntilNanos() : Long.MAX_VALUE;
	}

	/**
	 * Stops discovery, resigns and deregisters. The handles are closed on the topology's own thread,
	 * after anything it was doing; one that a blocked call hands back later is closed as it arrives.
	 */
	public void stop() {
		ScheduledExecutorService running = this.executor;
		if (running == null) {
			return;
		}
		this.stopping = true;
		try {
			running.execute(this::closeHandles);
		}
		catch (RejectedExecutionException ex) {
			// already stopped
		}
		running.shutdown();
		try {
			if (!running.awaitTermination(5, TimeUnit.SECONDS)) {
				logger.warn("[{}] discovery did not stop within 5 s; interrupting it", this.name);
				running.shutdownNow();
				running.awaitTermination(2, TimeUnit.SECONDS);
			}
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
		closeHandles();
	}

	private void closeHandles() {
		closeQuietly(this.campaign.getAndSet(null), "campaign");
		closeQuietly(this.watch.getAndSet(null), "watch");
		closeQuietly(this.registration.getAndSet(null), "registration");
	}

	// keeps a handle, or closes it at once if the topology is stopping
	private void keep(AtomicReference<AutoCloseable> slot, AutoCloseable handle, String what) {
		if (handle == null) {
			return;
		}
		slot.set(handle);
		if (this.stopping) {
			closeQuietly(slot.getAndSet(null), what);
		}
	}

	/**
	 * Stops running the strategy without closing anything it holds (no deregistration, no
	 * resignation), as a crashed process would; for tests and benchmarks.
	 */
	public void abandon() {
		this.stopping = true;
		ScheduledExecutorService running = this.executor;
		if (running != null) {
			running.shutdownNow();
		}
	}

	@Override
	public void discovered(Set<NodeAddress> addresses) {
		try {
			TreeSet<NodeAddress> found = new TreeSet<>(addresses);
			found.remove(this.context.self().address());
			update(new ArrayList<>(found), null);
		}
		catch (RuntimeException | Error ex) {
			// a strategy's bad answer (a null element, an odd set) is its failure, never the caller's
			failed(ex);
		}
	}

	@Override
	public void failed(Throwable error) {
		String message = (error.getMessage() != null)
				? error.getClass().getSimpleName() + ": " + WireText.forLog(error.getMessage())
				: error.getClass().getName();
		logger.warn("[{}] discovery failed, keeping the last answer: {}", this.name, message);
		update(null, new TopologyStatus.TopologyError(message, this.clock.instant()));
	}

	private void startStrategy() {
		if (this.stopping) {
			return;
		}
		try {
			// on a retry, keep what already started (a registration must not be made twice)
			if (this.strategy instanceof RegistryStrategy registry && this.registration.get() == null) {
				keep(this.registration, registry.register(this.context, new LoggingRegistryListener()), "registration");
			}
			// a strategy is one or the other (DiscoveryStrategy is sealed)
			if (this.strategy instanceof WatchStrategy watching) {
				if (this.watch.get() == null) {
					keep(this.watch, watching.watch(this.context, this), "watch");
				}
			}
			else {
				this.executor.scheduleWithFixedDelay(this::poll, 0, this.pollInterval.toNanos(), TimeUnit.NANOSECONDS);
			}
		}
		catch (Exception | LinkageError ex) {
			failed(ex);
			// try again later rather than leave the topology dead
			if (!this.stopping) {
				this.executor.schedule(this::startStrategy, this.pollInterval.toNanos(), TimeUnit.NANOSECONDS);
			}
		}
	}

	private void poll() {
		try {
			Set<NodeAddress> found = ((PollingStrategy) this.strategy).poll(this.context);
			if (found == null) {
				throw new IllegalStateException("strategy returned null");
			}
			discovered(found);
		}
		catch (Exception | Error ex) {
			failed(ex);
		}
	}

	private void update(List<NodeAddress> discovered, TopologyStatus.TopologyError error) {
		TopologyStatus next;
		synchronized (this.lock) {
			TopologyStatus previous = this.status;
			next = new TopologyStatus(this.name, this.strategyName, true, this.clock.instant(),
					(discovered != null) ? discovered : previous.discovered(), error, previous.rounds() + 1,
					previous.errors() + ((error != null) ? 1 : 0));
			this.status = next;
		}
		this.onChange.accept(this, next);
	}

	private void closeQuietly(AutoCloseable closeable, String what) {
		if (closeable == null) {
			return;
		}
		try {
			closeable.close();
		}
		catch (Exception ex) {
			logger.warn("[{}] closing the {} failed: {}", this.name, what, ex.toString());
		}
	}

	private final class LoggingRegistryListener implements RegistryListener {

		@Override
		public void registryLost(Throwable error) {
			failed(error);
			RegistryListener listener = Topology.this.registryEvents;
			if (listener != null) {
				listener.registryLost(error);
			}
		}

		@Override
		public void registryRestored() {
			logger.info("[{}] registered again", Topology.this.name);
			RegistryListener listener = Topology.this.registryEvents;
			if (listener != null) {
				listener.registryRestored();
			}
		}

	}

	@Override
	public String toString() {
		return "Topology[" + this.name + ", " + this.strategyName + "]";
	}

}
