package dev.clustering.autoconfigure;

import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Supplier;

import io.etcd.jetcd.Client;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.boot.ssl.SslBundles;
import org.springframework.util.StringUtils;

import dev.clustering.discovery.DiscoveryStrategy;
import dev.clustering.discovery.etcd.EtcdSettings;
import dev.clustering.discovery.etcd.EtcdStrategy;

/**
 * The {@code etcd} strategy from {@code cluster.topologies.<name>.etcd.*}: with the application's
 * jetcd {@link Client} bean if it has one, otherwise with a client of its own built from the
 * properties. Closes, when the application stops, the strategies it made and the clients it built.
 */
class EtcdStrategyFactory implements ClusterStrategyFactory, AutoCloseable {

	private static final Logger logger = LoggerFactory.getLogger(EtcdStrategyFactory.class);

	private static final Duration FAIL_FAST_TIMEOUT = Duration.ofSeconds(5);

	private final Supplier<Client> applicationClient;

	private final Supplier<SslBundles> sslBundles;

	private final String applicationName;

	private final List<EtcdStrategy> strategies = new CopyOnWriteArrayList<>();

	private final List<Client> clients = new CopyOnWriteArrayList<>();

	/**
	 * Creates the factory.
	 * @param applicationClient the application's jetcd client, or {@code null}
	 * @param sslBundles the application's SSL bundles, or {@code null}
	 * @param applicationName {@code spring.application.name}, the default service
	 */
	EtcdStrategyFactory(Supplier<Client> applicationClient, Supplier<SslBundles> sslBundles, String applicationName) {
		this.applicationClient = applicationClient;
		this.sslBundles = sslBundles;
		this.applicationName = applicationName;
	}

	@Override
	public String name() {
		return EtcdStrategy.NAME;
	}

	@Override
	public DiscoveryStrategy create(StrategyContext context) {
		String topology = context.topology();
		String prefix = context.prefix();
		EtcdTopologyProperties etcd = context.properties(EtcdTopologyProperties.class);
		EtcdSettings settings = settings(prefix, etcd);
		Client shared = this.applicationClient.get();
		Client client;
		if (shared != null) {
			logger.info("[{}] etcd strategy uses the application's jetcd Client bean; {}.endpoints, username, "
					+ "password and ssl are not used", topology, prefix);
			client = shared;
		}
		else {
			client = EtcdClientFactory.create(prefix, etcd, settings.ttl(), this.sslBundles.get());
			this.clients.add(client);
		}
		EtcdStrategy strategy = new EtcdStrategy(client, settings);
		this.strategies.add(strategy);
		if (etcd.isFailFast()) {
			try {
				strategy.checkReachable(FAIL_FAST_TIMEOUT);
			}
			catch (IOException ex) {
				throw new ClusterConfigurationException(prefix + ".endpoints",
						"etcd cannot be reached at " + ((shared != null) ? "the application's jetcd Client"
								: EtcdClientFactory.describe(etcd.getEndpoints())) + " and fail-fast is set: "
								+ ex.getMessage(),
						"Start etcd or correct the endpoints, or set " + prefix
								+ ".fail-fast=false to start anyway and join once etcd is up.");
			}
		}
		return strategy;
	}

	private EtcdSettings settings(String prefix, EtcdTopologyProperties etcd) {
		if (etcd.getTtl() == null || etcd.getTtl().compareTo(EtcdSettings.MIN_TTL) < 0) {
			throw new ClusterConfigurationException(prefix + ".ttl",
					"must be at least " + EtcdSettings.MIN_TTL.toSeconds() + "s (the shortest lease etcd grants), was "
							+ etcd.getTtl(),
					"Use a duration such as 10s: a node that stops without leaving stays registered, and leader, "
							+ "this long.");
		}
		String service = StringUtils.hasText(etcd.getService()) ? etcd.getService()
				: StringUtils.hasText(this.applicationName) ? this.applicationName : "node";
		String prefixValue = (etcd.getPrefix() != null) ? etcd.getPrefix() : "";
		if (prefixValue.trim().chars().anyMatch(Character::isWhitespace)) {
			throw new ClusterConfigurationException(prefix + ".prefix", "'" + prefixValue + "' contains spaces",
					"Use a key prefix such as /cluster.");
		}
		try {
			return new EtcdSettings(prefixValue, service, etcd.getTtl());
		}
		catch (IllegalArgumentException ex) {
			throw new ClusterConfigurationException(prefix + ".service", ex.getMessage(),
					"Use a name without '/' or spaces, such as the application's name.");
		}
	}

	/**
	 * Stops the strategies made here and closes the clients built here (after the node has left, so
	 * its leases were revoked).
	 */
	@Override
	public void close() {
		this.strategies.forEach(EtcdStrategy::close);
		this.strategies.clear();
		this.clients.forEach(Client::close);
		this.clients.clear();
	}

}
