package dev.clustering.transport;

import java.time.Duration;
import java.util.Objects;

import io.netty.handler.ssl.SslContext;

/**
 * How the transport listens and connects.
 *
 * @param bindHost address to listen on; {@code null} to listen on the advertised host
 * @param maxFrameSize largest frame accepted, in bytes; larger ones close the connection
 * @param connectTimeout how long a TCP connect may take
 * @param handshakeTimeout how long a connection may take to authenticate before it is closed
 * @param reconnectInitialBackoff first delay before redialling an address that failed
 * @param reconnectMaxBackoff longest delay between redials
 * @param serverSsl TLS for accepted connections, or {@code null}
 * @param clientSsl TLS for dialled connections, or {@code null}
 */
public record TransportSettings(String bindHost, int maxFrameSize, Duration connectTimeout, Duration handshakeTimeout,
		Duration reconnectInitialBackoff, Duration reconnectMaxBackoff, SslContext serverSsl, SslContext clientSsl) {

	/** Defaults: 64 KiB frames, 2 s connect, 5 s handshake, redial from 100 ms up to 5 s, no TLS. */
	public static final TransportSettings DEFAULTS = new TransportSettings(null, 64 * 1024, Duration.ofSeconds(2),
			Duration.ofSeconds(5), Duration.ofMillis(100), Duration.ofSeconds(5), null, null);

	public TransportSettings {
		Objects.requireNonNull(connectTimeout, "connectTimeout");
		Objects.requireNonNull(handshakeTimeout, "handshakeTimeout");
		Objects.requireNonNull(reconnectInitialBackoff, "reconnectInitialBackoff");
		Objects.requireNonNull(reconnectMaxBackoff, "reconnectMaxBackoff");
		if (maxFrameSize < 256) {
			throw new IllegalArgumentException("maxFrameSize must be at least 256 bytes");
		}
		if ((serverSsl == null) != (clientSsl == null)) {
			throw new IllegalArgumentException("serverSsl and clientSsl go together");
		}
	}

	/**
	 * These settings with TLS.
	 * @param server context for accepted connections
	 * @param client context for dialled connections
	 * @return the settings
	 */
	public TransportSettings withSsl(SslContext server, SslContext client) {
		return new TransportSettings(this.bindHost, this.maxFrameSize, this.connectTimeout, this.handshakeTimeout,
				this.reconnectInitialBackoff, this.reconnectMaxBackoff, server, client);
	}

	/**
	 * Whether TLS is on.
	 * @return whether connections use TLS
	 */
	public boolean isSsl() {
		return this.serverSsl != null;
	}

}
