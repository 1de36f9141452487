package dev.clustering.autoconfigure;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Supplier;

import javax.net.ssl.SSLContext;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.boot.ssl.NoSuchSslBundleException;
import org.springframework.boot.ssl.SslBundle;
import org.springframework.boot.ssl.SslBundles;
import org.springframework.cloud.consul.ConsulAutoConfiguration;
import org.springframework.cloud.consul.ConsulClient;
import org.springframework.http.client.JdkClientHttpRequestFactory;
import org.springframework.util.StringUtils;
import org.springframework.web.client.RestClient;
import org.springframework.web.client.support.RestClientAdapter;
import org.springframework.web.service.invoker.HttpServiceProxyFactory;

import dev.clustering.discovery.DiscoveryStrategy;
import dev.clustering.discovery.consul.ConsulSettings;
import dev.clustering.discovery.consul.ConsulStrategy;

/**
 * The {@code consul} strategy from {@code cluster.topologies.<name>.consul.*}: Spring Cloud
 * Consul's {@link ConsulClient} and the project's {@link ConsulSessions} on Spring's
 * {@link RestClient}, built from the properties (over TLS when {@code consul.ssl.bundle} names an
 * SSL bundle), or the application's own {@link ConsulClient} bean and the {@code RestClient} adapter
 * Spring Cloud Consul built it on. Closes, when the application stops, the strategies it made.
 */
class ConsulStrategyFactory implements ClusterStrategyFactory, AutoCloseable {

	private static final Logger logger = LoggerFactory.getLogger(ConsulStrategyFactory.class);

	private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(2);

	// calls that are not blocking queries give up after this
	private static final Duration QUICK_TIMEOUT = Duration.ofSeconds(3);

	private static final Duration BLOCKING_WAIT = Duration.ofSeconds(10);

	// a blocking query may be held for its wait plus up to a sixteenth of it
	private static final Duration BLOCKING_TIMEOUT = BLOCKING_WAIT.plus(BLOCKING_WAIT.dividedBy(16)).plus(QUICK_TIMEOUT);

	private final Supplier<ConsulClient> applicationClient;

	private final Supplier<ConsulAutoConfiguration.ConsulClientSettings> applicationSettings;

	private final Supplier<SslBundles> sslBundles;

	private final String applicationName;

	private final List<ConsulStrategy> strategies = new CopyOnWriteArrayList<>();

	/**
	 * Creates the factory.
	 * @param applicationClient the application's Consul client, or {@code null}
	 * @param applicationSettings the RestClient adapter Spring Cloud Consul built that client on, or
	 * {@code null}
	 * @param sslBundles the application's SSL bundles, or {@code null}
	 * @param applicationName {@code spring.application.name}, the default service's stem
	 */
	ConsulStrategyFactory(Supplier<ConsulClient> applicationClient,
			Supplier<ConsulAutoConfiguration.ConsulClientSettings> applicationSettings, Supplier<SslBundles> sslBundles,
			String applicationName) {
		this.applicationClient = applicationClient;
		this.applicationSettings = applicationSettings;
		this.sslBundles = sslBundles;
		this.applicationName = applicationName;
	}

	@Override
	public String name() {
		return ConsulStrategy.NAME;
	}

