package dev.clustering.discovery.etcd;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;

import io.etcd.jetcd.Client;
import io.etcd.jetcd.KeyValue;
import io.etcd.jetcd.options.LeaseOption;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.extension.ExtendWith;

import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;

import dev.clustering.discovery.DiscoveryContext;
import dev.clustering.discovery.NodeRecord;
import dev.clustering.discovery.Recorders;
import dev.clustering.membership.NodeAddress;

import static dev.clustering.discovery.etcd.EtcdRuntime.bytes;
import static dev.clustering.discovery.etcd.EtcdRuntime.text;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Registration and discovery against a real etcd, strategy by strategy: the record under its key,
 * full answers, a graceful leave seen at once, a crashed node's key gone after the TTL, and the
 * latency from a registration to a watcher.
 */
@ExtendWith(OutputCaptureExtension.class)
class EtcdStrategyIntegrationTests extends SharedEtcd {

	private static final Duration TTL = EtcdSettings.MIN_TTL;

	private static final Duration BOUND = Duration.ofSeconds(15);

	private final List<AutoCloseable> open = new ArrayList<>();

	private EtcdSettings settings;

	@BeforeEach
	void settings(TestInfo test) {
		this.settings = new EtcdSettings("/strategy-tests", test.getTestMethod().orElseThrow().getName(), TTL);
	}

	@AfterEach
	void closeAll() throws Exception {
		Collections.reverse(this.open);
		for (AutoCloseable closeable : this.open) {
			closeable.close();
		}
	}

	/** One node: its own client and strategy. */
	private final class Node {

		final Client client = etcd.client();

		final EtcdStrategy strategy = new EtcdStrategy(this.client, EtcdStrategyIntegrationTests.this.settings);

		final DiscoveryContext context;

		final Recorders.Registry registry = new Recorders.Registry();

		final Recorders.Discovery discovery = new Recorders.Discovery();

		AutoCloseable registration;

		AutoCloseable watch;

		Node(String host) {
			this.context = Recorders.context(host, 9401);
			EtcdStrategyIntegrationTests.this.open.add(this.client);
			EtcdStrategyIntegrationTests.this.open.add(this.strategy);
		}

		Node register() {
			this.registration = this.strategy.register(this.context, this.registry);
			EtcdStrategyIntegrationTests.this.open.add(this.registration);
			return this;
		}

		Node watch() {
			this.watch = this.strategy.watch(this.context, this.discovery);
			EtcdStrategyIntegrationTests.this.open.add(this.watch);
			return this;
		}

		NodeAddress address() {
			return this.context.self().address();
		}

		String key() {
			return EtcdStrategyIntegrationTests.this.settings.nodeKey(this.context.self().name());
		}

	}

	private static List<KeyValue> get(String key) throws Exception {
		return admin.getKVClient().get(bytes(key)).get().getKvs();
	}

	private static void figure(String what, double millis) {
		System.out.printf("[etcd figure] %s: %.1f ms%n", what, millis);
	}

	@Test
	void registrationHoldsTheNodeRecordOnALeaseWithTheTtl() throws Exception {
		Node node = new Node("127.0.0.2").register();
		await().atMost(BOUND).until(() -> !get(node.key()).isEmpty());
		KeyValue kv = get(node.key()).get(0);
		NodeRecord record = NodeRecord.parse(text(kv.getValue()));
		assertThat(record).isEqualTo(NodeRecord.of(node.context.self()));
		assertThat(record.metadata()).containsEntry("zone", "z-127.0.0.2");
		assertThat(kv.getLease()).isNotZero();
		long granted = admin.getLeaseClient().timeToLive(kv.getLease(), LeaseOption.DEFAULT).get().getGrantedTTL();
		assertThat(granted).isEqualTo(TTL.toSeconds());
		// kept alive: still there after several TTLs
		Thread.sleep(TTL.multipliedBy(2).toMillis());
		assertThat(get(node.key())).singleElement().extracting(KeyValue::getLease).isEqualTo(kv.getLease());
		assertThat(node.registry.events).isEmpty();
	}

