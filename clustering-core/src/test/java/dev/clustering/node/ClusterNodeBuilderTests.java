package dev.clustering.node;

import java.io.IOException;
import java.net.ServerSocket;
import java.time.Duration;

import org.junit.jupiter.api.Test;

import dev.clustering.discovery.none.NoneStrategy;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A node's builder, on real nodes that need no peers (the multi-node tests are in the test kit's
 * module, on its loopback cluster).
 */
class ClusterNodeBuilderTests {

	@Test
	void aNodeKeepsTheSettingsItWasBuiltWithAndOneBuilderMayBuildSeveral() throws IOException {
		int[] ports = freePorts();
		ClusterNodeBuilder builder = ClusterNode.builder()
			.name("abc")
			.host("127.0.0.1")
			.port(ports[0])
			.cookie("s3cret".toCharArray())
			.topology("local", "none", new NoneStrategy(), Duration.ofMillis(500));
		ClusterNode first = builder.build();
		builder.name("bcd").port(ports[1]);
		ClusterNode second = builder.build();
		try {
			first.start();
			second.start();
			assertThat(first.self().name()).isEqualTo("abc@127.0.0.1");
			assertThat(first.self().address().port()).isEqualTo(ports[0]);
			assertThat(second.self().name()).isEqualTo("bcd@127.0.0.1");
			assertThat(second.self().address().port()).isEqualTo(ports[1]);
		}
		finally {
			first.close();
			second.close();
		}
	}

	// two distinct free ports: both probe sockets are open together
	private static int[] freePorts() throws IOException {
		try (ServerSocket one = new ServerSocket(0); ServerSocket two = new ServerSocket(0)) {
			return new int[] { one.getLocalPort(), two.getLocalPort() };
		}
	}

}
