package dev.clustering.discovery.dns;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.SocketException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static dev.clustering.discovery.dns.FakeDnsResolver.ip;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * {@link DnsjavaResolver} against a real dnsmasq, and against sockets that answer garbage or
 * nothing.
 */
class DnsjavaResolverIntegrationTests {

	private static Dnsmasq dnsmasq;

	@BeforeAll
	static void startDnsmasq() throws Exception {
		List<String> hosts = new ArrayList<>(List.of("127.0.0.2 app.cluster.test", "127.0.0.3 app.cluster.test",
				"::1 app.cluster.test", "127.0.0.2 n1.node.consul", "::1 n1.node.consul"));
		// 150 A records do not fit in a 1280-byte UDP answer: dnsmasq truncates it
		IntStream.rangeClosed(1, 150).forEach((i) -> hosts.add("127.0.1." + i + " big.cluster.test"));
		dnsmasq = Dnsmasq.start(hosts, List.of("srv-host=likes.service.consul,n1.node.consul,9401,0,10",
				"srv-host=likes.service.consul,n1.node.consul,9402,0,10",
				"srv-host=likes.service.consul,n2.node.consul,9403,0,10"));
	}

	@AfterAll
	static void stopDnsmasq() {
		if (dnsmasq != null) {
			dnsmasq.close();
		}
	}

	@Test
	void readsAAndAaaaRecords() throws Exception {
		DnsjavaResolver resolver = dnsmasq.resolver();
		assertThat(resolver.addresses("app.cluster.test", RecordType.A)).containsExactlyInAnyOrder(ip("127.0.0.2"),
				ip("127.0.0.3"));
		assertThat(resolver.addresses("app.cluster.test", RecordType.AAAA)).containsExactly(ip("::1"));
	}

	@Test
	void truncatedAnswerIsReadCompletelyOverTcp() throws Exception {
		assertThat(dnsmasq.resolver().addresses("big.cluster.test", RecordType.A)).hasSize(150);
	}

	@Test
	void unknownNameIsEmpty() throws Exception {
		assertThat(dnsmasq.resolver().addresses("nobody.cluster.test", RecordType.A)).isEmpty();
		assertThat(dnsmasq.resolver().services("nobody.service.consul")).isEmpty();
	}

	@Test
	void refusedIsAFailure() {
		assertThatExceptionOfType(DnsLookupException.class)
			.isThrownBy(() -> dnsmasq.resolver().addresses("app.example.org", RecordType.A))
			.withMessageContaining("REFUSED");
	}

	@Test
	void srvRecordsComeWithTheirTargetsAddresses() throws Exception {
		List<ServiceRecord> records = dnsmasq.resolver().services("likes.service.consul");
		assertThat(records).extracting(ServiceRecord::port).containsExactlyInAnyOrder(9401, 9402, 9403);
		assertThat(records).filteredOn((r) -> r.target().equals("n1.node.consul"))
			.allSatisfy((r) -> assertThat(r.addresses()).containsExactlyInAnyOrder(ip("127.0.0.2"), ip("::1")));
		// n2 is unknown to dnsmasq: no additional records, and the strategy's own query finds nothing
		assertThat(records).filteredOn((r) -> r.target().equals("n2.node.consul"))
			.allSatisfy((r) -> assertThat(r.addresses()).isEmpty());
	}

	@Test
	void garbageIsAFailure() throws Exception {
		try (FakeServer server = new FakeServer(true)) {
			DnsjavaResolver resolver = new DnsjavaResolver(List.of(server.address()), Duration.ofMillis(500));
			assertThatExceptionOfType(DnsLookupException.class)
				.isThrownBy(() -> resolver.addresses("app.cluster.test", RecordType.A))
				.withMessageContaining("app.cluster.test/A failed");
		}
	}

	@Test
	void silentNameserverTimesOutAndTheNextOneIsAsked() throws Exception {
		try (FakeServer silent = new FakeServer(false)) {
			DnsjavaResolver alone = new DnsjavaResolver(List.of(silent.address()), Duration.ofMillis(300));
			assertThatExceptionOfType(DnsLookupException.class)
				.isThrownBy(() -> alone.addresses("app.cluster.test", RecordType.A))
				.withMessageContaining("imed out");
			DnsjavaResolver withFallback = new DnsjavaResolver(List.of(silent.address(), dnsmasq.address()),
					Duration.ofMillis(300));
			assertThat(withFallback.addresses("app.cluster.test", RecordType.A)).hasSize(2);
		}
	}

	/** A UDP socket that answers every datagram with junk, or never answers. */
	private static final class FakeServer implements AutoCloseable {

		private final DatagramSocket socket;

		FakeServer(boolean garbage) throws SocketException {
			this.socket = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0));
			Thread thread = new Thread(() -> {
				byte[] buffer = new byte[512];
				while (!this.socket.isClosed()) {
					try {
						DatagramPacket packet = new DatagramPacket(buffer, buffer.length);
						this.socket.receive(packet);
						if (garbage) {
							// the query's id, then bytes that are no DNS message
							byte[] junk = { buffer[0], buffer[1], (byte) 0x81, (byte) 0x80, 0, 1, 0, 1, 0, 0, 0, 0, 7,
									'g', 'a', 'r', 'b' };
							this.socket.send(new DatagramPacket(junk, junk.length, packet.getSocketAddress()));
						}
					}
					catch (IOException ex) {
						// closed
					}
				}
			}, "fake-dns");
			thread.setDaemon(true);
			thread.start();
		}

		InetSocketAddress address() {
			return new InetSocketAddress("127.0.0.1", this.socket.getLocalPort());
		}

		@Override
		public void close() {
			this.socket.close();
		}

	}

}
