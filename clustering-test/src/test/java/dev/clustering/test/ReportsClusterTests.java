package dev.clustering.test;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import dev.clustering.leadership.LeaderInfo;
import dev.clustering.singleton.ClusterSingleton;
import dev.clustering.singleton.SingletonContext;
import dev.clustering.singleton.StopReason;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The README's example of the test kit, as a user would write it: three nodes, one singleton.
 */
class ReportsClusterTests {

	// the fencing token of every start, on any node
	final List<Long> starts = new CopyOnWriteArrayList<>();

	@RegisterExtension
	final LoopbackCluster cluster = LoopbackCluster.nodes(3)
		.singleton("reports", () -> new Reports(this.starts))
		.build();

	@Test
	void reportsRunOnOneNodeAndMoveOnWhenThatNodeDies() {
		LeaderInfo leader = this.cluster.awaitLeader();
		String runner = this.cluster.awaitSingletonOn("reports");
		this.cluster.kill(runner);
		String next = this.cluster.awaitSingletonOn("reports");
		assertThat(next).isNotEqualTo(runner);
		// the new run's token is larger: a store that checks tokens refuses the old run's writes
		assertThat(this.starts).hasSize(2);
		assertThat(this.starts.get(1)).isGreaterThan(this.starts.get(0));
		assertThat(this.cluster.awaitLeader().fencingToken()).isGreaterThanOrEqualTo(leader.fencingToken());
	}

	@Test
	void theMinorityOfAPartitionLeadsNothingAndTheMajorityCarriesOn() {
		this.cluster.awaitMembers();
		String leader = LoopbackCluster.shortName(this.cluster.awaitLeader().name());
		List<String> others = this.cluster.names().stream().filter((n) -> !n.equals(leader)).toList();
		this.cluster.partition(List.of(leader), others);
		this.cluster.awaitNotLeading(leader);
		LeaderInfo majority = this.cluster.awaitLeader(others);
		assertThat(others).contains(LoopbackCluster.shortName(majority.name()));
		this.cluster.heal();
		this.cluster.awaitMembers();
		assertThat(this.cluster.awaitLeader().fencingToken()).isGreaterThanOrEqualTo(majority.fencingToken());
	}

	record Reports(List<Long> starts) implements ClusterSingleton {

		@Override
		public void start(SingletonContext context) {
			this.starts.add(context.fencingToken());
		}

		@Override
		public void stop(StopReason reason) {
		}

	}

}
