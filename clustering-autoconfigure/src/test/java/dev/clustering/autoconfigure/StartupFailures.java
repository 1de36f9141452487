package dev.clustering.autoconfigure;

import java.io.IOException;
import java.net.ServerSocket;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What the auto-configuration tests read from a failed start-up, and a port nothing listens on.
 */
final class StartupFailures {

	private StartupFailures() {
	}

	/**
	 * The {@link ClusterConfigurationException} that failed a start-up, wherever it is in the causes.
	 * @param failure the start-up failure
	 * @return the exception (the test fails if there is none)
	 */
	static ClusterConfigurationException rootCause(Throwable failure) {
		Throwable cause = failure;
		while (cause != null && !(cause instanceof ClusterConfigurationException)) {
			cause = cause.getCause();
		}
		assertThat(cause).as("a ClusterConfigurationException in %s", failure).isNotNull();
		return (ClusterConfigurationException) cause;
	}

	/**
	 * A loopback port that was free a moment ago (for "the server is down").
	 * @return the port
	 */
	static int unusedPort() {
		try (ServerSocket socket = new ServerSocket(0)) {
			return socket.getLocalPort();
		}
		catch (IOException ex) {
			throw new IllegalStateException(ex);
		}
	}

}
