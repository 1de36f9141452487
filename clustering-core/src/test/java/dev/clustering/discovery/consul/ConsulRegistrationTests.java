package dev.clustering.discovery.consul;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import dev.clustering.discovery.DiscoveryContext;
import dev.clustering.discovery.LeaseBound;
import dev.clustering.discovery.Recorders;
import dev.clustering.membership.LocalNode;
import dev.clustering.membership.NodeAddress;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A node's registration against a fake agent: what it registers, how it passes its check, what it
 * tells its listener when passes fail and succeed again, and until when it vouches for itself.
 */
class ConsulRegistrationTests {

	private static final Duration BOUND = Duration.ofSeconds(10);

	// passed every second
	private static final Duration CHECK_TTL = Duration.ofSeconds(3);

	private final FakeConsul consul = new FakeConsul();

	private final ConsulSettings settings = new ConsulSettings("shop-dist", "cluster", List.of("blue"), CHECK_TTL,
			Duration.ofMinutes(2), Duration.ofSeconds(10), Duration.ZERO, Duration.ofSeconds(2));

	private final ConsulStrategy strategy = new ConsulStrategy(this.consul, this.settings);

	private final Recorders.Registry listener = new Recorders.Registry();

	private final DiscoveryContext context = Recorders.context("127.0.0.2", 9401);

	private final String id = this.context.self().name();

	@AfterEach
	void close() {
		this.strategy.close();
	}

	private LeaseBound register() {
		return register(this.context);
	}

	private LeaseBound register(DiscoveryContext context) {
		return (LeaseBound) this.strategy.register(context, this.listener);
	}

	private void awaitPasses(int more) {
		int target = this.consul.calls("passCheck") + more;
		await().atMost(BOUND).until(() -> this.consul.calls("passCheck") >= target);
	}

	@Test
	void theNodeRegistersUnderItsNameWithItsAddressTagsAndMetadata() {
		LocalNode self = new LocalNode("app@127.0.0.2", new NodeAddress("127.0.0.2", 9401), 1,
				Map.of("zone", "z1", "app.version", "1.2"));
		register(new DiscoveryContext("prod", self, Duration.ofSeconds(1)));
		await().atMost(BOUND).until(() -> this.consul.isPassing("app@127.0.0.2"));
		ConsulApi.Registration registration = this.consul.registrations().get(0);
		assertThat(registration.id()).isEqualTo("app@127.0.0.2");
		assertThat(registration.name()).isEqualTo("shop-dist");
		assertThat(registration.address()).isEqualTo("127.0.0.2");
		assertThat(registration.port()).isEqualTo(9401);
		assertThat(registration.tags()).containsExactly("blue");
		assertThat(registration.meta()).isEqualTo(
				Map.of("zone", "z1", "app_version", "1.2", ConsulRegistration.NODE_META, "app@127.0.0.2"));
		assertThat(registration.checkTtl()).isEqualTo(CHECK_TTL);
		assertThat(registration.deregisterCriticalAfter()).isEqualTo(Duration.ofMinutes(2));
		assertThat(registration.checkId()).isEqualTo("service:app@127.0.0.2");
	}

	@Test
	void metadataKeysAreMadeConsulSafe() {
		Map<String, String> meta = ConsulRegistration.consulMeta(
				Map.of("app.version", "1.2", "a b", "x", "rack/row", "r1", "ok_key-2", "y"));
		assertThat(meta).isEqualTo(Map.of("app_version", "1.2", "a_b", "x", "rack_row", "r1", "ok_key-2", "y"));
	}

	@Test
	void metadataThatConsulWouldRefuseIsLeftOut() {
		Map<String, String> metadata = new LinkedHashMap<>();
		metadata.put("fits", "v".repeat(512));
		metadata.put("oversized", "v".repeat(513));
		metadata.put("k".repeat(128), "longest key");
		metadata.put("k".repeat(129), "key too long");
		metadata.put("consul-reserved", "x");
		metadata.put(ConsulRegistration.NODE_META, "someone else");
		metadata.put("", "no key");
		assertThat(ConsulRegistration.consulMeta(metadata)).containsOnlyKeys("fits", "k".repeat(128));
	}

	@Test
	void atMostSixtyThreePairsAreKeptLeavingRoomForTheNodeName() {
		Map<String, String> metadata = new LinkedHashMap<>();
		for (int i = 0; i < 100; i++) {
			metadata.put("key" + i, "value" + i);
		}
		assertThat(ConsulRegistration.consulMeta(metadata)).hasSize(63);
		LocalNode self = new LocalNode("app@127.0.0.2", new NodeAddress("127.0.0.2", 9401), 1, metadata);
		register(new DiscoveryContext("prod", self, Duration.ofSeconds(1)));
		await().atMost(BOUND).until(() -> !this.consul.registrations().isEmpty());
		assertThat(this.consul.registrations().get(0).meta()).hasSize(64)
			.containsEntry(ConsulRegistration.NODE_META, "app@127.0.0.2");
	}

	@Test
	void keysThatBecomeTheSameKeepTheFirstInKeyOrder() {
		// '.' sorts before '_': "a.b" comes first and wins "a_b"
		assertThat(ConsulRegistration.consulMeta(Map.of("a_b", "second", "a.b", "first")))
			.isEqualTo(Map.of("a_b", "first"));
	}