	@Test
	void everyNodeHearsTheFullSetOfRegisteredAddresses() {
		List<Node> nodes = List.of(new Node("127.0.0.2").register().watch(), new Node("127.0.0.3").register().watch(),
				new Node("127.0.0.4").register().watch());
		Set<NodeAddress> all = Set.of(nodes.get(0).address(), nodes.get(1).address(), nodes.get(2).address());
		await().atMost(BOUND).until(() -> nodes.stream().allMatch((n) -> all.equals(n.discovery.last())));
		assertThat(nodes).allSatisfy((n) -> assertThat(n.discovery.failures).isEmpty());
	}

	@Test
	void gracefulCloseDeletesTheKeyAtOnceAndWatchersHearItAtOnce() throws Exception {
		Node watcher = new Node("127.0.0.2").register().watch();
		Node leaving = new Node("127.0.0.3").register();
		await().atMost(BOUND).until(() -> watcher.discovery.last() != null
				&& watcher.discovery.last().contains(leaving.address()));
		long start = System.nanoTime();
		leaving.registration.close();
		long closed = System.nanoTime() - start;
		// gone when close returns: the lease was revoked, not left to expire
		assertThat(get(leaving.key())).isEmpty();
		await().atMost(BOUND).until(() -> watcher.discovery.firstWithout(leaving.address(), start) > 0);
		figure("graceful deregistration (close) to a watcher's answer without the node",
				(watcher.discovery.firstWithout(leaving.address(), start) - start) / 1e6);
		figure("  of which the close (lease revocation) itself", closed / 1e6);
		assertThat(watcher.discovery.last()).containsExactly(watcher.address());
	}

	@Test
	void crashedNodesKeyExpiresAfterTheTtl() throws Exception {
		Node watcher = new Node("127.0.0.2").watch();
		Node crashing = new Node("127.0.0.3").register();
		await().atMost(BOUND).until(() -> watcher.discovery.last() != null
				&& watcher.discovery.last().contains(crashing.address()));
		long start = System.nanoTime();
		// the process dies: nothing is revoked, the lease runs out
		crashing.client.close();
		crashing.strategy.close();
		await().pollInterval(Duration.ofMillis(10)).atMost(BOUND).until(() -> get(crashing.key()).isEmpty());
		long gone = System.nanoTime() - start;
		await().atMost(BOUND).until(() -> watcher.discovery.firstWithout(crashing.address(), start) > 0);
		figure("crashed node (client gone) to its key expiring, TTL " + TTL.toSeconds() + "s", gone / 1e6);
		assertThat(gone).isGreaterThan(TTL.dividedBy(2).toNanos()).isLessThan(TTL.multipliedBy(4).toNanos());
		assertThat(watcher.discovery.last()).isEmpty();
	}

	@Test
	void watchLatencyFromARegistrationToTheListener() throws Exception {
		Node watcher = new Node("127.0.0.2").watch();
		await().atMost(BOUND).until(() -> watcher.discovery.last() != null);
		List<Double> fromRegister = new ArrayList<>();
		for (int i = 0; i < 10; i++) {
			Node joining = new Node("127.0.0." + (10 + i));
			long start = System.nanoTime();
			joining.register();
			await().atMost(BOUND).until(() -> watcher.discovery.firstWith(joining.address(), start) > 0);
			fromRegister.add((watcher.discovery.firstWith(joining.address(), start) - start) / 1e6);
		}
		// from the write itself, without the lease grant that a registration starts with
		List<Double> fromPut = new ArrayList<>();
		for (int i = 0; i < 10; i++) {
			NodeAddress address = new NodeAddress("127.0.1." + (10 + i), 9401);
			NodeRecord record = new NodeRecord("app@" + address.host(), address, Map.of());
			long start = System.nanoTime();
			admin.getKVClient().put(bytes(this.settings.nodeKey(record.name())), bytes(record.toJson())).get();
			long written = System.nanoTime();
			await().atMost(BOUND).until(() -> watcher.discovery.firstWith(address, start) > 0);
			fromPut.add((watcher.discovery.firstWith(address, start) - written) / 1e6);
		}
		Collections.sort(fromRegister);
		Collections.sort(fromPut);
		figure("register() call to a watcher's answer, median of 10", fromRegister.get(5));
		figure("register() call to a watcher's answer, max of 10", fromRegister.get(9));
		figure("put answered to a watcher's answer, median of 10", fromPut.get(5));
		figure("put answered to a watcher's answer, max of 10", fromPut.get(9));
		assertThat(fromRegister.get(5)).isLessThan(500.0);
		assertThat(watcher.discovery.last()).hasSize(20);
	}

