package dev.clustering.node;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;

import org.junit.jupiter.api.Test;

import dev.clustering.leadership.LeaderInfo;
import dev.clustering.leadership.RevocationReason;
import dev.clustering.transport.FrameCodec;
import dev.clustering.transport.Message;

import static dev.clustering.node.ElectionSimulation.MS;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The vote-based election with leases, on a simulated network and a fake clock: every rule of
 * {@link Election} has a named test, and a randomized run checks that no two nodes ever lead at
 * the same instant and that tokens grow from one leader to the next, whatever the partitions,
 * delays, stalls and crashes.
 */
class ElectionTests {

	private static final long LEASE = 2000 * MS;

	private static final long STEP = 10 * MS;

	private final List<String> violations = new ArrayList<>();

	private Runnable invariants(ElectionSimulation sim) {
		return () -> {
			List<String> leaders = sim.leadersNow();
			if (leaders.size() > 1) {
				this.violations.add("at " + sim.now / MS + " ms two leaders: " + leaders);
			}
		};
	}

	@Test
	void theOldestNodeIsElectedAndEveryoneFollowsIt() {
		ElectionSimulation sim = new ElectionSimulation(3, LEASE, 1);
		sim.run(4 * LEASE, STEP, invariants(sim));
		assertThat(sim.leadersNow()).containsExactly("n0@h");
		for (ElectionSimulation.Sim node : sim.nodes) {
			assertThat(node.view()).isNotNull().extracting(LeaderInfo::name).isEqualTo("n0@h");
		}
		assertThat(sim.wins).hasSize(1);
		assertThat(sim.wins.get(0)[1]).isGreaterThanOrEqualTo(1_800_000_000_000L);
		assertThat(this.violations).isEmpty();
	}

	@Test
	void aNewNodeDoesNotTakeLeadershipFromAWorkingLeader() {
		ElectionSimulation sim = new ElectionSimulation(3, LEASE, 2);
		sim.node(2).crash();
		sim.run(4 * LEASE, STEP, invariants(sim));
		assertThat(sim.leadersNow()).containsExactly("n0@h");
		sim.node(2).restart();
		sim.run(4 * LEASE, STEP, invariants(sim));
		assertThat(sim.leadersNow()).containsExactly("n0@h");
		assertThat(sim.node(2).view().name()).isEqualTo("n0@h");
		assertThat(sim.wins).hasSize(1);
	}

	@Test
	void aLeaderWhoseProcessDiedIsReplacedAtOnceWithALargerToken() {
		ElectionSimulation sim = new ElectionSimulation(3, LEASE, 3);
		sim.run(4 * LEASE, STEP, invariants(sim));
		long first = sim.wins.get(0)[1];
		long crashedAt = sim.now;
		sim.node(0).crash();
		sim.run(LEASE / 2, STEP, invariants(sim));
		assertThat(sim.leadersNow()).containsExactly("n1@h");
		assertThat(sim.wins).hasSize(2);
		assertThat(sim.wins.get(1)[1]).isGreaterThan(first);
		// a round trip or two, not a lease: the supporters were freed by the crash
		assertThat(sim.wins.get(1)[0] - crashedAt).isLessThan(100 * MS);
		assertThat(this.violations).isEmpty();
	}

	@Test
	void aLeaderCutOffFromTheMajorityStopsLeadingBeforeTheMajorityElectsAnother() {
		ElectionSimulation sim = new ElectionSimulation(5, LEASE, 4);
		sim.detectionLagNanos = LEASE;
		sim.run(4 * LEASE, STEP, invariants(sim));
		assertThat(sim.leadersNow()).containsExactly("n0@h");
		sim.cutBetween(Set.of(0, 1), Set.of(2, 3, 4));
		long leaseEnded = -1;
		long end = sim.now + 6 * LEASE;
		while (sim.now - end < 0) {
			sim.step(STEP);
			invariants(sim).run();
			if (leaseEnded < 0 && sim.node(0).election.ownLeadership(sim.now) == null) {
				leaseEnded = sim.now;
			}
		}
		assertThat(sim.leadersNow()).containsExactly("n2@h");
		assertThat(leaseEnded).isPositive().isLessThan(sim.wins.get(1)[0]);
		assertThat(sim.node(0).revoked).contains(RevocationReason.QUORUM_LOST);
		assertThat(this.violations).isEmpty();
	}

