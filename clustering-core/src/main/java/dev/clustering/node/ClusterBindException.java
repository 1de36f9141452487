package dev.clustering.node;

/**
 * The transport could not listen: the port is taken, or the host is not an address of this machine.
 */
public class ClusterBindException extends IllegalStateException {

	private final String host;

	private final int port;

	/**
	 * Creates the exception.
	 * @param host the host the node tried to listen on
	 * @param port the port
	 * @param cause what the operating system said
	 */
	public ClusterBindException(String host, int port, Throwable cause) {
		super("Cluster transport cannot listen on " + host + ":" + port + ": " + cause.getMessage(), cause);
		this.host = host;
		this.port = port;
	}

	/**
	 * The host the node tried to listen on.
	 * @return the host
	 */
	public String getHost() {
		return this.host;
	}

	/**
	 * The port the node tried to listen on.
	 * @return the port
	 */
	public int getPort() {
		return this.port;
	}

}