	@Override
	public DiscoveryStrategy create(StrategyContext context) {
		String prefix = context.prefix();
		ConsulTopologyProperties consul = context.properties(ConsulTopologyProperties.class);
		ConsulSettings settings = settings(prefix, consul);
		ClusterSecrets.checkResolved(prefix + ".acl-token", consul.getAclToken());
		ConsulClient shared = this.applicationClient.get();
		ConsulAutoConfiguration.ConsulClientSettings sharedSettings = this.applicationSettings.get();
		ConsulHttpApi api;
		if (shared != null && sharedSettings != null) {
			logger.info("[{}] consul strategy uses the application's ConsulClient bean, and its base URL for "
					+ "sessions and blocking queries; {}.url and ssl are not used", context.topology(), prefix);
			URI base = URI.create(sharedSettings.baseUrl());
			String token = StringUtils.hasText(consul.getAclToken()) ? consul.getAclToken() : null;
			// blocking queries need a read timeout longer than their wait, which the bean may not have
			HttpClient http = httpClient(null);
			RestClientAdapter blocking = adapter(base, token, http, BLOCKING_TIMEOUT);
			api = new ConsulHttpApi(shared, ConsulAutoConfiguration.createNewConsulClient(blocking),
					sessions(adapter(base, token, http, QUICK_TIMEOUT)), sessions(blocking), token);
		}
		else {
			api = ownApi(prefix, consul);
		}
		ConsulStrategy strategy = new ConsulStrategy(api, settings);
		this.strategies.add(strategy);
		if (consul.isFailFast()) {
			try {
				strategy.checkReachable();
			}
			catch (IOException ex) {
				throw new ClusterConfigurationException(prefix + ".url",
						"Consul cannot be reached at " + ((shared != null) ? "the application's ConsulClient"
								: consul.getUrl()) + " and fail-fast is set: " + ex.getMessage(),
						"Start the Consul agent or correct the URL, or set " + prefix
								+ ".fail-fast=false to start anyway and join once Consul is up.");
			}
		}
		return strategy;
	}

	private ConsulSettings settings(String prefix, ConsulTopologyProperties consul) {
		String service = StringUtils.hasText(consul.getService()) ? consul.getService().trim()
				: (StringUtils.hasText(this.applicationName) ? this.applicationName.trim() : "node") + "-dist";
		requireBetween(prefix + ".check-ttl", consul.getCheckTtl(), ConsulSettings.MIN_CHECK_TTL, Duration.ofHours(1),
				"a duration such as 10s");
		requireBetween(prefix + ".session-ttl", consul.getSessionTtl(), ConsulSettings.MIN_SESSION_TTL,
				ConsulSettings.MAX_SESSION_TTL, "a duration from 10s (Consul's least) to 24h");
		requireBetween(prefix + ".lock-delay", consul.getLockDelay(), Duration.ZERO, ConsulSettings.MAX_LOCK_DELAY,
				"a duration from 0s to 60s (Consul's most)");
		requireBetween(prefix + ".deregister-critical-after", consul.getDeregisterCriticalAfter(), Duration.ZERO,
				Duration.ofDays(365), "a duration such as 1m");
		try {
			ConsulSettings.of(service);
		}
		catch (IllegalArgumentException ex) {
			throw new ClusterConfigurationException(prefix + ".service", ex.getMessage(),
					"Use a name of letters, digits and dashes, such as the application's name followed by -dist.");
		}
		try {
			return new ConsulSettings(service, (consul.getPrefix() != null) ? consul.getPrefix() : "",
					(consul.getTags() != null) ? consul.getTags() : List.of(), consul.getCheckTtl(),
					consul.getDeregisterCriticalAfter(), consul.getSessionTtl(), consul.getLockDelay(), BLOCKING_WAIT);
		}
		catch (IllegalArgumentException ex) {
			throw new ClusterConfigurationException(prefix + ".prefix", ex.getMessage(), "Use a KV path such as cluster.");
		}
	}

	private static void requireBetween(String property, Duration value, Duration min, Duration max, String fix) {
		if (value == null || value.compareTo(min) < 0 || value.compareTo(max) > 0) {
			throw new ClusterConfigurationException(property, "must be between " + min + " and " + max + ", was " + value,
					"Use " + fix + ".");
		}
	}

