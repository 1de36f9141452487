package dev.clustering.discovery.dns;

import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import dev.clustering.membership.NodeAddress;
import dev.clustering.node.ClusterNode;

import static dev.clustering.discovery.dns.DnsTestNodes.context;
import static dev.clustering.discovery.dns.DnsTestNodes.discovered;
import static dev.clustering.discovery.dns.DnsTestNodes.names;
import static dev.clustering.discovery.dns.DnsTestNodes.status;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Nodes that find each other through the {@code dns-srv} strategy and a real dnsmasq serving SRV
 * records as Consul DNS does: two of the three nodes share one address on different ports.
 */
class DnsSrvStrategyIntegrationTests {

	private static final String SERVICE = "likes-service-dist.service.consul";

	private static final int[] PORTS = { DnsTestNodes.freePort(), DnsTestNodes.freePort(), DnsTestNodes.freePort() };

	private static Dnsmasq dnsmasq;

	private final DnsTestNodes nodes = new DnsTestNodes();

	@BeforeAll
	static void startDnsmasq() throws Exception {
		dnsmasq = Dnsmasq.start(List.of("127.0.0.2 likes-1.node.consul", "127.0.0.3 likes-2.node.consul"),
				List.of("srv-host=" + SERVICE + ",likes-1.node.consul," + PORTS[0] + ",0,10",
						"srv-host=" + SERVICE + ",likes-1.node.consul," + PORTS[1] + ",0,10",
						"srv-host=" + SERVICE + ",likes-2.node.consul," + PORTS[2] + ",0,10"));
	}

	@AfterAll
	static void stopDnsmasq() {
		if (dnsmasq != null) {
			dnsmasq.close();
		}
	}

	@AfterEach
	void stopNodes() {
		this.nodes.close();
	}

	private ClusterNode node(String host, int port, String basename) {
		return this.nodes.start("likes-" + port, host, port, DnsSrvStrategy.NAME,
				new DnsSrvStrategy(dnsmasq.resolver(), SERVICE, basename, 2), Duration.ofMillis(250));
	}

	@Test
	void threeNodesTwoOnOneAddressFormThroughSrvRecords() {
		ClusterNode one = node("127.0.0.2", PORTS[0], "likes");
		ClusterNode two = node("127.0.0.2", PORTS[1], "likes");
		ClusterNode three = node("127.0.0.3", PORTS[2], "likes");
		String oneName = "likes-" + PORTS[0] + "@127.0.0.2";
		String twoName = "likes-" + PORTS[1] + "@127.0.0.2";
		String threeName = "likes-" + PORTS[2] + "@127.0.0.3";
		await().atMost(Duration.ofSeconds(15)).untilAsserted(() -> {
			assertThat(names(one)).containsExactlyInAnyOrder(twoName, threeName);
			assertThat(names(two)).containsExactlyInAnyOrder(oneName, threeName);
			assertThat(names(three)).containsExactlyInAnyOrder(oneName, twoName);
		});
		assertThat(discovered(one)).containsExactly(new NodeAddress("127.0.0.2", PORTS[1]),
				new NodeAddress("127.0.0.3", PORTS[2]));
		assertThat(status(three).lastError()).isNull();
		DnsSrvStrategy strategy = new DnsSrvStrategy(dnsmasq.resolver(), SERVICE, "likes", 2);
		assertThat(one.members()).allSatisfy((m) -> assertThat(strategy.admits(context(one), m.name())).isTrue());
		assertThat(strategy.admits(context(one), "profile-" + PORTS[2] + "@127.0.0.3")).isFalse();
	}

	@Test
	void withoutBasenameTheSrvNameScopesTheTopology() throws Exception {
		ClusterNode one = node("127.0.0.2", PORTS[0], null);
		ClusterNode three = node("127.0.0.3", PORTS[2], null);
		await().atMost(Duration.ofSeconds(15))
			.untilAsserted(() -> assertThat(names(one)).containsExactly("likes-" + PORTS[2] + "@127.0.0.3"));
		// the record for the port nobody listens on stays proposed; dialling it just fails
		assertThat(discovered(one)).contains(new NodeAddress("127.0.0.2", PORTS[1]));
		DnsSrvStrategy strategy = new DnsSrvStrategy(dnsmasq.resolver(), SERVICE, null, 2);
		assertThat(strategy.admits(context(three), "anything@127.0.0.9")).isTrue();
		assertThat(strategy.poll(context(three))).containsExactlyInAnyOrder(new NodeAddress("127.0.0.2", PORTS[0]),
				new NodeAddress("127.0.0.2", PORTS[1]));
	}

}
