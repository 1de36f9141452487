package dev.clustering.autoconfigure;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Supplier;

import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.framework.imps.CuratorFrameworkState;
import org.apache.curator.retry.ExponentialBackoffRetry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.boot.ssl.SslBundles;
import org.springframework.util.StringUtils;

import dev.clustering.discovery.DiscoveryStrategy;
import dev.clustering.discovery.zookeeper.ZooKeeperSettings;
import dev.clustering.discovery.zookeeper.ZooKeeperStrategy;

/**
 * The {@code zookeeper} strategy from {@code cluster.topologies.<name>.zookeeper.*}: with the
 * application's {@link CuratorFramework} bean if it has one, otherwise with a client of its own
 * built from the properties (over TLS when {@code zookeeper.ssl.bundle} names an SSL bundle).
 * Closes, when the application stops, the strategies it made and the clients it built, and deletes
 * the stores written for their TLS.
 */
class ZooKeeperStrategyFactory implements ClusterStrategyFactory, AutoCloseable {

	private static final Logger logger = LoggerFactory.getLogger(ZooKeeperStrategyFactory.class);

	private static final Duration FAIL_FAST_TIMEOUT = Duration.ofSeconds(5);

	private static final Duration MAX_PING_INTERVAL = Duration.ofSeconds(1);

	private final Supplier<CuratorFramework> applicationClient;

	private final Supplier<SslBundles> sslBundles;

	private final String applicationName;

	private final List<ZooKeeperStrategy> strategies = new CopyOnWriteArrayList<>();

	private final List<CuratorFramework> clients = new CopyOnWriteArrayList<>();

	private final List<ZooKeeperTls> tls = new CopyOnWriteArrayList<>();

	/**
	 * Creates the factory.
	 * @param applicationClient the application's Curator client, or {@code null}
	 * @param sslBundles the application's SSL bundles, or {@code null}
	 * @param applicationName {@code spring.application.name}, the default service
	 */
	ZooKeeperStrategyFactory(Supplier<CuratorFramework> applicationClient, Supplier<SslBundles> sslBundles,
			String applicationName) {
		this.applicationClient = applicationClient;
		this.sslBundles = sslBundles;
		this.applicationName = applicationName;
	}

	@Override
	public String name() {
		return ZooKeeperStrategy.NAME;
	}

	@Override
	public DiscoveryStrategy create(StrategyContext context) {
		String topology = context.topology();
		String prefix = context.prefix();
		ZooKeeperTopologyProperties zookeeper = context.properties(ZooKeeperTopologyProperties.class);
		ZooKeeperSettings settings = settings(prefix, zookeeper);
		Duration sessionTimeout = sessionTimeout(prefix, zookeeper);
		CuratorFramework shared = this.applicationClient.get();
		CuratorFramework client;
		if (shared != null && shared.getState() != CuratorFrameworkState.STARTED) {
			throw new ClusterConfigurationException(prefix,
					"the application's CuratorFramework bean, which this topology uses, is " + shared.getState()
							+ ", not started",
					"Start the client where the bean is made (client.start(), as Spring Integration's "
							+ "CuratorFrameworkFactoryBean does), or remove the bean so the topology builds its own from "
							+ prefix + ".*.");
		}
		if (shared != null) {
			logger.info("[{}] zookeeper strategy uses the application's CuratorFramework bean; {}.connect-string, "
					+ "session-timeout, connection-timeout, authorization and ssl are not used", topology, prefix);
			client = shared;
		}
		else {
			client = client(prefix, zookeeper, sessionTimeout);
		}
		// the session is checked often enough to be vouched for well before it could expire
		Duration ping = sessionTimeout.dividedBy(5);
		ZooKeeperStrategy strategy = new ZooKeeperStrategy(client, settings,
				(ping.compareTo(MAX_PING_INTERVAL) > 0) ? MAX_PING_INTERVAL : ping);
		this.strategies.add(strategy);
		if (zookeeper.isFailFast()) {
			try {
				strategy.checkReachable(FAIL_FAST_TIMEOUT);
			}
			catch (IOException ex) {
				throw new ClusterConfigurationException(prefix + ".connect-string",
						"ZooKeeper cannot be reached at " + ((shared != null) ? "the application's CuratorFramework"
								: zookeeper.getConnectString()) + " and fail-fast is set: " + ex.getMessage(),
						"Start ZooKeeper or correct the connect string, or set " + prefix
								+ ".fail-fast=false to start anyway and join once ZooKeeper is up.");
			}
		}
		return strategy;
	}

