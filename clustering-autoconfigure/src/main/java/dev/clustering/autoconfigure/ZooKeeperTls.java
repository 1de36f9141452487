package dev.clustering.autoconfigure;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.Key;
import java.security.KeyStore;
import java.security.SecureRandom;
import java.security.UnrecoverableKeyException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.List;

import org.apache.zookeeper.client.ZKClientConfig;
import org.apache.zookeeper.common.ClientX509Util;

import org.springframework.boot.ssl.NoSuchSslBundleException;
import org.springframework.boot.ssl.SslBundle;
import org.springframework.boot.ssl.SslBundleKey;
import org.springframework.boot.ssl.SslBundles;
import org.springframework.boot.ssl.SslOptions;
import org.springframework.util.ClassUtils;
import org.springframework.util.FileSystemUtils;

/**
 * TLS to ZooKeeper from an SSL bundle ({@code cluster.topologies.<name>.zookeeper.ssl.bundle}): the
 * {@link ZKClientConfig} of a client that talks TLS over ZooKeeper's Netty socket, with the
 * bundle's stores.
 * <p>
 * ZooKeeper's client reads its key and trust stores from files, each time it connects, and has no
 * way to be handed an {@code SSLContext}. So the bundle's stores are written, as PKCS12 encrypted
 * with a random password that exists only in this JVM's memory, into a directory only this
 * process's user can read; {@link #close()} deletes them once the client is closed. The server's
 * host name is verified against its certificate (ZooKeeper's default).
 */
final class ZooKeeperTls implements AutoCloseable {

	private static final String NETTY_SOCKET = "org.apache.zookeeper.ClientCnxnSocketNetty";

	private static final String EPOLL = "io.netty.channel.epoll.Epoll";

	private static final String PKCS12 = "PKCS12";

	private final Path directory;

	private final ZKClientConfig config;

	private ZooKeeperTls(Path directory, ZKClientConfig config) {
		this.directory = directory;
		this.config = config;
	}

	/**
	 * Prepares TLS from a bundle.
	 * @param property the property that names the bundle, for messages
	 * @param bundleName the bundle's name
	 * @param sslBundles the application's SSL bundles, or {@code null}
	 * @return the client configuration and its files, to be closed after the client
	 * @throws ClusterConfigurationException naming the property, if the bundle cannot secure the
	 * connection
	 */
	static ZooKeeperTls create(String property, String bundleName, SslBundles sslBundles) {
		if (!ClassUtils.isPresent(EPOLL, ZooKeeperTls.class.getClassLoader())) {
			throw new ClusterConfigurationException(property,
					"ZooKeeper's TLS client runs on Netty's transport classes, which are not on the classpath",
					"Add io.netty:netty-transport-native-epoll (ZooKeeper's own dependency; do not exclude it) or "
							+ "io.netty:netty-transport-classes-epoll.");
		}
		SslBundle bundle = bundle(property, bundleName, sslBundles);
		char[] password = randomPassword();
		Path directory = null;
		try {
			directory = privateDirectory();
			return new ZooKeeperTls(directory, config(directory, bundle, password));
		}
		catch (IOException | GeneralSecurityException ex) {
			delete(directory);
			throw new ClusterConfigurationException(property, "SSL bundle '" + bundleName
					+ "' cannot secure the connection to ZooKeeper: " + ex.getMessage(),
					"Give the bundle a trust store that holds ZooKeeper's CA, and a key store whose key its "
							+ "password (or the bundle's key password) opens if ZooKeeper asks for client certificates.");
		}
	}

	private static ZKClientConfig config(Path directory, SslBundle bundle, char[] password)
			throws IOException, GeneralSecurityException {
		try (ClientX509Util names = new ClientX509Util()) {
			ZKClientConfig config = new ZKClientConfig();
			config.setProperty(ZKClientConfig.ZOOKEEPER_CLIENT_CNXN_SOCKET, NETTY_SOCKET);
			config.setProperty(ZKClientConfig.SECURE_CLIENT, "true");
			Path trustStore = write(directory.resolve("trust.p12"), trustedCertificates(bundle), password);
			config.setProperty(names.getSslTruststoreLocationProperty(), trustStore.toString());
			config.setProperty(names.getSslTruststorePasswdProperty(), new String(password));
			config.setProperty(names.getSslTruststoreTypeProperty(), PKCS12);
			if (bundle.getStores().getKeyStore() != null) {
				Path keyStore = write(directory.resolve("keys.p12"), keys(bundle, password), password);
				config.setProperty(names.getSslKeystoreLocationProperty(), keyStore.toString());
				config.setProperty(names.getSslKeystorePasswdProperty(), new String(password));
				config.setProperty(names.getSslKeystoreTypeProperty(), PKCS12);
			}
			SslOptions options = bundle.getOptions();
			if (options.getEnabledProtocols() != null) {
				config.setProperty(names.getSslEnabledProtocolsProperty(),
						String.join(",", options.getEnabledProtocols()));
			}
			if (options.getCiphers() != null) {
				config.setProperty(names.getSslCipherSuitesProperty(), String.join(",", options.getCiphers()));
			}
			return config;
		}
	}