	@Test
	void aMajorityCutFromItsLeaderNodeByNodeElectsANewLeaderSoonAfterThePromisesEnd() {
		// the cut reaches the voters one after another (as blackhole routes set node by node do), so their
		// promises to the old leader end at different times: a candidate that asks too early must not give
		// up on those that are still bound, nor keep bound those that voted for it, until a lease later
		long worst = 0;
		for (long seed = 200; seed < 230; seed++) {
			ElectionSimulation sim = new ElectionSimulation(5, LEASE, seed);
			sim.detectionLagNanos = 13 * LEASE / 10;
			sim.run(4 * LEASE, STEP, invariants(sim));
			assertThat(sim.leadersNow()).containsExactly("n0@h");
			Random random = new Random(seed);
			List<long[]> cuts = new ArrayList<>();
			int partner = 1 + random.nextInt(4);
			List<Integer> majority = new ArrayList<>(List.of(1, 2, 3, 4));
			majority.remove(Integer.valueOf(partner));
			for (int a : List.of(0, partner)) {
				for (int b : majority) {
					cuts.add(new long[] { a, b, (long) (random.nextDouble() * 1000) * MS });
				}
			}
			long start = sim.now;
			long lastCut = start + cuts.stream().mapToLong((c) -> c[2]).max().orElseThrow();
			int wins = sim.wins.size();
			while (sim.wins.size() == wins && sim.now - (lastCut + 10 * LEASE) < 0) {
				for (long[] c : cuts) {
					if (sim.now - (start + c[2]) >= 0) {
						sim.cutBetween(Set.of((int) c[0]), Set.of((int) c[1]));
					}
				}
				sim.step(STEP);
				invariants(sim).run();
			}
			assertThat(sim.wins).as("seed %d", seed).hasSizeGreaterThan(wins);
			worst = Math.max(worst, sim.wins.get(wins)[0] - lastCut);
			assertThat(this.violations).as("seed %d", seed).isEmpty();
		}
		// each voter is free at most a lease after the last renewal it heard; the next candidate by age
		// stands within half a lease of that
		assertThat(worst / MS).isLessThanOrEqualTo(2 * LEASE / MS);
	}

	@Test
	void aVoteIsNoLeadershipAndACandidateThatGivesUpFreesItsVoters() {
		ElectionSimulation sim = new ElectionSimulation(3, LEASE, 16);
		sim.cutBetween(Set.of(0), Set.of(1, 2));
		sim.cutBetween(Set.of(1), Set.of(2));
		sim.run(2 * LEASE, STEP, invariants(sim));
		// the links work again (so what the voter answers is sent) but no node acts by itself from here
		sim.heal();
		ElectionSimulation.Sim voter = sim.node(1);
		long token = sim.clock.millis() + 1;
		voter.election.received("n2@h", new Message.VoteRequest(token, 3, 2000), voter.roster());
		assertThat(votesSent(sim, "n2@h")).singleElement().satisfies((vote) -> assertThat(vote.granted()).isTrue());
		// the candidate has not won: nobody leads as far as the voter knows
		assertThat(voter.view()).isNull();
		// bound by its vote, it refuses another candidate, without naming the first (it leads nothing)
		voter.election.received("n0@h", new Message.VoteRequest(token + 1, 3, 2000), voter.roster());
		assertThat(votesSent(sim, "n0@h")).singleElement().satisfies((vote) -> {
			assertThat(vote.granted()).isFalse();
			assertThat(vote.leader()).isEmpty();
		});
		// the first candidate withdraws: the voter is free at once, not a lease later
		voter.election.received("n2@h", new Message.Resign(token), voter.roster());
		voter.election.received("n0@h", new Message.VoteRequest(token + 2, 3, 2000), voter.roster());
		assertThat(votesSent(sim, "n0@h")).singleElement().satisfies((vote) -> assertThat(vote.granted()).isTrue());
	}

	private static List<Message.Vote> votesSent(ElectionSimulation sim, String to) {
		List<Message.Vote> votes = new ArrayList<>();
		sim.inFlight.removeIf((e) -> {
			if (e.to().name.equals(to) && e.message() instanceof Message.Vote vote) {
				votes.add(vote);
				return true;
			}
			return false;
		});
		return votes;
	}

