package dev.clustering.discovery.etcd;

import java.time.Duration;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

/**
 * Keys and limits of the etcd strategy's settings.
 */
class EtcdSettingsTests {

	private final EtcdSettings settings = new EtcdSettings("/cluster/", "shop", Duration.ofSeconds(10));

	@Test
	void keysAreUnderPrefixAndService() {
		assertThat(this.settings.prefix()).isEqualTo("/cluster");
		assertThat(this.settings.servicePrefix()).isEqualTo("/cluster/shop/");
		assertThat(this.settings.nodeKey("app@10.0.0.1")).isEqualTo("/cluster/shop/app@10.0.0.1");
		assertThat(this.settings.electionName()).isEqualTo("/cluster/shop/election");
		assertThat(this.settings.electionPrefix()).isEqualTo("/cluster/shop/election/");
	}

	@Test
	void onlyDirectChildrenAreRegistrations() {
		assertThat(this.settings.nodeName("/cluster/shop/app@10.0.0.1")).isEqualTo("app@10.0.0.1");
		assertThat(this.settings.nodeName("/cluster/shop/election/694d7")).isNull();
		assertThat(this.settings.nodeName("/cluster/shop/")).isNull();
		assertThat(this.settings.nodeName("/cluster/shopping/app@10.0.0.1")).isNull();
	}

	@Test
	void ttlIsAtLeastTwoSecondsAndRoundedUpToWholeSeconds() {
		assertThat(new EtcdSettings("", "s", Duration.ofSeconds(2)).ttlSeconds()).isEqualTo(2);
		assertThat(new EtcdSettings("", "s", Duration.ofMillis(2001)).ttlSeconds()).isEqualTo(3);
		assertThatIllegalArgumentException().isThrownBy(() -> new EtcdSettings("", "s", Duration.ofMillis(1999)));
	}

	@Test
	void anEmptyPrefixPutsServicesAtTheRoot() {
		assertThat(new EtcdSettings("/", "s", Duration.ofSeconds(2)).servicePrefix()).isEqualTo("/s/");
	}

	@Test
	void serviceIsOneKeySegment() {
		assertThatIllegalArgumentException().isThrownBy(() -> new EtcdSettings("/c", "a/b", Duration.ofSeconds(2)));
		assertThatIllegalArgumentException().isThrownBy(() -> new EtcdSettings("/c", " ", Duration.ofSeconds(2)));
		assertThatIllegalArgumentException().isThrownBy(() -> new EtcdSettings("/c x", "s", Duration.ofSeconds(2)));
	}

}
