package dev.clustering.autoconfigure;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

import javax.net.ssl.SSLException;

import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;

import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.ssl.NoSuchSslBundleException;
import org.springframework.boot.ssl.SslBundle;
import org.springframework.boot.ssl.SslBundles;
import org.springframework.boot.ssl.SslOptions;
import org.springframework.util.StringUtils;

import dev.clustering.detection.FailureDetectorSettings;
import dev.clustering.discovery.DiscoveryStrategy;
import dev.clustering.membership.NodeAddress;
import dev.clustering.node.ClusterNode;
import dev.clustering.node.ClusterNodeBuilder;
import dev.clustering.singleton.SingletonSpec;
import dev.clustering.transport.TransportSettings;

/**
 * Turns {@code cluster.*} properties into a {@link ClusterNodeBuilder}, failing with a
 * {@link ClusterConfigurationException} that names the property at fault.
 */
class ClusterNodeFactory {

	private final ClusterProperties properties;

	private final String applicationName;

	private final Map<String, ClusterStrategyFactory> factories;

	private final Map<String, DiscoveryStrategy> strategyBeans;

	private final SslBundles sslBundles;

	private final Binder binder;

	ClusterNodeFactory(ClusterProperties properties, String applicationName, Iterable<ClusterStrategyFactory> factories,
			Map<String, DiscoveryStrategy> strategyBeans, SslBundles sslBundles, Binder binder) {
		this.properties = properties;
		this.applicationName = applicationName;
		this.factories = new LinkedHashMap<>();
		factories.forEach((factory) -> this.factories.put(factory.name(), factory));
		this.strategyBeans = strategyBeans;
		this.sslBundles = sslBundles;
		this.binder = binder;
	}

	ClusterNodeBuilder builder() {
		ClusterProperties.Node node = this.properties.getNode();
		ClusterNodeBuilder builder = ClusterNode.builder();
		builder.name(nodeName(node));
		if (StringUtils.hasText(node.getHost())) {
			builder.host(valid("cluster.node.host", node.getHost(), "Set an IP address or host name of this machine."));
		}
		if (node.getPort() < 0 || node.getPort() > 65535) {
			throw new ClusterConfigurationException("cluster.node.port", "port " + node.getPort() + " is out of range",
					"Use a port between 1 and 65535, or 0 for a free one.");
		}
		builder.port(node.getPort());
		builder.metadata(node.getMetadata());
		String cookie = this.properties.getCookie();
		ClusterSecrets.checkResolved("cluster.cookie", cookie);
		if (StringUtils.hasLength(cookie)) {
			builder.cookie(cookie.toCharArray());
		}
		builder.failureDetector(failureDetector());
		builder.transport(transport(node));
		// after the bind address was validated, so that a wrong one is reported as such
		ClusterSecrets.checkCookieStrength(cookie, node.getHost(), node.getBindAddress());
		splitBrain(builder);
		this.properties.getSingletons().forEach((name, singleton) -> builder.singletonSpec(singleton(name, singleton)));
		this.properties.getTopologies().forEach((name, topology) -> {
			DiscoveryStrategy strategy = strategy(name, topology);
			positive("cluster.topologies." + name + ".poll-interval", topology.getPollInterval());
			builder.topology(name, topology.getStrategy().trim(), strategy, topology.getPollInterval());
		});
		return builder;
	}

	private void splitBrain(ClusterNodeBuilder builder) {
		ClusterProperties.SplitBrain splitBrain = this.properties.getSplitBrain();
		if (splitBrain.getQuorumSize() < 1) {
			throw new ClusterConfigurationException("cluster.split-brain.quorum-size",
					"must be at least 1, was " + splitBrain.getQuorumSize(),
					"Set it to the number of nodes (this one included) that make a quorum.");
		}
		builder.splitBrain(splitBrain.getStrategy(), splitBrain.getQuorumSize());
	}