	@Test
	void aNodeCutFromTheLeaderAloneDoesNotLeadAndLearnsWhoDoes() {
		// the bridge: n0 and n2 cannot see each other; both see n1
		ElectionSimulation sim = new ElectionSimulation(3, LEASE, 5);
		sim.run(4 * LEASE, STEP, invariants(sim));
		sim.cutBetween(Set.of(0), Set.of(2));
		sim.run(10 * LEASE, STEP, invariants(sim));
		assertThat(sim.leadersNow()).containsExactly("n0@h");
		assertThat(sim.wins).hasSize(1);
		assertThat(sim.node(2).view()).isNotNull().extracting(LeaderInfo::name).isEqualTo("n0@h");
		assertThat(this.violations).isEmpty();
	}

	@Test
	void aMemberThatStopsHearingRenewalsNoLongerCountsAsSupportingTheLeader() {
		// one way cut: n0 (the leader) still hears n2, but n2 no longer hears n0, so n2 holds no
		// permit and a singleton placed on it would not run
		ElectionSimulation sim = new ElectionSimulation(3, LEASE, 11);
		sim.reachableByHearing = true;
		sim.run(4 * LEASE, STEP, invariants(sim));
		Election leader = sim.node(0).election;
		assertThat(leader.supportsMe("n1@h")).isTrue();
		assertThat(leader.supportsMe("n2@h")).isTrue();
		sim.cut.add("0>2");
		sim.run(LEASE, STEP, invariants(sim));
		assertThat(sim.leadersNow()).containsExactly("n0@h");
		assertThat(leader.supportsMe("n1@h")).isTrue();
		assertThat(leader.supportsMe("n2@h")).isFalse();
		sim.heal();
		sim.run(LEASE, STEP, invariants(sim));
		assertThat(leader.supportsMe("n2@h")).isTrue();
		assertThat(this.violations).isEmpty();
	}

	@Test
	void aStalledLeaderStopsLeadingByTheClockAlone() {
		ElectionSimulation sim = new ElectionSimulation(3, LEASE, 6);
		sim.run(4 * LEASE, STEP, invariants(sim));
		ElectionSimulation.Sim leader = sim.node(0);
		leader.stall(10 * LEASE);
		// nothing runs on its loop, yet by the lease's end whoever asks hears it does not lead
		sim.run(LEASE, STEP, invariants(sim));
		assertThat(leader.election.ownLeadership(sim.now)).isNull();
		sim.run(4 * LEASE, STEP, invariants(sim));
		assertThat(sim.leadersNow()).containsExactly("n1@h");
		assertThat(this.violations).isEmpty();
	}

	@Test
	void aStalledLeaderThatComesBackFollowsTheNewLeader() {
		ElectionSimulation sim = new ElectionSimulation(3, LEASE, 7);
		sim.run(4 * LEASE, STEP, invariants(sim));
		sim.node(0).stall(4 * LEASE);
		sim.run(8 * LEASE, STEP, invariants(sim));
		assertThat(sim.leadersNow()).containsExactly("n1@h");
		for (ElectionSimulation.Sim node : sim.nodes) {
			assertThat(node.view().name()).isEqualTo("n1@h");
		}
		assertThat(this.violations).isEmpty();
	}

	@Test
	void aRestartedVoterDoesNotVoteForALease() {
		ElectionSimulation sim = new ElectionSimulation(3, LEASE, 8);
		sim.run(4 * LEASE, STEP, invariants(sim));
		ElectionSimulation.Sim voter = sim.node(1);
		voter.crash();
		voter.restart();
		List<String> voted = new ArrayList<>();
		voter.election.received("n2@h", new Message.VoteRequest(Long.MAX_VALUE >> 21, 3, 2000),
				voter.roster());
		sim.inFlight.forEach((e) -> {
			if (e.message() instanceof Message.Vote vote && vote.granted()) {
				voted.add(e.to().name);
			}
		});
		assertThat(voted).isEmpty();
	}

