package dev.clustering.discovery.dns;

import java.net.InetAddress;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import dev.clustering.discovery.TopologyStatus;
import dev.clustering.discovery.none.NoneStrategy;
import dev.clustering.membership.NodeAddress;
import dev.clustering.node.ClusterNode;

import static dev.clustering.discovery.dns.DnsTestNodes.context;
import static dev.clustering.discovery.dns.DnsTestNodes.discovered;
import static dev.clustering.discovery.dns.DnsTestNodes.names;
import static dev.clustering.discovery.dns.DnsTestNodes.status;
import static dev.clustering.discovery.dns.FakeDnsResolver.ip;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Nodes that find each other through the {@code dns} strategy and a real dnsmasq whose records
 * change during the test.
 */
class DnsStrategyIntegrationTests {

	private static final Duration POLL = Duration.ofMillis(250);

	private static final Duration BOUND = Duration.ofSeconds(15);

	private static Dnsmasq dnsmasq;

	private final DnsTestNodes nodes = new DnsTestNodes();

	private final int port = DnsTestNodes.freePort();

	@BeforeAll
	static void startDnsmasq() throws Exception {
		dnsmasq = Dnsmasq.start(List.of(), List.of());
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

	private DnsStrategy strategy(String query) {
		return strategy(dnsmasq, query, null);
	}

	private DnsStrategy strategy(Dnsmasq server, String query, String basename) {
		return new DnsStrategy(server.resolver(), query, List.of(RecordType.A, RecordType.AAAA), this.port, basename,
				2);
	}

	private ClusterNode node(String name, String host, DnsStrategy strategy, Duration pollInterval) {
		return this.nodes.start(name, host, this.port, DnsStrategy.NAME, strategy, pollInterval);
	}

	private NodeAddress at(String host) {
		return new NodeAddress(host, this.port);
	}

	private static void records(Dnsmasq server, String name, String... ips) throws Exception {
		server.hosts(Arrays.stream(ips).map((ip) -> ip + " " + name).toList());
		List<InetAddress> expected = Arrays.stream(ips)
			.filter((ip) -> ip.indexOf(':') < 0)
			.map(FakeDnsResolver::ip)
			.toList();
		await().atMost(BOUND).untilAsserted(() -> assertThat(server.resolver().addresses(name, RecordType.A))
			.containsExactlyInAnyOrderElementsOf(expected));
	}

	@Test
	void threeNodesFormThroughDns() throws Exception {
		records(dnsmasq, "form.cluster.test", "127.0.0.2", "127.0.0.3", "127.0.0.4");
		ClusterNode one = node("app", "127.0.0.2", strategy("form.cluster.test"), POLL);
		ClusterNode two = node("app", "127.0.0.3", strategy("form.cluster.test"), POLL);
		ClusterNode three = node("app", "127.0.0.4", strategy("form.cluster.test"), POLL);
		await().atMost(BOUND).untilAsserted(() -> {
			assertThat(names(one)).containsExactly("app@127.0.0.3", "app@127.0.0.4");
			assertThat(names(two)).containsExactly("app@127.0.0.2", "app@127.0.0.4");
			assertThat(names(three)).containsExactly("app@127.0.0.2", "app@127.0.0.3");
		});
		assertThat(discovered(one)).containsExactly(at("127.0.0.3"), at("127.0.0.4"));
		assertThat(one.members()).allSatisfy((m) -> assertThat(m.topologies()).containsExactly("dns"));
		assertThat(status(one).hasRun()).isTrue();
		assertThat(status(one).lastError()).isNull();
	}

	@Test
	void ipv6AddressesWorkEndToEnd() throws Exception {
		records(dnsmasq, "v6.cluster.test", "127.0.0.2", "::1");
		await().atMost(BOUND)
			.untilAsserted(() -> assertThat(dnsmasq.resolver().addresses("v6.cluster.test", RecordType.AAAA))
				.containsExactly(ip("::1")));
		ClusterNode v4 = node("app", "127.0.0.2", strategy("v6.cluster.test"), POLL);
		ClusterNode v6 = node("app", "::1", strategy("v6.cluster.test"), POLL);
		await().atMost(BOUND).untilAsserted(() -> {
			assertThat(names(v4)).containsExactly("app@[::1]");
			assertThat(names(v6)).containsExactly("app@127.0.0.2");
		});
		assertThat(discovered(v4)).containsExactly(at("::1"));
		assertThat(discovered(v4).get(0)).hasToString("[::1]:" + this.port);
		assertThat(v4.members().get(0).address()).isEqualTo(at("::1"));
	}

	@Test
	void removedRecordLeavesDiscoveredAfterPruneAfterPollsButNotTheMembersAndIsNotRedialled() throws Exception {
		records(dnsmasq, "prune.cluster.test", "127.0.0.2", "127.0.0.3", "127.0.0.4");
		// polled by hand only (after the first poll at start), to count polls exactly
		ClusterNode one = node("app", "127.0.0.2", strategy("prune.cluster.test"), Duration.ofHours(1));
		ClusterNode two = node("app", "127.0.0.3", strategy("prune.cluster.test"), POLL);
		ClusterNode three = node("app", "127.0.0.4", strategy("prune.cluster.test"), POLL);
		await().atMost(BOUND).untilAsserted(() -> {
			assertThat(names(one)).containsExactly("app@127.0.0.3", "app@127.0.0.4");
			assertThat(names(two)).containsExactly("app@127.0.0.2", "app@127.0.0.4");
		});
		records(dnsmasq, "prune.cluster.test", "127.0.0.2", "127.0.0.3");
		long rounds = status(one).rounds();
		one.discoverNow();
		await().atMost(BOUND).until(() -> status(one).rounds() == rounds + 1);
		assertThat(status(one).lastError()).isNull();
		assertThat(discovered(one)).as("after one miss").containsExactly(at("127.0.0.3"), at("127.0.0.4"));
		one.discoverNow();
		await().atMost(BOUND).until(() -> status(one).rounds() == rounds + 2);
		assertThat(discovered(one)).as("after two misses in a row").containsExactly(at("127.0.0.3"));
		await().atMost(BOUND).until(() -> discovered(two).equals(List.of(at("127.0.0.2"))));
		// DNS proposes whom to contact; it does not decide who is alive
		await().during(Duration.ofSeconds(1)).atMost(BOUND).untilAsserted(() -> {
			assertThat(names(one)).containsExactly("app@127.0.0.3", "app@127.0.0.4");
			assertThat(names(two)).containsExactly("app@127.0.0.2", "app@127.0.0.4");
		});
		three.halt();
		await().atMost(BOUND).untilAsserted(() -> {
			assertThat(names(one)).containsExactly("app@127.0.0.3");
			assertThat(names(two)).containsExactly("app@127.0.0.2");
		});
		// a node at the pruned address that discovers nothing itself: nobody dials it any more
		ClusterNode back = this.nodes.start("app", "127.0.0.4", this.port, NoneStrategy.NAME, new NoneStrategy(),
				POLL);
		await().during(Duration.ofSeconds(2)).atMost(BOUND).untilAsserted(() -> {
			assertThat(names(back)).isEmpty();
			assertThat(names(one)).containsExactly("app@127.0.0.3");
			assertThat(names(two)).containsExactly("app@127.0.0.2");
		});
	}

	@Test
	void addedRecordMakesANewNodeJoin() throws Exception {
		records(dnsmasq, "grow.cluster.test", "127.0.0.2", "127.0.0.3");
		ClusterNode one = node("app", "127.0.0.2", strategy("grow.cluster.test"), POLL);
		ClusterNode two = node("app", "127.0.0.3", strategy("grow.cluster.test"), POLL);
		await().atMost(BOUND).until(() -> names(one).size() == 1 && names(two).size() == 1);
		// the newcomer discovers nothing itself: only the new record can bring it in
		ClusterNode newcomer = this.nodes.start("app", "127.0.0.4", this.port, NoneStrategy.NAME, new NoneStrategy(),
				POLL);
		await().during(Duration.ofSeconds(1)).atMost(BOUND).until(() -> names(newcomer).isEmpty());
		records(dnsmasq, "grow.cluster.test", "127.0.0.2", "127.0.0.3", "127.0.0.4");
		await().atMost(BOUND).untilAsserted(() -> {
			assertThat(names(newcomer)).containsExactly("app@127.0.0.2", "app@127.0.0.3");
			assertThat(names(one)).containsExactly("app@127.0.0.3", "app@127.0.0.4");
			assertThat(names(two)).containsExactly("app@127.0.0.2", "app@127.0.0.4");
		});
		assertThat(discovered(one)).containsExactly(at("127.0.0.3"), at("127.0.0.4"));
	}

	@Test
	void stoppedDnsServerLeavesMembersAndDiscoveredAndShowsTheError() throws Exception {
		try (Dnsmasq own = Dnsmasq.start(List.of("127.0.0.2 down.cluster.test", "127.0.0.3 down.cluster.test",
				"127.0.0.4 down.cluster.test"), List.of())) {
			List<ClusterNode> all = List.of(node("app", "127.0.0.2", strategy(own, "down.cluster.test", null), POLL),
					node("app", "127.0.0.3", strategy(own, "down.cluster.test", null), POLL),
					node("app", "127.0.0.4", strategy(own, "down.cluster.test", null), POLL));
			await().atMost(BOUND).until(() -> all.stream().allMatch((n) -> names(n).size() == 2
					&& discovered(n).size() == 2 && status(n).lastError() == null));
			List<List<String>> members = all.stream().map(DnsTestNodes::names).toList();
			List<List<NodeAddress>> found = all.stream().map(DnsTestNodes::discovered).toList();
			own.stop();
			await().atMost(BOUND).until(() -> all.stream().allMatch((n) -> status(n).lastError() != null));
			// several failed polls later, nothing has shrunk
			long errors = status(all.get(0)).errors();
			await().atMost(BOUND).until(() -> status(all.get(0)).errors() >= errors + 3);
			for (ClusterNode node : all) {
				TopologyStatus status = status(node);
				assertThat(status.lastError().message()).contains("DnsLookupException", "down.cluster.test");
				assertThat(status.hasRun()).isTrue();
			}
			assertThat(all.stream().map(DnsTestNodes::names).toList()).isEqualTo(members);
			assertThat(all.stream().map(DnsTestNodes::discovered).toList()).isEqualTo(found);
		}
	}

	@Test
	void nodeWithAnotherBasenameIsNotJoined() throws Exception {
		records(dnsmasq, "names.cluster.test", "127.0.0.2", "127.0.0.3", "127.0.0.4");
		DnsStrategy appStrategy = strategy("names.cluster.test");
		DnsStrategy otherStrategy = strategy("names.cluster.test");
		ClusterNode app = node("app", "127.0.0.2", appStrategy, POLL);
		ClusterNode peer = node("app", "127.0.0.3", strategy("names.cluster.test"), POLL);
		ClusterNode other = node("other", "127.0.0.4", otherStrategy, POLL);
		await().atMost(BOUND).until(() -> names(app).contains("app@127.0.0.3"));
		// DNS lists every address; which of the nodes found there belong is decided by name
		assertThat(discovered(app)).containsExactly(at("127.0.0.3"), at("127.0.0.4"));
		assertThat(appStrategy.admits(context(app), peer.self().name())).isTrue();
		assertThat(appStrategy.admits(context(app), other.self().name())).isFalse();
		assertThat(otherStrategy.admits(context(other), app.self().name())).isFalse();
		assertThat(otherStrategy.admits(context(other), "other@127.0.0.9")).isTrue();
		// and the engine acts on it: the node with the other basename is a member on neither side
		await().during(Duration.ofSeconds(1)).atMost(BOUND).untilAsserted(() -> {
			assertThat(names(app)).containsExactly("app@127.0.0.3");
			assertThat(names(peer)).containsExactly("app@127.0.0.2");
			assertThat(names(other)).isEmpty();
		});
	}

}
