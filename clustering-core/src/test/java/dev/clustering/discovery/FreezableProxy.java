package dev.clustering.discovery;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A TCP proxy on loopback between one registry client (ZooKeeper, Consul) and the server, so a test
 * can freeze that client as a stopped process would be frozen (the bytes wait, nothing flows either way, the
 * connections stay open) without freezing the test's JVM. The seam for "frozen", where a real
 * SIGSTOP would stop the test itself.
 */
public final class FreezableProxy implements AutoCloseable {

	private final ServerSocket server;

	private final InetSocketAddress target;

	private final List<Socket> sockets = new CopyOnWriteArrayList<>();

	private final Object gate = new Object();

	private volatile boolean frozen;

	private volatile boolean closed;

	/**
	 * Starts a proxy to a server.
	 * @param target the server
	 * @throws IOException if it cannot listen
	 */
	public FreezableProxy(InetSocketAddress target) throws IOException {
		this.target = target;
		this.server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
		Thread acceptor = new Thread(this::accept, "freezable-proxy-accept");
		acceptor.setDaemon(true);
		acceptor.start();
	}

	/**
	 * The connect string that goes through this proxy.
	 * @return {@code 127.0.0.1:port}
	 */
	public String connectString() {
		return "127.0.0.1:" + this.server.getLocalPort();
	}

	/** Holds every byte, both ways, until {@link #thaw()}; new connections wait too. */
	public void freeze() {
		this.frozen = true;
	}

	/** Lets the bytes flow again. */
	public void thaw() {
		synchronized (this.gate) {
			this.frozen = false;
			this.gate.notifyAll();
		}
	}

	private void accept() {
		while (!this.closed) {
			try {
				Socket client = this.server.accept();
				// a frozen process dials nobody: a reconnection waits for the thaw
				awaitThawed();
				Socket upstream = new Socket(this.target.getAddress(), this.target.getPort());
				this.sockets.add(client);
				this.sockets.add(upstream);
				pump(client, upstream);
				pump(upstream, client);
			}
			catch (IOException ex) {
				// closed, or the server is down: the client retries
			}
			catch (InterruptedException ex) {
				return;
			}
		}
	}

	private void pump(Socket from, Socket to) {
		Thread thread = new Thread(() -> {
			byte[] buffer = new byte[16 * 1024];
			try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
				int read;
				while ((read = in.read(buffer)) >= 0) {
					awaitThawed();
					out.write(buffer, 0, read);
					out.flush();
				}
			}
			catch (IOException | InterruptedException ex) {
				// either side closed
			}
			finally {
				closeQuietly(from);
				closeQuietly(to);
			}
		}, "freezable-proxy-pump");
		thread.setDaemon(true);
		thread.start();
	}

	private void awaitThawed() throws InterruptedException {
		synchronized (this.gate) {
			while (this.frozen && !this.closed) {
				this.gate.wait(50);
			}
		}
	}

	private static void closeQuietly(Socket socket) {
		try {
			socket.close();
		}
		catch (IOException ex) {
			// closing anyway
		}
	}

	@Override
	public void close() throws IOException {
		this.closed = true;
		thaw();
		this.server.close();
		this.sockets.forEach(FreezableProxy::closeQuietly);
	}

}
