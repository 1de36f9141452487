package dev.clustering.autoconfigure;

/**
 * TLS for the connection to a registry ({@code cluster.topologies.<name>.<strategy>.ssl.*} of
 * {@code etcd} and {@code zookeeper}).
 */
public class RegistrySslProperties {

	/**
	 * Name of the SSL bundle (spring.ssl.bundle.*) that secures the connection to the registry
	 * with TLS; its trust store checks the registry, its key store (if any) identifies this node.
	 */
	private String bundle;

	public String getBundle() {
		return this.bundle;
	}

	public void setBundle(String bundle) {
		this.bundle = bundle;
	}

}
