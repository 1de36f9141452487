package dev.clustering.discovery.consul;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import dev.clustering.discovery.Recorders;
import dev.clustering.membership.NodeAddress;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Discovery by blocking queries against a fake agent: the full set of passing node registrations
 * after each change, what is not a node's registration skipped and reported, failures reported
 * without ever an empty answer, and an index that goes back followed from 0.
 */
class ConsulDiscoveryTests {

	private static final Duration BOUND = Duration.ofSeconds(10);

	private static final NodeAddress A = new NodeAddress("127.0.0.2", 9401);

	private static final NodeAddress B = new NodeAddress("127.0.0.3", 9401);

	private static final NodeAddress C = new NodeAddress("127.0.0.4", 9402);

	private final FakeConsul consul = new FakeConsul();

	private final List<ConsulStrategy> strategies = new ArrayList<>();

	private final Recorders.Discovery listener = new Recorders.Discovery();

	@AfterEach
	void close() {
		this.strategies.forEach(ConsulStrategy::close);
	}

	private ConsulStrategy watch(Duration blockingWait) {
		ConsulStrategy strategy = new ConsulStrategy(this.consul, new ConsulSettings("shop-dist", "cluster", List.of(),
				Duration.ofSeconds(3), Duration.ofMinutes(1), Duration.ofSeconds(10), Duration.ZERO, blockingWait));
		this.strategies.add(strategy);
		strategy.watch(Recorders.context("127.0.0.2", 9401), this.listener);
		return strategy;
	}

	private static ConsulApi.Instance node(NodeAddress address) {
		String name = "app@" + address.host() + ":" + address.port();
		return new ConsulApi.Instance(name, address.host(), address.port(),
				Map.of(ConsulRegistration.NODE_META, name, "zone", "z1"));
	}

	private static ConsulApi.Instance withMeta(String id, String address, Integer port, Map<String, String> meta) {
		return new ConsulApi.Instance(id, address, port, meta);
	}

	private static Map<String, String> named(String node) {
		return Map.of(ConsulRegistration.NODE_META, node);
	}

	private static <T> List<T> since(List<T> list, int from) {
		List<T> copy = List.copyOf(list);
		return copy.subList(from, copy.size());
	}

	private void awaitQueries(int more) {
		int target = this.consul.instanceQueryIndexes().size() + more;
		await().atMost(BOUND).until(() -> this.consul.instanceQueryIndexes().size() >= target);
	}

	@Test
	void theAddressesOfEveryPassingInstanceAreReportedAfterEachChange() {
		this.consul.putInstance("shop-dist", node(A));
		this.consul.putInstance("shop-dist", node(B));
		this.consul.putInstance("other-service", withMeta("web@127.0.0.9", "127.0.0.9", 80, named("web@127.0.0.9")));
		watch(Duration.ofSeconds(30));
		await().atMost(BOUND).until(() -> Set.of(A, B).equals(this.listener.last()));
		this.consul.putInstance("shop-dist", node(C));
		await().atMost(BOUND).until(() -> Set.of(A, B, C).equals(this.listener.last()));
		this.consul.turnCritical("service:" + node(A).id());
		await().atMost(BOUND).until(() -> Set.of(B, C).equals(this.listener.last()));
		// a change is answered at once, not at the end of the 30 s wait: every answer is a full set
		assertThat(this.listener.answers).extracting(Recorders.Discovery.Answer::addresses)
			.containsExactly(Set.of(A, B), Set.of(A, B, C), Set.of(B, C));
		assertThat(this.listener.failures).isEmpty();
	}

	@Test
	void aNodeRegisteredThroughTheStrategyIsDiscovered() {
		ConsulStrategy strategy = watch(Duration.ofSeconds(30));
		strategy.register(Recorders.context("127.0.0.5", 9405), new Recorders.Registry());
		await().atMost(BOUND).until(() -> Set.of(new NodeAddress("127.0.0.5", 9405)).equals(this.listener.last()));
		assertThat(this.listener.failures).isEmpty();
	}

	@Test
	void aServiceWithNoPassingInstanceIsReportedEmpty() {
		watch(Duration.ofSeconds(30));
		await().atMost(BOUND).until(() -> Set.of().equals(this.listener.last()));
		assertThat(this.listener.failures).isEmpty();
	}

	@Test
	void anInstanceThatIsNotANodesRegistrationIsSkippedAndReported() {
		this.consul.putInstance("shop-dist", node(A));
		Map<String, String> noMeta = new HashMap<>();
		List<ConsulApi.Instance> refused = List.of(
				withMeta("app@10.0.0.1", "10.0.0.1", 9401, named("app@10.0.0.9")),
				withMeta("web-1", "10.0.0.2", 80, Map.of("version", "1")),
				withMeta("app@10.0.0.3", "10.0.0.3", 9401, noMeta),
				withMeta("app@10.0.0.4", "10.0.0.4", 9401, null),
				withMeta("app@10.0.0.5", "10.0.0.5", null, named("app@10.0.0.5")),
				withMeta("app@10.0.0.6", "10.0.0.6", 0, named("app@10.0.0.6")),
				withMeta("app@10.0.0.7", "10.0.0.7", 65536, named("app@10.0.0.7")),
				withMeta("app@10.0.0.8", null, 9401, named("app@10.0.0.8")),
				withMeta("app@10.0.0.10", " ", 9401, named("app@10.0.0.10")));
		refused.forEach((instance) -> this.consul.putInstance("shop-dist", instance));
		watch(Duration.ofSeconds(30));
		await().atMost(BOUND).until(() -> !this.listener.failures.isEmpty());
		assertThat(this.listener.last()).isEqualTo(Set.of(A));
		assertThat(this.listener.failures).singleElement()
			.satisfies((error) -> assertThat(error).isInstanceOf(IllegalArgumentException.class)
				.hasMessageContaining("ignoring 9 Consul instance(s) of shop-dist that are not node registrations")
				.hasMessageContaining("app@10.0.0.1")
				.hasMessageContaining("web-1"));
	}