	/**
	 * The configuration of a client that talks TLS with the bundle's stores.
	 * @return the configuration, for {@code CuratorFrameworkFactory.Builder.zkClientConfig}
	 */
	ZKClientConfig config() {
		return this.config;
	}

	/** Deletes the stores written for the client (call once the client is closed). */
	@Override
	public void close() {
		delete(this.directory);
	}

	private static SslBundle bundle(String property, String bundleName, SslBundles sslBundles) {
		if (sslBundles == null) {
			throw new ClusterConfigurationException(property, "no SSL bundles are configured",
					"Define the bundle under spring.ssl.bundle.pem." + bundleName + " or spring.ssl.bundle.jks."
							+ bundleName + ".");
		}
		SslBundle bundle;
		try {
			bundle = sslBundles.getBundle(bundleName);
		}
		catch (NoSuchSslBundleException ex) {
			throw new ClusterConfigurationException(property, "there is no SSL bundle named '" + bundleName + "'",
					"Define it under spring.ssl.bundle.pem." + bundleName + " or spring.ssl.bundle.jks." + bundleName
							+ ", or correct the name.");
		}
		if (bundle.getStores().getTrustStore() == null) {
			// ZooKeeper's client would fall back to the JDK's public certificate authorities
			throw new ClusterConfigurationException(property, "SSL bundle '" + bundleName
					+ "' has no trust store, so any certificate from a public certificate authority would be accepted "
					+ "as ZooKeeper", "Give the bundle a trust store that holds ZooKeeper's CA (spring.ssl.bundle.pem."
							+ bundleName + ".truststore.certificate or spring.ssl.bundle.jks." + bundleName
							+ ".truststore.*).");
		}
		return bundle;
	}

	private static KeyStore trustedCertificates(SslBundle bundle) throws IOException, GeneralSecurityException {
		KeyStore source = bundle.getStores().getTrustStore();
		KeyStore copy = emptyStore();
		for (String alias : Collections.list(source.aliases())) {
			// a trusted certificate, or a key entry's certificate (trusted too, as a trust manager on the
			// bundle would)
			if (source.getCertificate(alias) != null) {
				copy.setCertificateEntry(alias, source.getCertificate(alias));
			}
		}
		if (copy.size() == 0) {
			throw new GeneralSecurityException("its trust store holds no certificate");
		}
		return copy;
	}

	// ZooKeeper opens the key with the store's password, so each key is stored again under it
	private static KeyStore keys(SslBundle bundle, char[] password) throws IOException, GeneralSecurityException {
		KeyStore source = bundle.getStores().getKeyStore();
		SslBundleKey key = bundle.getKey();
		String chosen = (key != null) ? key.getAlias() : null;
		KeyStore copy = emptyStore();
		for (String alias : Collections.list(source.aliases())) {
			if (source.isKeyEntry(alias) && (chosen == null || chosen.equals(alias))) {
				copy.setKeyEntry(alias, privateKey(source, alias, bundle), password, source.getCertificateChain(alias));
			}
		}
		if (copy.size() == 0) {
			throw new GeneralSecurityException((chosen != null) ? "its key store has no key named '" + chosen + "'"
					: "its key store holds no key");
		}
		return copy;
	}

	private static Key privateKey(KeyStore store, String alias, SslBundle bundle) throws GeneralSecurityException {
		List<char[]> passwords = new ArrayList<>();
		SslBundleKey key = bundle.getKey();
		if (key != null && key.getPassword() != null) {
			passwords.add(key.getPassword().toCharArray());
		}
		if (bundle.getStores().getKeyStorePassword() != null) {
			passwords.add(bundle.getStores().getKeyStorePassword().toCharArray());
		}
		passwords.add(new char[0]);
		passwords.add(null);
		UnrecoverableKeyException last = null;
		for (char[] candidate : passwords) {
			try {
				Key found = store.getKey(alias, candidate);
				if (found != null) {
					return found;
				}
			}
			catch (UnrecoverableKeyException ex) {
				last = ex;
			}
		}
		throw new UnrecoverableKeyException("the key '" + alias + "' does not open with the bundle's passwords"
				+ ((last != null) ? " (" + last.getMessage() + ")" : ""));
	}

	private static KeyStore emptyStore() throws IOException, GeneralSecurityException {
		KeyStore store = KeyStore.getInstance(PKCS12);
		store.load(null, null);
		return store;
	}

	private static Path write(Path file, KeyStore store, char[] password) throws IOException, GeneralSecurityException {
		try (OutputStream out = Files.newOutputStream(file)) {
			store.store(out, password);
		}
		return file;
	}

	private static Path privateDirectory() throws IOException {
		if (FileSystems.getDefault().supportedFileAttributeViews().contains("posix")) {
			return Files.createTempDirectory("cluster-zookeeper-tls",
					PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
		}
		return Files.createTempDirectory("cluster-zookeeper-tls");
	}

	private static char[] randomPassword() {
		byte[] bytes = new byte[24];
		new SecureRandom().nextBytes(bytes);
		return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes).toCharArray();
	}

	private static void delete(Path directory) {
		if (directory != null) {
			try {
				FileSystemUtils.deleteRecursively(directory);
			}
			catch (IOException ex) {
				// a temporary directory of this process's user; the next boot's temp cleaning removes it
			}
		}
	}

}