	private SingletonSpec singleton(String name, ClusterProperties.Singleton singleton) {
		String prefix = "cluster.singletons." + name;
		positiveOrZero(prefix + ".failover-timeout", singleton.getFailoverTimeout());
		positiveOrZero(prefix + ".takeover-delay", singleton.getTakeoverDelay());
		List<List<String>> groups = new ArrayList<>();
		for (int i = 0; i < singleton.getNodes().size(); i++) {
			List<String> group = singleton.getNodes().get(i).stream().map(String::trim)
				.filter((n) -> !n.isEmpty()).toList();
			if (group.isEmpty()) {
				throw new ClusterConfigurationException(prefix + ".nodes[" + i + "]", "the priority group is empty",
						"List node names, for example " + prefix + ".nodes[" + i + "]=bcd,def.");
			}
			groups.add(group);
		}
		return new SingletonSpec(name, groups, singleton.getFailoverTimeout(), singleton.isTakeover(),
				singleton.getTakeoverDelay());
	}

	private static void positiveOrZero(String property, Duration value) {
		if (value == null || value.isNegative()) {
			throw new ClusterConfigurationException(property, "must not be negative, was " + value,
					"Use a duration such as 5s.");
		}
	}

	private String nodeName(ClusterProperties.Node node) {
		String name = StringUtils.hasText(node.getName()) ? node.getName().trim()
				: StringUtils.hasText(this.applicationName) ? this.applicationName.trim() : "node";
		if (name.indexOf('@') >= 0 || name.chars().anyMatch(Character::isWhitespace)) {
			throw new ClusterConfigurationException("cluster.node.name", "'" + name + "' is not a valid node name",
					"Use a name without '@' or spaces; the host part is added from cluster.node.host.");
		}
		return name;
	}

	private String valid(String property, String host, String action) {
		try {
			return new NodeAddress(host, 1).host();
		}
		catch (IllegalArgumentException ex) {
			throw new ClusterConfigurationException(property, ex.getMessage(), action);
		}
	}

	private DiscoveryStrategy strategy(String topology, ClusterProperties.Topology properties) {
		String property = "cluster.topologies." + topology + ".strategy";
		String name = (properties.getStrategy() != null) ? properties.getStrategy().trim() : "";
		if (name.isEmpty()) {
			throw new ClusterConfigurationException(property, "no strategy is set",
					"Set it to one of: " + validStrategies() + ".");
		}
		ClusterStrategyFactory factory = this.factories.get(name);
		StrategyContext context = new StrategyContext(topology, name, this.binder, this.properties.getNode().getPort());
		if (factory != null && factory.available()) {
			return factory.create(context);
		}
		DiscoveryStrategy bean = this.strategyBeans.get(name);
		if (bean != null) {
			return bean;
		}
		if (factory != null) {
			return factory.create(context); // its library is missing: the error names it
		}
		throw new ClusterConfigurationException(property, "unknown strategy '" + name + "'",
				"Set it to one of: " + validStrategies()
						+ " (a DiscoveryStrategy bean is selected by its bean name).");
	}

	private String validStrategies() {
		TreeSet<String> names = new TreeSet<>();
		this.factories.values().stream().filter(ClusterStrategyFactory::available).forEach((f) -> names.add(f.name()));
		names.addAll(this.strategyBeans.keySet());
		return String.join(", ", names);
	}

	private FailureDetectorSettings failureDetector() {
		ClusterProperties.FailureDetector fd = this.properties.getFailureDetector();
		positive("cluster.failure-detector.heartbeat-interval", fd.getHeartbeatInterval());
		positive("cluster.failure-detector.min-std-deviation", fd.getMinStdDeviation());
		if (fd.getAcceptableHeartbeatPause() == null || fd.getAcceptableHeartbeatPause().isNegative()) {
			throw new ClusterConfigurationException("cluster.failure-detector.acceptable-heartbeat-pause",
					"must not be negative", "Use a duration such as 1s.");
		}
		if (!(fd.getThreshold() > 0)) {
			throw new ClusterConfigurationException("cluster.failure-detector.threshold",
					"must be positive, was " + fd.getThreshold(), "Use a value such as 8 (higher is slower and surer).");
		}
		return new FailureDetectorSettings(fd.getHeartbeatInterval(), fd.getAcceptableHeartbeatPause(),
				fd.getThreshold(), fd.getMinStdDeviation(), 200);
	}