	@Test
	void aSkippedInstanceIsReportedOncePerVersion() {
		this.consul.putInstance("shop-dist", node(A));
		this.consul.putInstance("shop-dist", withMeta("app@10.0.0.5", "10.0.0.5", 0, named("app@10.0.0.5")));
		// short waits: the same answer comes back every 200 ms
		watch(Duration.ofMillis(200));
		await().atMost(BOUND).until(() -> this.listener.failures.size() == 1);
		awaitQueries(5);
		assertThat(this.listener.failures).hasSize(1);
		assertThat(this.listener.failures.get(0)).hasMessageContaining("port 0 is not a cluster port");
		// a new version of it, still no registration: reported again, once
		this.consul.putInstance("shop-dist", withMeta("app@10.0.0.5", "10.0.0.5", -1, named("app@10.0.0.5")));
		await().atMost(BOUND).until(() -> this.listener.failures.size() == 2);
		awaitQueries(5);
		assertThat(this.listener.failures).hasSize(2);
		assertThat(this.listener.failures.get(1)).hasMessageContaining("port -1 is not a cluster port");
		// fixed: it is reported with the others
		this.consul.putInstance("shop-dist", withMeta("app@10.0.0.5", "10.0.0.5", 9401, named("app@10.0.0.5")));
		await().atMost(BOUND)
			.until(() -> Set.of(A, new NodeAddress("10.0.0.5", 9401)).equals(this.listener.last()));
		assertThat(this.listener.answers).extracting(Recorders.Discovery.Answer::addresses)
			.containsExactly(Set.of(A), Set.of(A, new NodeAddress("10.0.0.5", 9401)));
	}

	@Test
	void aFailingAgentIsReportedAsAFailureAndNeverAsAnEmptySet() {
		this.consul.putInstance("shop-dist", node(A));
		watch(Duration.ofSeconds(30));
		await().atMost(BOUND).until(() -> Set.of(A).equals(this.listener.last()));
		this.consul.unreachable(true);
		awaitOneFailureThroughRetries();
		assertThat(this.listener.failures).allSatisfy((error) -> assertThat(error).isInstanceOf(IOException.class));
		assertThat(this.listener.answers).extracting(Recorders.Discovery.Answer::addresses).containsExactly(Set.of(A));
		this.consul.unreachable(false);
		this.consul.putInstance("shop-dist", node(B));
		await().atMost(BOUND).until(() -> Set.of(A, B).equals(this.listener.last()));
		assertThat(this.listener.answers).extracting(Recorders.Discovery.Answer::addresses)
			.containsExactly(Set.of(A), Set.of(A, B));
	}

	// an outage is reported once, when it begins, not at every retry (the topology shows it until
	// the next answer)
	private void awaitOneFailureThroughRetries() {
		await().atMost(BOUND).until(() -> this.listener.failures.size() == 1);
		int queries = this.consul.calls("passingInstances");
		await().atMost(BOUND).until(() -> this.consul.calls("passingInstances") >= queries + 2);
		assertThat(this.listener.failures).hasSize(1);
	}

	@Test
	void anAgentUnreachableFromTheStartReportsAFailureAndNoAnswer() {
		this.consul.unreachable(true);
		this.consul.putInstance("shop-dist", node(A));
		watch(Duration.ofSeconds(30));
		awaitOneFailureThroughRetries();
		assertThat(this.listener.answers).isEmpty();
		this.consul.unreachable(false);
		await().atMost(BOUND).until(() -> Set.of(A).equals(this.listener.last()));
	}

	@Test
	void anIndexThatGoesBackwardsRestartsAtZero() {
		this.consul.putInstance("shop-dist", node(A));
		this.consul.putInstance("shop-dist", node(B));
		// long waits: a query held on an index that no longer comes would not answer within the bound
		watch(Duration.ofSeconds(60));
		await().atMost(BOUND).until(() -> Set.of(A, B).equals(this.listener.last()));
		List<Long> indexes = this.consul.instanceQueryIndexes();
		await().atMost(BOUND).until(() -> indexes.get(indexes.size() - 1) == 3);
		int before = indexes.size();
		this.consul.rewindServicesIndex(1);
		// the answer with index 1 is followed by a query at 0, then blocking ones at 1
		await().atMost(BOUND).until(() -> since(indexes, before).equals(List.of(0L, 1L)));
		this.consul.putInstance("shop-dist", node(C));
		await().atMost(BOUND).until(() -> Set.of(A, B, C).equals(this.listener.last()));
		await().atMost(BOUND).until(() -> since(indexes, before).equals(List.of(0L, 1L, 2L)));
		assertThat(this.listener.failures).isEmpty();
	}

	@Test
	void aRefreshReportsTheLastAnswerAgain() {
		this.consul.putInstance("shop-dist", node(A));
		ConsulStrategy strategy = watch(Duration.ofSeconds(30));
		await().atMost(BOUND).until(() -> Set.of(A).equals(this.listener.last()));
		strategy.refresh();
		assertThat(this.listener.answers).extracting(Recorders.Discovery.Answer::addresses)
			.containsExactly(Set.of(A), Set.of(A));
	}

}