	@Test
	void yieldingHandsLeadershipToTheNextAndTheYielderWaits() {
		ElectionSimulation sim = new ElectionSimulation(3, LEASE, 9);
		sim.run(4 * LEASE, STEP, invariants(sim));
		sim.node(0).election.yieldLeadership(sim.node(0).roster());
		sim.run(LEASE, STEP, invariants(sim));
		assertThat(sim.leadersNow()).containsExactly("n1@h");
		assertThat(sim.node(0).revoked).containsExactly(RevocationReason.YIELDED);
		sim.run(4 * LEASE, STEP, invariants(sim));
		assertThat(sim.leadersNow()).containsExactly("n1@h");
		assertThat(this.violations).isEmpty();
	}

	@Test
	void aLeaderThatLeavesFreesItsSupportersAtOnce() {
		ElectionSimulation sim = new ElectionSimulation(3, LEASE, 10);
		sim.run(4 * LEASE, STEP, invariants(sim));
		long leftAt = sim.now;
		sim.node(0).election.leave(sim.node(0).roster());
		sim.node(0).alive = false;
		sim.run(LEASE / 4, STEP, invariants(sim));
		assertThat(sim.leadersNow()).containsExactly("n1@h");
		assertThat(sim.wins.get(1)[0] - leftAt).isLessThan(100 * MS);
		assertThat(sim.node(0).revoked).containsExactly(RevocationReason.SHUTDOWN);
	}

	@Test
	void noQuorumNoLeader() {
		ElectionSimulation sim = new ElectionSimulation(3, LEASE, 11);
		sim.cutBetween(Set.of(0), Set.of(1, 2));
		sim.cutBetween(Set.of(1), Set.of(2));
		sim.run(6 * LEASE, STEP, invariants(sim));
		assertThat(sim.leadersNow()).isEmpty();
		assertThat(sim.wins).isEmpty();
		sim.heal();
		sim.run(6 * LEASE, STEP, invariants(sim));
		assertThat(sim.leadersNow()).hasSize(1);
	}

	@Test
	void afterAHealEveryNodeSeesTheSameLeader() {
		ElectionSimulation sim = new ElectionSimulation(5, LEASE, 12);
		sim.detectionLagNanos = LEASE;
		sim.run(4 * LEASE, STEP, invariants(sim));
		sim.cutBetween(Set.of(0, 1, 2), Set.of(3, 4));
		sim.run(6 * LEASE, STEP, invariants(sim));
		sim.heal();
		sim.run(3 * LEASE, STEP, invariants(sim));
		LeaderInfo leader = sim.node(0).view();
		assertThat(leader).isNotNull();
		for (ElectionSimulation.Sim node : sim.nodes) {
			assertThat(node.view()).isNotNull().satisfies((view) -> {
				assertThat(view.name()).isEqualTo(leader.name());
				assertThat(view.fencingToken()).isEqualTo(leader.fencingToken());
			});
		}
		assertThat(this.violations).isEmpty();
	}

	@Test
	void aMinorityThatTriedToElectFollowsTheLeaderSoonAfterTheHeal() {
		long worst = 0;
		for (long seed = 300; seed < 320; seed++) {
			ElectionSimulation sim = new ElectionSimulation(5, LEASE, seed);
			sim.detectionLagNanos = LEASE;
			sim.run(4 * LEASE, STEP, invariants(sim));
			String leader = sim.leadersNow().get(0);
			int leaderIndex = Integer.parseInt(leader.substring(1, leader.indexOf('@')));
			List<Integer> others = new ArrayList<>(List.of(0, 1, 2, 3, 4));
			others.remove(Integer.valueOf(leaderIndex));
			Set<Integer> minority = Set.of(others.get(0), others.get(1));
			Set<Integer> majority = new HashSet<>(Set.of(0, 1, 2, 3, 4));
			majority.removeAll(minority);
			sim.cutBetween(minority, majority);
			sim.run(3 * LEASE, STEP, invariants(sim));
			sim.heal();
			long healed = sim.now;
			long agreed = -1;
			while (sim.now - healed < 10 * LEASE) {
				sim.step(STEP);
				invariants(sim).run();
				List<String> leaders = sim.leadersNow();
				if (leaders.size() == 1) {
					Election elected = sim.nodes.stream().filter((n) -> n.name.equals(leaders.get(0))).findFirst()
						.orElseThrow().election;
					boolean all = sim.nodes.stream().allMatch((n) -> n.view() != null
							&& n.view().name().equals(leaders.get(0))
							&& (n.name.equals(leaders.get(0)) || elected.supportsMe(n.name)));
					if (all) {
						agreed = sim.now;
						break;
					}
				}
			}
			assertThat(agreed).as("seed %d: every node follows one leader after the heal", seed).isPositive();
			worst = Math.max(worst, agreed - healed);
			assertThat(this.violations).as("seed %d", seed).isEmpty();
		}
		assertThat(worst / MS).isLessThanOrEqualTo(2 * LEASE / MS);
	}

