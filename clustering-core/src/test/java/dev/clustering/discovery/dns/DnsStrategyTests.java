package dev.clustering.discovery.dns;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import dev.clustering.discovery.DiscoveryContext;
import dev.clustering.membership.LocalNode;
import dev.clustering.membership.NodeAddress;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

/**
 * The {@code dns} strategy against an in-memory zone.
 */
class DnsStrategyTests {

	private static final String QUERY = "app.cluster.test";

	private final FakeDnsResolver dns = new FakeDnsResolver();

	private final DiscoveryContext context = context("app@10.0.0.100");

	static DiscoveryContext context(String selfName) {
		String host = selfName.substring(selfName.indexOf('@') + 1);
		return new DiscoveryContext("k8s", new LocalNode(selfName, new NodeAddress(host, 9401), 1L, Map.of()),
				Duration.ofSeconds(5));
	}

	private DnsStrategy strategy(int pruneAfter, RecordType... types) {
		return new DnsStrategy(this.dns, QUERY, List.of(types), 9401, null, pruneAfter);
	}

	@Test
	void everyAAndAaaaAddressIsProposedOnThePort() throws Exception {
		this.dns.set(QUERY, RecordType.A, "10.0.0.1", "10.0.0.2").set(QUERY, RecordType.AAAA, "fd00:0:0:0:0:0:0:3");
		assertThat(strategy(2, RecordType.A, RecordType.AAAA).poll(this.context)).containsExactlyInAnyOrder(
				NodeAddress.parse("10.0.0.1:9401"), NodeAddress.parse("10.0.0.2:9401"),
				NodeAddress.parse("[fd00::3]:9401"));
		assertThat(NodeAddress.parse("[fd00::3]:9401")).hasToString("[fd00::3]:9401");
	}

	@Test
	void thisNodesOwnAddressIsLeftOut() throws Exception {
		this.dns.set(QUERY, RecordType.A, "10.0.0.1", "10.0.0.100");
		assertThat(strategy(2, RecordType.A).poll(this.context)).containsExactly(NodeAddress.parse("10.0.0.1:9401"));
	}

	@Test
	void onlyTheConfiguredRecordTypesAreAskedFor() throws Exception {
		this.dns.set(QUERY, RecordType.A, "10.0.0.1").set(QUERY, RecordType.AAAA, "fd00::3");
		assertThat(strategy(2, RecordType.AAAA).poll(this.context))
			.containsExactly(NodeAddress.parse("[fd00::3]:9401"));
		assertThat(this.dns.queries).containsExactly(QUERY + "/AAAA");
	}

	@Test
	void nameThatDoesNotExistIsAnEmptyAnswer() throws Exception {
		assertThat(strategy(1, RecordType.A, RecordType.AAAA).poll(this.context)).isEmpty();
	}

	@Test
	void failedLookupThrowsAndIsNotCountedAsAMiss() throws Exception {
		DnsStrategy strategy = strategy(2, RecordType.A);
		this.dns.set(QUERY, RecordType.A, "10.0.0.1", "10.0.0.2");
		strategy.poll(this.context);
		this.dns.failWith("SERVFAIL");
		for (int i = 0; i < 3; i++) {
			assertThatExceptionOfType(DnsLookupException.class).isThrownBy(() -> strategy.poll(this.context))
				.withMessageContaining("SERVFAIL");
		}
		this.dns.failWith(null);
		this.dns.set(QUERY, RecordType.A, "10.0.0.1");
		// one miss only, although three failed polls came in between
		assertThat(strategy.poll(this.context)).containsExactlyInAnyOrder(NodeAddress.parse("10.0.0.1:9401"),
				NodeAddress.parse("10.0.0.2:9401"));
	}

	@Test
	void addressMissingFromPruneAfterAnswersInARowIsDropped() throws Exception {
		DnsStrategy strategy = strategy(2, RecordType.A);
		NodeAddress one = NodeAddress.parse("10.0.0.1:9401");
		NodeAddress two = NodeAddress.parse("10.0.0.2:9401");
		this.dns.set(QUERY, RecordType.A, "10.0.0.1", "10.0.0.2");
		assertThat(strategy.poll(this.context)).containsExactlyInAnyOrder(one, two);
		this.dns.set(QUERY, RecordType.A, "10.0.0.1");
		assertThat(strategy.poll(this.context)).as("first miss").containsExactlyInAnyOrder(one, two);
		this.dns.set(QUERY, RecordType.A, "10.0.0.1", "10.0.0.2");
		assertThat(strategy.poll(this.context)).as("back: the count starts again").containsExactlyInAnyOrder(one, two);
		this.dns.set(QUERY, RecordType.A, "10.0.0.1");
		assertThat(strategy.poll(this.context)).as("first miss again").containsExactlyInAnyOrder(one, two);
		assertThat(strategy.poll(this.context)).as("second miss in a row").containsExactly(one);
	}

	@Test
	void emptyAnswerIsARealAnswerThatPrunesInTime() throws Exception {
		DnsStrategy strategy = strategy(2, RecordType.A);
		this.dns.set(QUERY, RecordType.A, "10.0.0.1");
		strategy.poll(this.context);
		this.dns.set(QUERY, RecordType.A);
		assertThat(strategy.poll(this.context)).hasSize(1);
		assertThat(strategy.poll(this.context)).isEmpty();
	}

	@Test
	void pruneAfterOneDropsAtOnce() throws Exception {
		DnsStrategy strategy = strategy(1, RecordType.A);
		this.dns.set(QUERY, RecordType.A, "10.0.0.1", "10.0.0.2");
		strategy.poll(this.context);
		this.dns.set(QUERY, RecordType.A, "10.0.0.2");
		assertThat(strategy.poll(this.context)).containsExactly(NodeAddress.parse("10.0.0.2:9401"));
	}

	@Test
	void withoutAQueryNothingIsDiscoveredAndNothingAsked() throws Exception {
		DnsStrategy strategy = DnsStrategy.ignore();
		assertThat(strategy.poll(this.context)).isEmpty();
		assertThat(strategy.poll(this.context)).isEmpty();
		assertThat(this.dns.queries).isEmpty();
	}

	@Test
	void basenameDefaultsToThisNodesNamePart() {
		DnsStrategy strategy = strategy(2, RecordType.A);
		assertThat(strategy.admits(this.context, "app@10.0.0.2")).isTrue();
		assertThat(strategy.admits(this.context, "app@[fd00::3]")).isTrue();
		assertThat(strategy.admits(this.context, "other@10.0.0.2")).isFalse();
		assertThat(strategy.admits(this.context, "app-9401@10.0.0.2")).isFalse();
		assertThat(strategy.admits(context("web@10.0.0.100"), "web@10.0.0.2")).isTrue();
	}

	@Test
	void configuredBasenameIsRequired() {
		DnsStrategy strategy = new DnsStrategy(this.dns, QUERY, List.of(RecordType.A), 9401, "worker", 2);
		assertThat(strategy.admits(this.context, "worker@10.0.0.2")).isTrue();
		assertThat(strategy.admits(this.context, "app@10.0.0.2")).isFalse();
	}

	@Test
	void invalidSettingsAreRefused() {
		assertThatIllegalArgumentException().isThrownBy(() -> strategy(0, RecordType.A));
		assertThatIllegalArgumentException().isThrownBy(() -> strategy(2));
		assertThatIllegalArgumentException()
			.isThrownBy(() -> new DnsStrategy(this.dns, QUERY, List.of(RecordType.A), 0, null, 2));
	}

}
