package dev.clustering.autoconfigure;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import org.springframework.boot.test.context.assertj.AssertableApplicationContext;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

import dev.clustering.leadership.LeaderInfo;
import dev.clustering.node.ClusterNode;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * What the registry strategies' auto-configuration tests check alike, as a user would: Spring
 * applications that find each other and agree on one leader.
 */
final class RegistryApplications {

	private RegistryApplications() {
	}

	/**
	 * Runs three applications ({@code cluster.node.name} n1, n2, n3): they become members of each
	 * other and agree on one leader; the leader's context closes, and the two others agree on a new
	 * leader with a larger token.
	 * @param app the applications' runner, with their topology
	 * @param bound how long each wait may take
	 */
	static void threeAgreeOnOneLeaderThatAStopReplacesAtOnce(ApplicationContextRunner app, Duration bound) {
		app.withPropertyValues("cluster.node.name=n1").run((first) -> app.withPropertyValues("cluster.node.name=n2")
			.run((second) -> app.withPropertyValues("cluster.node.name=n3").run((third) -> {
				List<AssertableApplicationContext> contexts = new ArrayList<>(List.of(first, second, third));
				List<ClusterNode> nodes = contexts.stream().map((c) -> c.getBean(ClusterNode.class)).toList();
				await().atMost(bound).until(() -> nodes.stream().allMatch((n) -> n.members().size() == 2));
				LeaderInfo leader = awaitOneLeader(nodes, bound);
				int leading = nodes.stream().map((n) -> n.self().name()).toList().indexOf(leader.name());
				contexts.remove(leading).close();
				List<ClusterNode> rest = contexts.stream().map((c) -> c.getBean(ClusterNode.class)).toList();
				LeaderInfo next = awaitOneLeader(rest, bound);
				assertThat(next.fencingToken()).isGreaterThan(leader.fencingToken());
			})));
	}

	/**
	 * Waits until exactly one of the nodes leads and every one of them names it, with its token.
	 * @param nodes the nodes
	 * @param bound how long to wait
	 * @return the leader they agree on
	 */
	static LeaderInfo awaitOneLeader(List<ClusterNode> nodes, Duration bound) {
		LeaderInfo[] agreed = new LeaderInfo[1];
		await().atMost(bound).until(() -> {
			List<ClusterNode> leading = nodes.stream().filter((n) -> n.leadership().isLeader()).toList();
			if (leading.size() != 1) {
				return false;
			}
			agreed[0] = leading.get(0).leadership().leader().orElse(null);
			return agreed[0] != null && nodes.stream()
				.allMatch((n) -> n.leadership().leader().map((l) -> l.name().equals(agreed[0].name())
						&& l.fencingToken() == agreed[0].fencingToken()).orElse(false));
		});
		return agreed[0];
	}

}