	@Test
	void keysThatAreNotRegistrationsOfTheirNodeAreIgnored(CapturedOutput output) throws Exception {
		Node node = new Node("127.0.0.2").register().watch();
		await().atMost(BOUND).until(() -> Set.of(node.address()).equals(node.discovery.last()));
		NodeAddress elsewhere = new NodeAddress("127.0.0.7", 9401);
		String foreign = new NodeRecord("app@127.0.0.7", elsewhere, Map.of()).toJson();
		put(this.settings.nodeKey("garbage@127.0.0.5"), "not json");
		// nested deeper than any parser's stack: refused, logged and counted, and discovery goes on
		put(this.settings.nodeKey("deep@127.0.0.4"), "[".repeat(100_000) + "]".repeat(100_000));
		put(this.settings.nodeKey("other@127.0.0.6"), foreign);
		put(this.settings.electionPrefix() + "694d7", foreign);
		put(this.settings.servicePrefix() + "deeper/app@127.0.0.7", foreign);
		put(this.settings.prefix() + "/" + this.settings.service() + "-other/app@127.0.0.7", foreign);
		NodeAddress valid = new NodeAddress("127.0.0.8", 9401);
		put(this.settings.nodeKey("app@127.0.0.8"), new NodeRecord("app@127.0.0.8", valid, Map.of()).toJson());
		await().atMost(BOUND).until(() -> Set.of(node.address(), valid).equals(node.discovery.last()));
		assertThat(node.discovery.answers).allSatisfy((answer) -> assertThat(answer.addresses()).doesNotContain(
				elsewhere));
		assertThat(node.discovery.failures).extracting(Throwable::getMessage)
			.anySatisfy((message) -> assertThat(message).contains(this.settings.nodeKey("deep@127.0.0.4")))
			.anySatisfy((message) -> assertThat(message).contains(this.settings.nodeKey("garbage@127.0.0.5")));
		assertThat(output.getOut()).contains("[prod] ignoring " + this.settings.nodeKey("deep@127.0.0.4"))
			.doesNotContain("StackOverflowError");
	}

	@Test
	void refreshReadsAgainAndReportsTheSameAnswer() {
		Node node = new Node("127.0.0.2").register().watch();
		await().atMost(BOUND).until(() -> Set.of(node.address()).equals(node.discovery.last()));
		int answers = node.discovery.answers.size();
		node.strategy.refresh();
		await().atMost(BOUND).until(() -> node.discovery.answers.size() > answers);
		assertThat(node.discovery.last()).containsExactly(node.address());
	}

	@Test
	void closedWatchHearsNothingMore() throws Exception {
		Node node = new Node("127.0.0.2").watch();
		await().atMost(BOUND).until(() -> node.discovery.last() != null);
		node.watch.close();
		int answers = node.discovery.answers.size();
		new Node("127.0.0.3").register();
		await().during(Duration.ofMillis(500)).atMost(BOUND).until(() -> node.discovery.answers.size() == answers);
	}

	private void put(String key, String value) throws Exception {
		admin.getKVClient().put(bytes(key), bytes(value)).get();
	}

}
