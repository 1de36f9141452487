package dev.clustering.autoconfigure;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import javax.net.ssl.SSLException;

import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.ClientBuilder;
import io.grpc.netty.GrpcSslContexts;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;

import org.springframework.boot.ssl.NoSuchSslBundleException;
import org.springframework.boot.ssl.SslBundle;
import org.springframework.boot.ssl.SslBundles;
import org.springframework.boot.ssl.SslOptions;
import org.springframework.util.StringUtils;

/**
 * Builds the jetcd {@link Client} of an {@code etcd} topology from its {@code etcd.*} properties,
 * failing with the property at fault. The client fails requests at once while etcd is unreachable
 * ({@code waitForReady(false)}) rather than queueing them: the strategy retries by itself.
 */
final class EtcdClientFactory {

	private EtcdClientFactory() {
	}

	/**
	 * Creates the client.
	 * @param prefix the properties' prefix, such as {@code cluster.topologies.prod.etcd}
	 * @param etcd the properties
	 * @param ttl the (checked) lease time to live, which bounds the connect timeout
	 * @param sslBundles the application's SSL bundles, or {@code null}
	 * @return a new client, to be closed by the caller
	 */
	static Client create(String prefix, EtcdTopologyProperties etcd, Duration ttl, SslBundles sslBundles) {
		List<URI> endpoints = endpoints(prefix, etcd.getEndpoints());
		boolean https = "https".equalsIgnoreCase(endpoints.get(0).getScheme());
		ClientBuilder builder = Client.builder()
			.endpoints(endpoints)
			.waitForReady(false)
			.connectTimeout((ttl.compareTo(Duration.ofSeconds(5)) < 0) ? ttl : Duration.ofSeconds(5));
		credentials(prefix, etcd, builder);
		String bundle = etcd.getSsl().getBundle();
		if (StringUtils.hasText(bundle)) {
			if (!https) {
				throw new ClusterConfigurationException(prefix + ".endpoints",
						"TLS is set (" + prefix + ".ssl.bundle) but the endpoints use http",
						"Write the endpoints as https://host:port.");
			}
			builder.sslContext(sslContext(prefix + ".ssl.bundle", bundle.trim(), sslBundles));
		}
		else if (https) {
			builder.sslContext(defaultSslContext(prefix));
		}
		return builder.build();
	}

	/**
	 * The endpoints for a message: scheme, host and port only (a URL may carry credentials).
	 * @param endpoints the configured endpoints
	 * @return them, comma-separated
	 */
	static String describe(List<String> endpoints) {
		List<String> shown = new ArrayList<>();
		for (String endpoint : endpoints) {
			try {
				URI uri = URI.create(endpoint.trim());
				shown.add(uri.getScheme() + "://" + uri.getHost() + ((uri.getPort() != -1) ? ":" + uri.getPort() : ""));
			}
			catch (IllegalArgumentException ex) {
				shown.add("(not a URL)");
			}
		}
		return String.join(", ", shown);
	}

	private static List<URI> endpoints(String prefix, List<String> configured) {
		if (configured == null || configured.isEmpty()) {
			throw new ClusterConfigurationException(prefix + ".endpoints", "no etcd endpoint is set",
					"List the etcd members' URLs, for example " + prefix + ".endpoints=http://etcd-1:2379.");
		}
		List<URI> endpoints = new ArrayList<>();
		String scheme = null;
		for (int i = 0; i < configured.size(); i++) {
			String property = prefix + ".endpoints[" + i + "]";
			URI uri;
			try {
				uri = URI.create(configured.get(i).trim());
			}
			catch (IllegalArgumentException ex) {
				throw invalidEndpoint(property, configured.get(i));
			}
			if (uri.getScheme() == null || uri.getHost() == null
					|| !(uri.getScheme().equalsIgnoreCase("http") || uri.getScheme().equalsIgnoreCase("https"))) {
				throw invalidEndpoint(property, configured.get(i));
			}
			if (scheme != null && !scheme.equalsIgnoreCase(uri.getScheme())) {
				throw new ClusterConfigurationException(prefix + ".endpoints", "the endpoints mix http and https",
						"Use https for every member (with " + prefix + ".ssl.bundle) or http for every member.");
			}
			scheme = uri.getScheme();
			// etcd's client port unless one is given
			endpoints.add((uri.getPort() != -1) ? uri : URI.create(uri.getScheme() + "://" + uri.getRawAuthority()
					+ ":2379"));
		}
		return endpoints;
	}