	@Test
	void aCandidateThatHearsALeaderRenewFollowsIt() {
		ElectionSimulation sim = new ElectionSimulation(3, LEASE, 18);
		sim.run(4 * LEASE, STEP, invariants(sim));
		assertThat(sim.leadersNow()).containsExactly("n0@h");
		long token = sim.node(0).election.leadingToken();
		// n1 stops hearing n0 and stands (n2 still supports n0 and refuses)
		sim.cutBetween(Set.of(0), Set.of(1));
		boolean standing = false;
		for (int i = 0; i < 3 * LEASE / STEP && !standing; i++) {
			sim.step(STEP);
			standing = sim.inFlight.stream()
				.anyMatch((e) -> e.from().name.equals("n1@h") && e.message() instanceof Message.VoteRequest);
		}
		assertThat(standing).isTrue();
		// the link heals and n0's renewal reaches the candidate: it follows n0 rather than stay a candidate
		sim.heal();
		sim.inFlight.clear();
		ElectionSimulation.Sim candidate = sim.node(1);
		candidate.election.received("n0@h", new Message.LeaseRenew(token, 1_000, 0, 3, 2000), candidate.roster());
		assertThat(sim.inFlight).anySatisfy((e) -> {
			assertThat(e.to().name).isEqualTo("n0@h");
			assertThat(e.message()).isInstanceOfSatisfying(Message.LeaseAck.class,
					(ack) -> assertThat(ack.token()).isEqualTo(token));
		});
		assertThat(candidate.view()).isNotNull().extracting(LeaderInfo::name).isEqualTo("n0@h");
		assertThat(this.violations).isEmpty();
	}

	@Test
	void nodesWhoseDiscoveryListsFewerNodesCannotFormASecondMajority() {
		// every node's discovery lists only n2 and n3: they meet everyone and know of 4; n0 and n1 (the
		// oldest) know of 3 and never meet each other
		ElectionSimulation sim = new ElectionSimulation(4, LEASE, 13);
		sim.known.put(0, 3);
		sim.known.put(1, 3);
		sim.cutBetween(Set.of(0), Set.of(1));
		sim.run(10 * LEASE, STEP, invariants(sim));
		assertThat(sim.leadersNow()).hasSize(1).first().isIn("n2@h", "n3@h");
		assertThat(this.violations).isEmpty();
	}

	@Test
	void aNodeThatStillCountsADepartedNodeVotesWhenTheQuorumIsTheSame() {
		// n4 said goodbye: the others count 4 nodes; n0 restarts after that and, not having heard the
		// goodbye, counts its listed address (5 nodes); then n1 dies. 4 and 5 nodes both need 3 votes,
		// so n0's vote must count, or the three nodes left can never elect
		ElectionSimulation sim = new ElectionSimulation(5, LEASE, 17);
		sim.run(4 * LEASE, STEP, invariants(sim));
		sim.node(4).election.leave(sim.node(4).roster());
		sim.node(4).crash();
		for (int i = 0; i < 4; i++) {
			sim.known.put(i, 4);
		}
		sim.node(0).crash();
		sim.node(0).restart();
		sim.known.put(0, 5);
		sim.node(1).crash();
		sim.run(6 * LEASE, STEP, invariants(sim));
		assertThat(sim.leadersNow()).hasSize(1).first().isIn("n2@h", "n3@h");
		assertThat(sim.node(0).view()).isNotNull().extracting(LeaderInfo::name).isEqualTo(sim.leadersNow().get(0));
		assertThat(this.violations).isEmpty();
	}