	private TransportSettings transport(ClusterProperties.Node node) {
		ClusterProperties.Transport t = this.properties.getTransport();
		positive("cluster.transport.connect-timeout", t.getConnectTimeout());
		positive("cluster.transport.handshake-timeout", t.getHandshakeTimeout());
		positive("cluster.transport.reconnect-initial-backoff", t.getReconnectInitialBackoff());
		positive("cluster.transport.reconnect-max-backoff", t.getReconnectMaxBackoff());
		long frame = t.getMaxFrameSize().toBytes();
		if (frame < 256 || frame > Integer.MAX_VALUE) {
			throw new ClusterConfigurationException("cluster.transport.max-frame-size", "must be between 256B and 2GB",
					"Use a size such as 64KB.");
		}
		String bind = StringUtils.hasText(node.getBindAddress())
				? valid("cluster.node.bind-address", node.getBindAddress(), "Set an address of this machine, or 0.0.0.0.")
				: null;
		TransportSettings settings = new TransportSettings(bind, (int) frame, t.getConnectTimeout(),
				t.getHandshakeTimeout(), t.getReconnectInitialBackoff(), t.getReconnectMaxBackoff(), null, null);
		String bundle = t.getSsl().getBundle();
		return StringUtils.hasText(bundle) ? ssl(settings, bundle.trim(), t.getSsl().isVerifyHostname()) : settings;
	}

	private TransportSettings ssl(TransportSettings settings, String bundleName, boolean verifyHostname) {
		String property = "cluster.transport.ssl.bundle";
		if (this.sslBundles == null) {
			throw new ClusterConfigurationException(property, "no SSL bundles are configured",
					"Define the bundle under spring.ssl.bundle.jks." + bundleName + " or spring.ssl.bundle.pem."
							+ bundleName + ".");
		}
		try {
			SslBundle bundle = this.sslBundles.getBundle(bundleName);
			if (bundle.getStores().getTrustStore() == null) {
				// the trust manager would fall back to the JDK's public certificate authorities
				throw new ClusterConfigurationException(property, "SSL bundle '" + bundleName
						+ "' has no trust store, so any certificate from a public certificate authority would "
						+ "be accepted as a peer", "Give the bundle a trust store that holds only the cluster's "
								+ "CA (spring.ssl.bundle.jks." + bundleName + ".truststore.* or spring.ssl.bundle.pem."
								+ bundleName + ".truststore.certificate).");
			}
			SslOptions options = bundle.getOptions();
			SslContextBuilder server = SslContextBuilder.forServer(bundle.getManagers().getKeyManagerFactory())
				.trustManager(bundle.getManagers().getTrustManagerFactory())
				.clientAuth(ClientAuth.REQUIRE);
			// The transport dials the peer's advertised host, so its certificate must name that host
			// (HTTPS rules: subject alternative names, IP ones for an IP literal), unless turned off.
			SslContextBuilder client = SslContextBuilder.forClient()
				.keyManager(bundle.getManagers().getKeyManagerFactory())
				.trustManager(bundle.getManagers().getTrustManagerFactory())
				.endpointIdentificationAlgorithm(verifyHostname ? "HTTPS" : null);
			if (options.getEnabledProtocols() != null) {
				server.protocols(options.getEnabledProtocols());
				client.protocols(options.getEnabledProtocols());
			}
			if (options.getCiphers() != null) {
				server.ciphers(List.of(options.getCiphers()));
				client.ciphers(List.of(options.getCiphers()));
			}
			SslContext serverContext = server.build();
			SslContext clientContext = client.build();
			return settings.withSsl(serverContext, clientContext);
		}
		catch (NoSuchSslBundleException ex) {
			throw new ClusterConfigurationException(property, "there is no SSL bundle named '" + bundleName + "'",
					"Define it under spring.ssl.bundle.jks." + bundleName + " or spring.ssl.bundle.pem." + bundleName
							+ ", or correct the name.");
		}
		catch (ClusterConfigurationException ex) {
			throw ex;
		}
		catch (SSLException | RuntimeException ex) {
			throw new ClusterConfigurationException(property, "SSL bundle '" + bundleName + "' cannot secure the "
					+ "transport: " + ex.getMessage(), "Give the bundle a key store (this node) and a trust store (its peers).");
		}
	}

	private static void positive(String property, Duration value) {
		if (value == null || value.isZero() || value.isNegative()) {
			throw new ClusterConfigurationException(property, "must be a positive duration, was " + value,
					"Use a duration such as 500ms or 5s.");
		}
	}

}
