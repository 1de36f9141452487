package dev.clustering.discovery.consul;

import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.Assertions.assertThatNoException;

/**
 * The service name, KV prefix and timing limits of the consul strategy's settings.
 */
class ConsulSettingsTests {

	private static ConsulSettings withPrefix(String prefix) {
		return new ConsulSettings("shop-dist", prefix, List.of(), Duration.ofSeconds(10), Duration.ofMinutes(1),
				Duration.ofSeconds(10), Duration.ZERO, Duration.ofSeconds(10));
	}

	private static ConsulSettings withSessionTtl(Duration sessionTtl) {
		return new ConsulSettings("shop-dist", "cluster", List.of(), Duration.ofSeconds(10), Duration.ofMinutes(1),
				sessionTtl, Duration.ZERO, Duration.ofSeconds(10));
	}

	private static ConsulSettings withLockDelay(Duration lockDelay) {
		return new ConsulSettings("shop-dist", "cluster", List.of(), Duration.ofSeconds(10), Duration.ofMinutes(1),
				Duration.ofSeconds(10), lockDelay, Duration.ofSeconds(10));
	}

	@Test
	void ofGivesThePrefixClusterNoTagsAndConsulsShortestTimings() {
		ConsulSettings settings = ConsulSettings.of("shop-dist");
		assertThat(settings.service()).isEqualTo("shop-dist");
		assertThat(settings.prefix()).isEqualTo("cluster");
		assertThat(settings.tags()).isEmpty();
		assertThat(settings.checkTtl()).isEqualTo(Duration.ofSeconds(10));
		assertThat(settings.deregisterCriticalAfter()).isEqualTo(Duration.ofMinutes(1));
		assertThat(settings.sessionTtl()).isEqualTo(ConsulSettings.MIN_SESSION_TTL).isEqualTo(Duration.ofSeconds(10));
		assertThat(settings.lockDelay()).isZero();
		assertThat(settings.blockingWait()).isEqualTo(Duration.ofSeconds(10));
	}

	@Test
	void aServiceNameMustBeADnsLabel() {
		assertThatNoException().isThrownBy(() -> ConsulSettings.of("a"));
		assertThatNoException().isThrownBy(() -> ConsulSettings.of("Shop-2-dist"));
		assertThatNoException().isThrownBy(() -> ConsulSettings.of("s".repeat(63)));
		for (String refused : List.of("", "-shop", "shop-", "shop.dist", "shop_dist", "shop dist", "shop/dist", "shöp",
				"s".repeat(64))) {
			assertThatIllegalArgumentException().as("'%s'", refused)
				.isThrownBy(() -> ConsulSettings.of(refused))
				.withMessageContaining("is not a Consul service name");
		}
	}

	@Test
	void aSessionTtlMustBeBetweenTenSecondsAndTwentyFourHours() {
		assertThatNoException().isThrownBy(() -> withSessionTtl(Duration.ofSeconds(10)));
		assertThatNoException().isThrownBy(() -> withSessionTtl(Duration.ofHours(24)));
		assertThatIllegalArgumentException().isThrownBy(() -> withSessionTtl(Duration.ofMillis(9999)))
			.withMessageContaining("sessionTtl");
		assertThatIllegalArgumentException().isThrownBy(() -> withSessionTtl(Duration.ofHours(24).plusSeconds(1)))
			.withMessageContaining("sessionTtl");
	}

	@Test
	void aLockDelayMustBeAtMostSixtySeconds() {
		assertThatNoException().isThrownBy(() -> withLockDelay(Duration.ZERO));
		assertThatNoException().isThrownBy(() -> withLockDelay(Duration.ofSeconds(60)));
		assertThatIllegalArgumentException().isThrownBy(() -> withLockDelay(Duration.ofMillis(60_001)))
			.withMessageContaining("lockDelay");
		assertThatIllegalArgumentException().isThrownBy(() -> withLockDelay(Duration.ofSeconds(-1)))
			.withMessageContaining("lockDelay");
	}

	@Test
	void thePrefixIsTrimmedOfSlashes() {
		assertThat(withPrefix("/cluster/").prefix()).isEqualTo("cluster");
		assertThat(withPrefix("//a/b//").prefix()).isEqualTo("a/b");
		assertThat(withPrefix(" /a/ ").prefix()).isEqualTo("a");
		assertThat(withPrefix("/").prefix()).isEmpty();
	}

	@Test
	void aPrefixWithAnEmptySegmentOrWhitespaceIsRefused() {
		assertThatIllegalArgumentException().isThrownBy(() -> withPrefix("a//b"));
		assertThatIllegalArgumentException().isThrownBy(() -> withPrefix("a b"));
	}

	@Test
	void theLeaderKeyIsUnderThePrefixAndTheService() {
		assertThat(withPrefix("/cluster/").leaderKey()).isEqualTo("cluster/shop-dist/leader");
		assertThat(withPrefix("a/b").leaderKey()).isEqualTo("a/b/shop-dist/leader");
		assertThat(ConsulSettings.of("shop-dist").leaderKey()).isEqualTo("cluster/shop-dist/leader");
	}

	@Test
	void anEmptyPrefixPutsTheLeaderKeyAtTheRoot() {
		assertThat(withPrefix("").leaderKey()).isEqualTo("shop-dist/leader");
		assertThat(withPrefix("/").leaderKey()).isEqualTo("shop-dist/leader");
	}

}
