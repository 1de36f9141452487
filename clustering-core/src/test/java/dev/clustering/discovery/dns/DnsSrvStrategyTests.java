package dev.clustering.discovery.dns;

import org.junit.jupiter.api.Test;

import dev.clustering.discovery.DiscoveryContext;
import dev.clustering.membership.NodeAddress;

import static dev.clustering.discovery.dns.FakeDnsResolver.record;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

/**
 * The {@code dns-srv} strategy against an in-memory zone.
 */
class DnsSrvStrategyTests {

	private static final String SERVICE = "likes-service-dist.service.consul";

	private final FakeDnsResolver dns = new FakeDnsResolver();

	private final DiscoveryContext context = DnsStrategyTests.context("likes-9401@10.0.0.100");

	@Test
	void everyTargetAndPortIsProposedWithTheAdditionalSectionsAddresses() throws Exception {
		this.dns.srv(SERVICE, record("likes-1.node.consul", 9401, "10.0.0.1"),
				record("likes-1.node.consul", 9402, "10.0.0.1"), record("likes-2.node.consul", 9401, "fd00::2"));
		assertThat(new DnsSrvStrategy(this.dns, SERVICE, null, 2).poll(this.context)).containsExactlyInAnyOrder(
				NodeAddress.parse("10.0.0.1:9401"), NodeAddress.parse("10.0.0.1:9402"),
				NodeAddress.parse("[fd00::2]:9401"));
		assertThat(this.dns.queries).containsExactly(SERVICE + "/SRV");
	}

	@Test
	void targetsWithoutAdditionalAddressesAreResolvedOnce() throws Exception {
		this.dns.srv(SERVICE, record("likes-1.node.consul", 9401), record("likes-1.node.consul", 9402))
			.set("likes-1.node.consul", RecordType.A, "10.0.0.1")
			.set("likes-1.node.consul", RecordType.AAAA, "fd00::1");
		assertThat(new DnsSrvStrategy(this.dns, SERVICE, null, 2).poll(this.context)).containsExactlyInAnyOrder(
				NodeAddress.parse("10.0.0.1:9401"), NodeAddress.parse("10.0.0.1:9402"),
				NodeAddress.parse("[fd00::1]:9401"), NodeAddress.parse("[fd00::1]:9402"));
		assertThat(this.dns.queries).containsExactly(SERVICE + "/SRV", "likes-1.node.consul/A",
				"likes-1.node.consul/AAAA");
	}

	@Test
	void targetThatDoesNotResolveAddsNothing() throws Exception {
		this.dns.srv(SERVICE, record("gone.node.consul", 9401), record("likes-2.node.consul", 9401, "10.0.0.2"));
		assertThat(new DnsSrvStrategy(this.dns, SERVICE, null, 1).poll(this.context))
			.containsExactly(NodeAddress.parse("10.0.0.2:9401"));
	}

	@Test
	void failedLookupThrows() {
		this.dns.failWith("timed out");
		assertThatExceptionOfType(DnsLookupException.class)
			.isThrownBy(() -> new DnsSrvStrategy(this.dns, SERVICE, null, 2).poll(this.context))
			.withMessageContaining("timed out");
	}

	@Test
	void recordMissingFromPruneAfterAnswersInARowIsDropped() throws Exception {
		DnsSrvStrategy strategy = new DnsSrvStrategy(this.dns, SERVICE, null, 3);
		this.dns.srv(SERVICE, record("a", 9401, "10.0.0.1"), record("a", 9402, "10.0.0.1"));
		strategy.poll(this.context);
		this.dns.srv(SERVICE, record("a", 9401, "10.0.0.1"));
		assertThat(strategy.poll(this.context)).hasSize(2);
		assertThat(strategy.poll(this.context)).hasSize(2);
		assertThat(strategy.poll(this.context)).containsExactly(NodeAddress.parse("10.0.0.1:9401"));
	}

	@Test
	void basenameMatchesWithOrWithoutAPortSuffix() {
		DnsSrvStrategy strategy = new DnsSrvStrategy(this.dns, SERVICE, "likes", 2);
		assertThat(strategy.admits(this.context, "likes@10.0.0.2")).isTrue();
		assertThat(strategy.admits(this.context, "likes-9402@10.0.0.2")).isTrue();
		assertThat(strategy.admits(this.context, "likes-@10.0.0.2")).isFalse();
		assertThat(strategy.admits(this.context, "likes-x@10.0.0.2")).isFalse();
		assertThat(strategy.admits(this.context, "likesx@10.0.0.2")).isFalse();
		assertThat(strategy.admits(this.context, "profile-9401@10.0.0.2")).isFalse();
	}

	@Test
	void withoutBasenameTheSrvNameAloneScopesTheTopology() {
		DnsSrvStrategy strategy = new DnsSrvStrategy(this.dns, SERVICE, null, 2);
		assertThat(strategy.admits(this.context, "anything@10.0.0.2")).isTrue();
	}

	@Test
	void serviceIsRequired() {
		assertThatIllegalArgumentException().isThrownBy(() -> new DnsSrvStrategy(this.dns, " ", null, 2));
	}

}