	@Test
	void theNodePassesItsCheckEveryThirdOfItsTtl() {
		register();
		awaitPasses(3);
		assertThat(this.consul.isPassing(this.id)).isTrue();
		assertThat(this.consul.registrations()).hasSize(1);
		assertThat(this.listener.events).isEmpty();
	}

	@Test
	void aFailedPassAfterHavingPassedIsReportedLostOnceAndTheNextGoodPassRestoredOnce() {
		LeaseBound registration = register();
		await().atMost(BOUND).until(() -> registration.validUntilNanos() != Long.MIN_VALUE);
		this.consul.unreachable(true);
		await().atMost(BOUND).until(() -> this.listener.events.equals(List.of("lost")));
		assertThat(registration.validUntilNanos()).isEqualTo(Long.MIN_VALUE);
		awaitPasses(3);
		assertThat(this.listener.events).containsExactly("lost");
		this.consul.unreachable(false);
		await().atMost(BOUND).until(() -> this.listener.events.equals(List.of("lost", "restored")));
		assertThat(registration.validUntilNanos()).isGreaterThan(System.nanoTime());
		awaitPasses(3);
		assertThat(this.listener.events).containsExactly("lost", "restored");
		// the agent kept the registration: it was not registered again
		assertThat(this.consul.registrations()).hasSize(1);
	}

	@Test
	void aPassTheAgentAnswersWithAnErrorIsReportedLost() {
		LeaseBound registration = register();
		await().atMost(BOUND).until(() -> registration.validUntilNanos() != Long.MIN_VALUE);
		this.consul.failPasses(true);
		await().atMost(BOUND).until(() -> this.listener.events.equals(List.of("lost")));
		this.consul.failPasses(false);
		await().atMost(BOUND).until(() -> this.listener.events.equals(List.of("lost", "restored")));
	}

	@Test
	void anUnreachableAgentBeforeTheFirstPassIsNotReportedLost() {
		this.consul.unreachable(true);
		LeaseBound registration = register();
		await().atMost(BOUND).until(() -> this.consul.calls("register") >= 3);
		assertThat(this.listener.events).isEmpty();
		assertThat(registration.validUntilNanos()).isEqualTo(Long.MIN_VALUE);
		this.consul.unreachable(false);
		await().atMost(BOUND).until(() -> registration.validUntilNanos() != Long.MIN_VALUE);
		// the first pass is not a restoration: nothing was lost
		awaitPasses(1);
		assertThat(this.listener.events).isEmpty();
	}

	@Test
	void failedPassesBeforeTheFirstPassAreNotReportedLost() {
		this.consul.failPasses(true);
		LeaseBound registration = register();
		awaitPasses(3);
		assertThat(this.listener.events).isEmpty();
		assertThat(registration.validUntilNanos()).isEqualTo(Long.MIN_VALUE);
		this.consul.failPasses(false);
		await().atMost(BOUND).until(() -> registration.validUntilNanos() != Long.MIN_VALUE);
		awaitPasses(1);
		assertThat(this.listener.events).isEmpty();
	}

	@Test
	void anAgentThatForgotTheCheckGetsANewRegistration() {
		LeaseBound registration = register();
		await().atMost(BOUND).until(() -> registration.validUntilNanos() != Long.MIN_VALUE);
		this.consul.forget(this.id);
		await().atMost(BOUND).until(() -> this.consul.registrations().size() == 2 && this.consul.isPassing(this.id));
		await().atMost(BOUND).until(() -> this.listener.events.equals(List.of("lost", "restored")));
		assertThat(this.consul.registrations().get(1)).isEqualTo(this.consul.registrations().get(0));
		assertThat(registration.validUntilNanos()).isGreaterThan(System.nanoTime());
	}

	@Test
	void closingDeregistersAtOnce() throws Exception {
		LeaseBound registration = register();
		await().atMost(BOUND).until(() -> this.consul.isPassing(this.id));
		((AutoCloseable) registration).close();
		assertThat(this.consul.hasService(this.id)).isFalse();
		assertThat(this.consul.calls("deregister")).isEqualTo(1);
		assertThat(registration.validUntilNanos()).isEqualTo(Long.MIN_VALUE);
		assertThat(this.listener.events).isEmpty();
	}

	@Test
	void theRegistrationIsVouchedForUntilTheLastPassPlusTheTtlLessAMargin() {
		this.consul.failPasses(true);
		LeaseBound registration = register();
		awaitPasses(1);
		assertThat(registration.validUntilNanos()).isEqualTo(Long.MIN_VALUE);
		this.consul.failPasses(false);
		long margin = ConsulRuntime.marginNanos(CHECK_TTL);
		assertThat(margin).isEqualTo(CHECK_TTL.toNanos() / 10);
		await().atMost(BOUND).untilAsserted(() -> {
			long[] before = this.consul.passes();
			long validUntil = registration.validUntilNanos();
			long[] after = this.consul.passes();
			// no pass in between, and the registration has heard the last one's answer
			assertThat(after[0]).isEqualTo(before[0]).isPositive();
			long lastPass = before[1];
			// sent a moment before the agent took it
			assertThat(validUntil).isLessThanOrEqualTo(lastPass + CHECK_TTL.toNanos() - margin)
				.isGreaterThan(lastPass + CHECK_TTL.toNanos() - margin - TimeUnit.MILLISECONDS.toNanos(500));
		});
		assertThat(registration.validUntilNanos()).isGreaterThan(System.nanoTime());
	}

}
