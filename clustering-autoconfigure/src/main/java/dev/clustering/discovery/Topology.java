package dev.clustering.discovery;

import java.time.Clock;
import java.time.Duration;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;

import io.netty.util.concurrent.DefaultThreadFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.clustering.membership.NodeAddress;

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

	private ScheduledExecutorService executor;

	private DiscoveryContext context;

	private AutoCloseable watch;

	private AutoCloseable registration;

	private volatile AutoCloseable campaign;

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
		this.status = new TopologyStatus(name, strategyName, false, null, java.util.List.of(), null, 0, 0);
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
				try {
					this.campaign = election.campaign(this.context, listener);
				}
				catch (Exception ex) {
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
				catch (RuntimeException ex) {
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
				catch (RuntimeException ex) {
					failed(ex);
				}
			});
		}
	}

	/**
	 * Stops discovery and deregisters.
	 */
	public void stop() {
		if (this.executor == null) {
			return;
		}
		closeQuietly(this.campaign, "campaign");
		this.executor.shutdownNow();
		closeQuietly(this.watch, "watch");
		closeQuietly(this.registration, "registration");
		try {
			this.executor.awaitTermination(2, TimeUnit.SECONDS);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
	}

	/**
	 * Stops running the strategy without closing anything it holds (no deregistration, no
	 * resignation), as a crashed process would; for tests and benchmarks.
	 */
	public void abandon() {
		if (this.executor != null) {
			this.executor.shutdownNow();
		}
	}

	@Override
	public void discovered(Set<NodeAddress> addresses) {
		TreeSet<NodeAddress> found = new TreeSet<>(addresses);
		found.remove(this.context.self().address());
		update(new java.util.ArrayList<>(found), null);
	}

	@Override
	public void failed(Throwable error) {
		String message = (error.getMessage() != null) ? error.getClass().getSimpleName() + ": " + error.getMessage()
				: error.getClass().getName();
		logger.warn("[{}] discovery failed, keeping the last answer: {}", this.name, message);
		update(null, new TopologyStatus.TopologyError(message, this.clock.instant()));
	}

	private void startStrategy() {
		try {
			// on a retry, keep what already started (a registration must not be made twice)
			if (this.strategy instanceof RegistryStrategy registry && this.registration == null) {
				this.registration = registry.register(this.context, new LoggingRegistryListener());
			}
			if (this.strategy instanceof WatchStrategy watching && this.watch == null) {
				this.watch = watching.watch(this.context, this);
			}
			else if (this.strategy instanceof PollingStrategy) {
				this.executor.scheduleWithFixedDelay(this::poll, 0, this.pollInterval.toNanos(), TimeUnit.NANOSECONDS);
			}
			else {
				logger.warn("[{}] strategy {} is neither polling nor watching; it discovers nothing", this.name,
						this.strategy.getClass().getName());
			}
		}
		catch (Exception ex) {
			failed(ex);
			// try again later rather than leave the topology dead
			this.executor.schedule(this::startStrategy, this.pollInterval.toNanos(), TimeUnit.NANOSECONDS);
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
		catch (Exception | LinkageError ex) {
			failed(ex);
		}
	}

	private void update(java.util.List<NodeAddress> discovered, TopologyStatus.TopologyError error) {
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