	@Test
	void aPromiseLastsAtLeastTheLeadersLeaseWhenLeasesDiffer() {
		// n0 runs with a lease twice as long as the others': its voters must promise that long
		ElectionSimulation sim = new ElectionSimulation(3, LEASE, 14);
		sim.node(0).election = new Election("n0@h", 2 * LEASE, sim.clock, () -> sim.now,
				(to, message) -> sim.send(sim.node(0), to, message), new Election.Listener() {
					@Override
					public void won(long token) {
						sim.wins.add(new long[] { sim.now, token });
					}

					@Override
					public void lost(long token, RevocationReason reason) {
					}
				});
		sim.run(6 * LEASE, STEP, invariants(sim));
		// hand leadership to n0, the node with the longer lease
		for (int i = 0; i < 5 && !sim.leadersNow().equals(List.of("n0@h")); i++) {
			ElectionSimulation.Sim leader = sim.nodes.stream()
				.filter((n) -> sim.leadersNow().contains(n.name))
				.findFirst()
				.orElseThrow();
			leader.election.yieldLeadership(leader.roster());
			sim.run(2 * LEASE, STEP, invariants(sim));
		}
		assertThat(sim.leadersNow()).containsExactly("n0@h");
		// n0 notices the cut late: only its lease stops it
		sim.detectionLagNanos = 6 * LEASE;
		sim.cutBetween(Set.of(0), Set.of(1, 2));
		sim.run(8 * LEASE, STEP, invariants(sim));
		assertThat(sim.leadersNow()).hasSize(1);
		assertThat(this.violations).isEmpty();
	}

	@Test
	void aTokenFarAheadOfTheClockCannotDisableElections() {
		ElectionSimulation sim = new ElectionSimulation(3, LEASE, 15);
		sim.run(4 * LEASE, STEP, invariants(sim));
		// a member that lies asks everyone for a vote with the largest token the wire allows
		for (ElectionSimulation.Sim node : sim.nodes) {
			node.election.received("n9@h", new Message.VoteRequest(
					FrameCodec.MAX_LEADER_TOKEN, 3, 2000), node.roster());
		}
		long before = sim.wins.get(0)[1];
		sim.node(0).crash();
		sim.run(LEASE, STEP, invariants(sim));
		assertThat(sim.leadersNow()).containsExactly("n1@h");
		assertThat(sim.wins.get(1)[1]).isGreaterThan(before).isLessThan(FrameCodec.MAX_LEADER_TOKEN);
		assertThat(this.violations).isEmpty();
	}

	@Test
	void neverTwoLeadersAndTokensOnlyGrowUnderRandomFaults() {
		for (long seed = 100; seed < Long.getLong("election.seeds", 130); seed++) {
			ElectionSimulation sim = new ElectionSimulation(5, LEASE, seed);
			sim.maxDelayNanos = 300 * MS;
			sim.loss = 0.05;
			sim.detectionLagNanos = 3 * LEASE;
			Random random = new Random(seed);
			for (int round = 0; round < 40; round++) {
				int fault = random.nextInt(6);
				int victim = random.nextInt(5);
				switch (fault) {
					case 0 -> {
						Set<Integer> side = new HashSet<>();
						for (int i = 0; i < 5; i++) {
							if (random.nextBoolean()) {
								side.add(i);
							}
						}
						Set<Integer> other = new HashSet<>(Set.of(0, 1, 2, 3, 4));
						other.removeAll(side);
						sim.cutBetween(side, other);
					}
					case 1 -> sim.cutBetween(Set.of(victim), Set.of((victim + 1 + random.nextInt(4)) % 5));
					case 2 -> sim.node(victim).stall((long) (random.nextDouble() * 3 * LEASE));
					case 3 -> {
						if (sim.node(victim).alive) {
							sim.node(victim).crash();
						}
						else {
							sim.node(victim).restart();
						}
					}
					case 4 -> sim.heal();
					default -> {
						// quiet
					}
				}
				sim.run((long) (random.nextDouble() * 3 * LEASE), STEP, invariants(sim));
			}
			for (int i = 1; i < sim.wins.size(); i++) {
				assertThat(sim.wins.get(i)[1]).as("seed %d: token of win %d", seed, i)
					.isGreaterThan(sim.wins.get(i - 1)[1]);
			}
			assertThat(this.violations).as("seed %d", seed).isEmpty();
		}
	}

}
