package dev.clustering.discovery.zookeeper;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;

import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.retry.ExponentialBackoffRetry;
import org.apache.curator.test.InstanceSpec;
import org.apache.curator.test.TestingServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

import dev.clustering.discovery.FreezableProxy;

/**
 * One real ZooKeeper server per test class (Curator's {@link TestingServer}, in process, with a
 * 200 ms tick, so sessions of 0.4 to 4 s are allowed), and clients for the nodes under test, each
 * through a proxy that can freeze it or cut it off as a dead process.
 */
abstract class SharedZooKeeper {

	static final int SESSION_MS = 2000;

	static TestingServer server;

	@BeforeAll
	static void startServer() throws Exception {
		server = new TestingServer(new InstanceSpec(null, -1, -1, -1, true, -1, 200, -1), true);
	}

	@AfterAll
	static void stopServer() throws IOException {
		server.close();
	}

	/**
	 * A started client with the test session timeout, through its own proxy.
	 * @param proxy the proxy it connects through
	 * @param sessionMs the session timeout asked for
	 * @return the client
	 */
	static CuratorFramework client(FreezableProxy proxy, int sessionMs) {
		CuratorFramework client = CuratorFrameworkFactory.builder()
			.connectString(proxy.connectString())
			.sessionTimeoutMs(sessionMs)
			.connectionTimeoutMs(1000)
			.retryPolicy(new ExponentialBackoffRetry(50, 29, 500))
			.build();
		client.start();
		return client;
	}

	static FreezableProxy proxy() throws IOException {
		return new FreezableProxy(new InetSocketAddress("127.0.0.1", server.getPort()));
	}

	static ZooKeeperStrategy strategy(CuratorFramework client, ZooKeeperSettings settings, int sessionMs) {
		return new ZooKeeperStrategy(client, settings, Duration.ofMillis(sessionMs / 5));
	}

	/**
	 * A process dies: its connections are reset and nothing more reaches ZooKeeper (its session stays
	 * until it expires); its client, which cannot end the session any more, gives up on the side.
	 * @param proxy the proxy of its client
	 * @param client its client
	 */
	static void cutOff(FreezableProxy proxy, CuratorFramework client) {
		try {
			proxy.close();
		}
		catch (IOException ex) {
			throw new IllegalStateException(ex);
		}
		Thread closing = new Thread(client::close, "crashed-client");
		closing.setDaemon(true);
		closing.start();
	}

}
