package dev.clustering.discovery.etcd;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

import io.etcd.jetcd.Client;
import io.etcd.jetcd.KeyValue;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;

import dev.clustering.discovery.DiscoveryListener;
import dev.clustering.discovery.NodeRecord;
import dev.clustering.discovery.Recorders;
import dev.clustering.membership.NodeAddress;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatNoException;
import static org.mockito.BDDMockito.given;
import static org.mockito.Mockito.mock;

/**
 * What the discovery watch does with what it reads, with no etcd: a record that cannot be read, for
 * whatever reason (an {@link Error} included), is logged with the topology's name, counted through
 * the listener and skipped, and the other records are still reported; a listener that throws does
 * not stop the next answer.
 */
@ExtendWith(OutputCaptureExtension.class)
class EtcdDiscoveryTests {

	private final EtcdSettings settings = new EtcdSettings("/unit", "app", EtcdSettings.MIN_TTL);

	// never connects: the view is not started, changes are handed in directly
	private final Client client = Client.builder().endpoints("http://127.0.0.1:1").build();

	private final EtcdRuntime runtime = new EtcdRuntime(this.client, this.settings);

	private final Recorders.Discovery listener = new Recorders.Discovery();

	private final EtcdDiscovery discovery = new EtcdDiscovery(this.runtime, Recorders.context("127.0.0.2", 9401),
			this.listener);

	@AfterEach
	void close() {
		this.runtime.close();
		this.client.close();
	}

	private Map.Entry<String, KeyValue> registration(String host) {
		NodeRecord record = new NodeRecord("app@" + host, new NodeAddress(host, 9401), Map.of());
		KeyValue kv = mock(KeyValue.class);
		given(kv.getValue()).willReturn(EtcdRuntime.bytes(record.toJson()));
		return Map.entry(this.settings.nodeKey(record.name()), kv);
	}

	@Test
	void aRecordWhoseReadingThrowsAnErrorIsLoggedCountedAndSkipped(CapturedOutput output) {
		KeyValue broken = mock(KeyValue.class);
		given(broken.getValue()).willThrow(new StackOverflowError());
		Map<String, KeyValue> entries = new LinkedHashMap<>();
		entries.put(this.settings.nodeKey("app@127.0.0.5"), broken);
		Map.Entry<String, KeyValue> good = registration("127.0.0.3");
		entries.put(good.getKey(), good.getValue());
		assertThatNoException().isThrownBy(() -> this.discovery.changed(entries, true));
		assertThat(this.listener.last()).isEqualTo(Set.of(new NodeAddress("127.0.0.3", 9401)));
		assertThat(this.listener.failures).singleElement()
			.satisfies((error) -> assertThat(error.getMessage()).contains("/unit/app/app@127.0.0.5"));
		assertThat(output.getOut()).contains("[prod] ignoring /unit/app/app@127.0.0.5");
		// the same unreadable value again is neither logged nor counted twice
		this.discovery.changed(entries, true);
		assertThat(this.listener.failures).hasSize(1);
	}

	@Test
	void aGarbageRecordIsCountedOnceAndTheOthersAreReported() {
		KeyValue garbage = mock(KeyValue.class);
		given(garbage.getValue()).willReturn(EtcdRuntime.bytes("[".repeat(100_000)));
		Map<String, KeyValue> entries = new LinkedHashMap<>();
		entries.put(this.settings.nodeKey("app@127.0.0.5"), garbage);
		Map.Entry<String, KeyValue> good = registration("127.0.0.3");
		entries.put(good.getKey(), good.getValue());
		this.discovery.changed(entries, false);
		this.discovery.changed(entries, false);
		assertThat(this.listener.last()).isEqualTo(Set.of(new NodeAddress("127.0.0.3", 9401)));
		assertThat(this.listener.failures).singleElement()
			.satisfies((error) -> assertThat(error).isInstanceOf(IllegalArgumentException.class));
	}

	@Test
	void aListenerThatThrowsAnErrorIsLoggedAndHearsTheNextAnswer(CapturedOutput output) {
		Recorders.Discovery recorder = this.listener;
		EtcdDiscovery failing = new EtcdDiscovery(this.runtime, Recorders.context("127.0.0.2", 9401),
				new DiscoveryListener() {

					private boolean thrown;

					@Override
					public void discovered(Set<NodeAddress> addresses) {
						if (!this.thrown) {
							this.thrown = true;
							throw new AssertionError("listener bug");
						}
						recorder.discovered(addresses);
					}

					@Override
					public void failed(Throwable error) {
						recorder.failed(error);
					}

				});
		Map.Entry<String, KeyValue> good = registration("127.0.0.3");
		assertThatNoException().isThrownBy(() -> failing.changed(Map.ofEntries(good), false));
		assertThat(output.getOut()).contains("[prod] discovery listener failed");
		assertThat(this.listener.failures).singleElement()
			.satisfies((error) -> assertThat(error).hasMessage("listener bug"));
		// unchanged, but not yet heard: reported again
		failing.changed(Map.ofEntries(good), false);
		assertThat(this.listener.last()).isEqualTo(Set.of(new NodeAddress("127.0.0.3", 9401)));
	}

}