	private ConsulHttpApi ownApi(String prefix, ConsulTopologyProperties consul) {
		URI url;
		try {
			url = URI.create((consul.getUrl() != null) ? consul.getUrl().trim() : "");
		}
		catch (IllegalArgumentException ex) {
			url = null;
		}
		if (url == null || url.getHost() == null || !("http".equals(url.getScheme()) || "https".equals(url.getScheme()))) {
			throw new ClusterConfigurationException(prefix + ".url", "'" + consul.getUrl() + "' is not a Consul URL",
					"Write it as http://host:port or https://host:port, such as http://127.0.0.1:8500.");
		}
		String bundle = consul.getSsl().getBundle();
		SSLContext ssl = null;
		if (StringUtils.hasText(bundle)) {
			if (!"https".equals(url.getScheme())) {
				throw new ClusterConfigurationException(prefix + ".url",
						"TLS is set (" + prefix + ".ssl.bundle) but the URL uses http", "Write the URL as https://host:port.");
			}
			ssl = sslContext(prefix + ".ssl.bundle", bundle.trim());
		}
		String token = StringUtils.hasText(consul.getAclToken()) ? consul.getAclToken() : null;
		HttpClient http = httpClient(ssl);
		RestClientAdapter quick = adapter(url, token, http, QUICK_TIMEOUT);
		RestClientAdapter blocking = adapter(url, token, http, BLOCKING_TIMEOUT);
		return new ConsulHttpApi(ConsulAutoConfiguration.createNewConsulClient(quick),
				ConsulAutoConfiguration.createNewConsulClient(blocking), sessions(quick), sessions(blocking), token);
	}

	private static ConsulSessions sessions(RestClientAdapter adapter) {
		return HttpServiceProxyFactory.builderFor(adapter).build().createClient(ConsulSessions.class);
	}

	// one per strategy: its quick and its blocking calls share the connections, with their own timeouts
	private static HttpClient httpClient(SSLContext ssl) {
		HttpClient.Builder http = HttpClient.newBuilder().connectTimeout(CONNECT_TIMEOUT);
		if (ssl != null) {
			http.sslContext(ssl);
		}
		return http.build();
	}

	private static RestClientAdapter adapter(URI url, String token, HttpClient http, Duration readTimeout) {
		JdkClientHttpRequestFactory requests = new JdkClientHttpRequestFactory(http);
		requests.setReadTimeout(readTimeout);
		// buffered, so that every body goes with a Content-Length: Consul reads a session's settings
		// only then (a chunked body is ignored, and the session gets the defaults)
		RestClient.Builder client = RestClient.builder()
			.baseUrl(url.toString())
			.requestFactory(requests)
			.bufferContent((uri, method) -> true);
		if (token != null) {
			client.defaultHeader(ConsulClient.ACL_TOKEN_HEADER, token);
		}
		return RestClientAdapter.create(client.build());
	}

	private SSLContext sslContext(String property, String bundleName) {
		SslBundles bundles = this.sslBundles.get();
		if (bundles == null) {
			throw new ClusterConfigurationException(property, "no SSL bundles are configured",
					"Define the bundle under spring.ssl.bundle.pem." + bundleName + " or spring.ssl.bundle.jks."
							+ bundleName + ".");
		}
		try {
			SslBundle bundle = bundles.getBundle(bundleName);
			if (bundle.getStores().getTrustStore() == null) {
				throw new ClusterConfigurationException(property, "SSL bundle '" + bundleName
						+ "' has no trust store, so any certificate from a public certificate authority would be "
						+ "accepted as Consul", "Give the bundle a trust store that holds Consul's CA.");
			}
			return bundle.createSslContext();
		}
		catch (NoSuchSslBundleException ex) {
			throw new ClusterConfigurationException(property, "there is no SSL bundle named '" + bundleName + "'",
					"Define it under spring.ssl.bundle.pem." + bundleName + " or spring.ssl.bundle.jks." + bundleName
							+ ", or correct the name.");
		}
	}

	/**
	 * Stops the strategies made here (after the node has left, so it deregistered).
	 */
	@Override
	public void close() {
		this.strategies.forEach(ConsulStrategy::close);
		this.strategies.clear();
	}

}