	private ZooKeeperSettings settings(String prefix, ZooKeeperTopologyProperties zookeeper) {
		String service = StringUtils.hasText(zookeeper.getService()) ? zookeeper.getService()
				: StringUtils.hasText(this.applicationName) ? this.applicationName : "node";
		String root = (zookeeper.getRoot() != null) ? zookeeper.getRoot() : "";
		try {
			new ZooKeeperSettings(root, "service");
		}
		catch (IllegalArgumentException ex) {
			throw new ClusterConfigurationException(prefix + ".root", ex.getMessage(), "Use a path such as /cluster.");
		}
		try {
			return new ZooKeeperSettings(root, service);
		}
		catch (IllegalArgumentException ex) {
			throw new ClusterConfigurationException(prefix + ".service", ex.getMessage(),
					"Use a name without '/' or spaces, such as the application's name.");
		}
	}

	private static Duration sessionTimeout(String prefix, ZooKeeperTopologyProperties zookeeper) {
		Duration timeout = zookeeper.getSessionTimeout();
		if (timeout == null || timeout.compareTo(Duration.ofMillis(100)) < 0) {
			throw new ClusterConfigurationException(prefix + ".session-timeout",
					"must be at least 100ms, was " + timeout,
					"Use a duration such as 10s: a node that stops without leaving stays registered, and leader, "
							+ "this long (the server keeps it between 2 and 20 of its ticks).");
		}
		return timeout;
	}

	private CuratorFramework client(String prefix, ZooKeeperTopologyProperties zookeeper,
			Duration sessionTimeout) {
		if (!StringUtils.hasText(zookeeper.getConnectString())) {
			throw new ClusterConfigurationException(prefix + ".connect-string", "is empty",
					"List the ZooKeeper servers as host:port pairs, such as zk-1:2181,zk-2:2181,zk-3:2181.");
		}
		Duration connection = zookeeper.getConnectionTimeout();
		if (connection == null || connection.isNegative() || connection.isZero()) {
			throw new ClusterConfigurationException(prefix + ".connection-timeout",
					"must be a positive duration, was " + connection, "Use a duration such as 5s.");
		}
		CuratorFrameworkFactory.Builder builder = CuratorFrameworkFactory.builder()
			.connectString(zookeeper.getConnectString().trim())
			.sessionTimeoutMs(Math.toIntExact(sessionTimeout.toMillis()))
			.connectionTimeoutMs(Math.toIntExact(connection.toMillis()))
			// operations are retried for as long as it takes: the strategy's handles wait for ZooKeeper
			.retryPolicy(new ExponentialBackoffRetry(100, 29, 2000));
		String authorization = zookeeper.getAuthorization();
		if (StringUtils.hasLength(authorization)) {
			ClusterSecrets.checkResolved(prefix + ".authorization", authorization);
			if (authorization.indexOf(':') <= 0) {
				throw new ClusterConfigurationException(prefix + ".authorization", "is not of the form user:password",
						"Write the digest credentials as user:password.");
			}
			builder.authorization("digest", authorization.getBytes(StandardCharsets.UTF_8));
		}
		String bundle = zookeeper.getSsl().getBundle();
		if (StringUtils.hasText(bundle)) {
			ZooKeeperTls secured = ZooKeeperTls.create(prefix + ".ssl.bundle", bundle.trim(), this.sslBundles.get());
			this.tls.add(secured);
			builder.zkClientConfig(secured.config());
		}
		CuratorFramework client = builder.build();
		this.clients.add(client);
		client.start();
		return client;
	}

	/**
	 * Stops the strategies made here and closes the clients built here (after the node has left, so
	 * its znodes were deleted).
	 */
	@Override
	public void close() {
		this.strategies.forEach(ZooKeeperStrategy::close);
		this.strategies.clear();
		this.clients.forEach(CuratorFramework::close);
		this.clients.clear();
		this.tls.forEach(ZooKeeperTls::close);
		this.tls.clear();
	}

}