	private static ClusterConfigurationException invalidEndpoint(String property, String value) {
		return new ClusterConfigurationException(property, "'" + value + "' is not an etcd URL",
				"Write it as http://host:port or https://host:port, for example http://etcd-1:2379.");
	}

	private static void credentials(String prefix, EtcdTopologyProperties etcd, ClientBuilder builder) {
		ClusterSecrets.checkResolved(prefix + ".password", etcd.getPassword());
		boolean user = StringUtils.hasText(etcd.getUsername());
		boolean password = StringUtils.hasLength(etcd.getPassword());
		if (user != password) {
			String missing = user ? prefix + ".password" : prefix + ".username";
			throw new ClusterConfigurationException(missing, "is not set, but " + (user ? prefix + ".username"
					: prefix + ".password") + " is", "Set both, or neither for an etcd without authentication.");
		}
		if (user) {
			builder.user(ByteSequence.from(etcd.getUsername(), StandardCharsets.UTF_8));
			builder.password(ByteSequence.from(etcd.getPassword(), StandardCharsets.UTF_8));
		}
	}

	private static SslContext sslContext(String property, String bundleName, SslBundles sslBundles) {
		if (sslBundles == null) {
			throw new ClusterConfigurationException(property, "no SSL bundles are configured",
					"Define the bundle under spring.ssl.bundle.pem." + bundleName + " or spring.ssl.bundle.jks."
							+ bundleName + ".");
		}
		try {
			SslBundle bundle = sslBundles.getBundle(bundleName);
			if (bundle.getStores().getTrustStore() == null) {
				// the trust manager would fall back to the JDK's public certificate authorities
				throw new ClusterConfigurationException(property, "SSL bundle '" + bundleName
						+ "' has no trust store, so any certificate from a public certificate authority would "
						+ "be accepted as etcd", "Give the bundle a trust store that holds etcd's CA "
								+ "(spring.ssl.bundle.pem." + bundleName + ".truststore.certificate or "
								+ "spring.ssl.bundle.jks." + bundleName + ".truststore.*).");
			}
			SslContextBuilder builder = GrpcSslContexts.forClient()
				.trustManager(bundle.getManagers().getTrustManagerFactory());
			if (bundle.getStores().getKeyStore() != null) {
				builder.keyManager(bundle.getManagers().getKeyManagerFactory());
			}
			SslOptions options = bundle.getOptions();
			if (options.getEnabledProtocols() != null) {
				builder.protocols(options.getEnabledProtocols());
			}
			if (options.getCiphers() != null) {
				builder.ciphers(List.of(options.getCiphers()));
			}
			return builder.build();
		}
		catch (NoSuchSslBundleException ex) {
			throw new ClusterConfigurationException(property, "there is no SSL bundle named '" + bundleName + "'",
					"Define it under spring.ssl.bundle.pem." + bundleName + " or spring.ssl.bundle.jks." + bundleName
							+ ", or correct the name.");
		}
		catch (ClusterConfigurationException ex) {
			throw ex;
		}
		catch (SSLException | RuntimeException ex) {
			throw new ClusterConfigurationException(property, "SSL bundle '" + bundleName
					+ "' cannot secure the connection to etcd: " + ex.getMessage(),
					"Give the bundle a trust store that holds etcd's CA (and a key store if etcd asks for client "
							+ "certificates).");
		}
	}

	private static SslContext defaultSslContext(String prefix) {
		try {
			return GrpcSslContexts.forClient().build();
		}
		catch (SSLException ex) {
			throw new ClusterConfigurationException(prefix + ".ssl.bundle",
					"the JVM's default trust store cannot secure the connection to etcd: " + ex.getMessage(),
					"Set an SSL bundle whose trust store holds etcd's CA.");
		}
	}

}
