package dev.clustering.autoconfigure;

import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.junit.jupiter.api.Test;

import org.springframework.context.ApplicationEvent;

import dev.clustering.discovery.RegistryDisconnectedEvent;
import dev.clustering.discovery.RegistryReconnectedEvent;
import dev.clustering.leadership.LeaderElectedEvent;
import dev.clustering.leadership.LeadershipRevokedEvent;
import dev.clustering.leadership.RevocationReason;
import dev.clustering.membership.LeaveReason;
import dev.clustering.membership.Member;
import dev.clustering.membership.MemberStatus;
import dev.clustering.membership.NodeAddress;
import dev.clustering.membership.NodeJoinedEvent;
import dev.clustering.membership.NodeLeftEvent;
import dev.clustering.node.EngineEvent;
import dev.clustering.singleton.SingletonStoppedEvent;
import dev.clustering.singleton.StopReason;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Each engine event becomes the application event a Spring user listens for, with the same values.
 */
class ClusterApplicationEventsTests {

	private static final Instant AT = Instant.parse("2026-01-01T00:00:00Z");

	private final Object source = new Object();

	private final Member member = new Member("bcd@h", new NodeAddress("127.0.0.1", 9402), 7, MemberStatus.UP,
			Set.of("local"), AT, Map.of());

	@Test
	void membershipEventsKeepTheMemberTheReasonAndTheTime() {
		ApplicationEvent joined = ClusterApplicationEvents.of(this.source,
				new EngineEvent.MemberJoined("abc@h", this.member, AT));
		assertThat(joined).isInstanceOfSatisfying(NodeJoinedEvent.class, (e) -> {
			assertThat(e.getSource()).isSameAs(this.source);
			assertThat(e.getLocalNode()).isEqualTo("abc@h");
			assertThat(e.getMember()).isEqualTo(this.member);
			assertThat(e.getTimestamp()).isEqualTo(AT.toEpochMilli());
		});
		ApplicationEvent left = ClusterApplicationEvents.of(this.source,
				new EngineEvent.MemberLeft("abc@h", this.member, LeaveReason.UNREACHABLE, AT));
		assertThat(left).isInstanceOfSatisfying(NodeLeftEvent.class, (e) -> {
			assertThat(e.getNodeName()).isEqualTo("bcd@h");
			assertThat(e.getReason()).isEqualTo(LeaveReason.UNREACHABLE);
		});
	}

	@Test
	void leadershipEventsKeepTheTokenAndEveryReason() {
		assertThat(ClusterApplicationEvents.of(this.source, new EngineEvent.LeaderElected("abc@h", "abc@h", 42)))
			.isInstanceOfSatisfying(LeaderElectedEvent.class, (e) -> {
				assertThat(e.isLocal()).isTrue();
				assertThat(e.getFencingToken()).isEqualTo(42);
			});
		assertThat(Arrays.stream(LeadershipRevokedEvent.Reason.values()).map(Enum::name))
			.containsExactlyElementsOf(Arrays.stream(RevocationReason.values()).map(Enum::name).toList());
		for (RevocationReason reason : RevocationReason.values()) {
			assertThat(ClusterApplicationEvents.of(this.source, new EngineEvent.LeadershipRevoked("abc@h", 42, reason)))
				.isInstanceOfSatisfying(LeadershipRevokedEvent.class, (e) -> {
					assertThat(e.getReason().name()).isEqualTo(reason.name());
					assertThat(e.getFencingToken()).isEqualTo(42);
				});
		}
	}

	@Test
	void singletonAndRegistryEvents() {
		assertThat(ClusterApplicationEvents.of(this.source,
				new EngineEvent.SingletonStopped("abc@h", "distro", StopReason.TAKEOVER, 9)))
			.isInstanceOfSatisfying(SingletonStoppedEvent.class, (e) -> {
				assertThat(e.getName()).isEqualTo("distro");
				assertThat(e.getNode()).isEqualTo("abc@h");
				assertThat(e.getReason()).isEqualTo(StopReason.TAKEOVER);
				assertThat(e.getFencingToken()).isEqualTo(9);
			});
		IllegalStateException error = new IllegalStateException("etcd down");
		List<ApplicationEvent> registry = List.of(
				ClusterApplicationEvents.of(this.source, new EngineEvent.RegistryDisconnected("abc@h", "prod", error)),
				ClusterApplicationEvents.of(this.source, new EngineEvent.RegistryReconnected("abc@h", "prod")));
		assertThat(registry.get(0)).isInstanceOfSatisfying(RegistryDisconnectedEvent.class, (e) -> {
			assertThat(e.getTopology()).isEqualTo("prod");
			assertThat(e.getError()).isSameAs(error);
		});
		assertThat(registry.get(1)).isInstanceOfSatisfying(RegistryReconnectedEvent.class,
				(e) -> assertThat(e.getLocalNode()).isEqualTo("abc@h"));
	}

}
