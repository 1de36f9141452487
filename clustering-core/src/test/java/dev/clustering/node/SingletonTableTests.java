package dev.clustering.node;

import java.time.Instant;
import java.util.List;
import java.util.Set;

import org.junit.jupiter.api.Test;

import dev.clustering.singleton.SingletonState;
import dev.clustering.singleton.SingletonStatus;
import dev.clustering.singleton.StartType;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What the table keeps of the singletons' runs: only known singletons, one entry per node, an
 * active run that no stopped report of another node can hide, and the runs of nodes that no longer
 * report, bounded, until a newer run is confirmed.
 */
class SingletonTableTests {

	private final SingletonTable table = new SingletonTable(Set.of("distro"));

	private static SingletonStatus status(String node, SingletonState state, long token) {
		return new SingletonStatus("distro", node, state, StartType.NORMAL, null, token, Instant.EPOCH);
	}

	@Test
	void aSingletonThisNodeDoesNotKnowIsIgnored() {
		assertThat(this.table.put(new SingletonStatus("forged", "z", SingletonState.RUNNING, StartType.NORMAL, null, 1,
				Instant.EPOCH), 1)).isFalse();
		assertThat(this.table.latest("forged")).isNull();
		assertThat(this.table.of("z")).isEmpty();
	}

	@Test
	void aStoppedReportOfAnotherNodeDoesNotHideAnActiveRun() {
		this.table.put(status("a", SingletonState.RUNNING, 5), 1);
		this.table.put(status("z", SingletonState.STOPPED, 6), 1);
		assertThat(this.table.latest("distro").node()).isEqualTo("a");
		// the run's own node stopping it does end it
		this.table.put(status("a", SingletonState.STOPPED, 5), 1);
		assertThat(this.table.latest("distro").state()).isEqualTo(SingletonState.STOPPED);
		// and a newer active run replaces it
		this.table.put(status("b", SingletonState.RUNNING, 7), 1);
		assertThat(this.table.latest("distro").node()).isEqualTo("b");
	}

	@Test
	void theActiveRunsOfAForgottenNodeStayAsGhostsUntilANewerRunIsConfirmed() {
		this.table.put(status("a", SingletonState.RUNNING, 5), 11);
		this.table.forget("a", 11);
		assertThat(this.table.of("a")).isEmpty();
		assertThat(this.table.ghosts("distro")).singleElement().satisfies((g) -> {
			assertThat(g.status().node()).isEqualTo("a");
			assertThat(g.incarnation()).isEqualTo(11);
		});
		this.table.confirmed("distro", 4);
		assertThat(this.table.ghosts("distro")).hasSize(1);
		this.table.confirmed("distro", 6);
		assertThat(this.table.ghosts("distro")).isEmpty();
	}

	@Test
	void ghostsAreBoundedAndTheLowestTokenGoesFirst() {
		for (int i = 0; i < 40; i++) {
			this.table.put(status("n" + i, SingletonState.RUNNING, 100 + i), 1);
			this.table.forget("n" + i, 1);
		}
		List<SingletonTable.Ghost> ghosts = this.table.ghosts("distro");
		assertThat(ghosts).hasSize(16);
		assertThat(ghosts).allSatisfy((g) -> assertThat(g.status().fencingToken()).isGreaterThanOrEqualTo(124));
	}

	@Test
	void aStoppedRunOfAForgottenNodeLeavesNoGhost() {
		this.table.put(status("a", SingletonState.STOPPED, 5), 1);
		this.table.forget("a", 1);
		assertThat(this.table.ghosts("distro")).isEmpty();
	}

}
