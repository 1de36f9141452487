package dev.clustering.sample;

import java.io.OutputStream;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The sample jar as three separate processes on loopback, plus an intruder with the wrong
 * cookie: they form, survive garbage, notice a frozen node, a killed node and a graceful leave.
 */
class SampleClusterIT {

	private final List<NodeProcess> processes = new ArrayList<>();

	@AfterEach
	void stopAll() throws Exception {
		for (NodeProcess process : this.processes) {
			process.close();
		}
	}

	// distinct free ports: the sockets are held open together so none is handed out twice
	private static int[] freePorts(int count) throws Exception {
		List<ServerSocket> sockets = new ArrayList<>();
		try {
			for (int i = 0; i < count; i++) {
				sockets.add(new ServerSocket(0));
			}
			return sockets.stream().mapToInt(ServerSocket::getLocalPort).toArray();
		}
		finally {
			for (ServerSocket socket : sockets) {
				socket.close();
			}
		}
	}

	private NodeProcess start(String name, int httpPort, int clusterPort, String cookie, String hosts)
			throws Exception {
		NodeProcess process = NodeProcess.start(name, httpPort, clusterPort, cookie, hosts);
		this.processes.add(process);
		return process;
	}

	@Test
	void threeProcessesFormAClusterAndWatchEachOther() throws Exception {
		int[] ports = freePorts(8);
		String hosts = "127.0.0.1:" + ports[0] + ",127.0.0.1:" + ports[1] + ",127.0.0.1:" + ports[2] + ",127.0.0.1:"
				+ ports[3];
		NodeProcess abc = start("abc", ports[4], ports[0], "s3cret", hosts);
		NodeProcess bcd = start("bcd", ports[5], ports[1], "s3cret", hosts);
		NodeProcess def = start("def", ports[6], ports[2], "s3cret", hosts);
		NodeProcess evil = start("evil", ports[7], ports[3], "wrong-cookie", hosts);

		Map<String, String> allUp = Map.of("bcd@127.0.0.1", "UP", "def@127.0.0.1", "UP");
		await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(250)).untilAsserted(() -> {
			assertThat(abc.members()).isEqualTo(allUp);
			assertThat(bcd.members()).containsOnlyKeys("abc@127.0.0.1", "def@127.0.0.1");
			assertThat(def.members()).containsOnlyKeys("abc@127.0.0.1", "bcd@127.0.0.1");
			assertThat(evil.members()).isEmpty();
		});
		assertThat(abc.logText()).contains("JOINED bcd@127.0.0.1").contains("JOINED def@127.0.0.1")
			.doesNotContain("JOINED evil").doesNotContain("wrong-cookie").doesNotContain("s3cret");

		// random bytes on the cluster port leave the node healthy and its members in place
		Random random = new Random(3);
		for (int i = 0; i < 10; i++) {
			try (Socket socket = new Socket("127.0.0.1", ports[0])) {
				byte[] garbage = new byte[64 + random.nextInt(2048)];
				random.nextBytes(garbage);
				OutputStream out = socket.getOutputStream();
				out.write(garbage);
				out.flush();
			}
		}
		await().during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(10))
			.untilAsserted(() -> assertThat(abc.members()).isEqualTo(allUp));
		assertThat(abc.isAlive()).isTrue();

		// a frozen process (SIGSTOP) is unreachable, and rejoins when it thaws
		bcd.signal("STOP");
		await().atMost(Duration.ofSeconds(20))
			.untilAsserted(() -> assertThat(abc.members()).containsEntry("bcd@127.0.0.1", "UNREACHABLE"));
		bcd.signal("CONT");
		await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertThat(abc.members()).isEqualTo(allUp));
		assertThat(abc.logText()).contains("LEFT bcd@127.0.0.1 reason=UNREACHABLE");

		// a killed process (SIGKILL) is gone at once
		long killed = System.nanoTime();
		def.kill();
		await().atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(20))
			.untilAsserted(() -> assertThat(abc.members()).doesNotContainKey("def@127.0.0.1"));
		System.out.printf("killed node left abc's members after %d ms%n", (System.nanoTime() - killed) / 1_000_000);
		assertThat(abc.logText()).contains("LEFT def@127.0.0.1 reason=CONNECTION_LOST");

		// a graceful stop (SIGTERM) is a leave
		bcd.stopGracefully();
		await().atMost(Duration.ofSeconds(10))
			.untilAsserted(() -> assertThat(abc.logText()).contains("LEFT bcd@127.0.0.1 reason=LEFT"));
		assertThat(abc.members()).isEmpty();
	}

}
