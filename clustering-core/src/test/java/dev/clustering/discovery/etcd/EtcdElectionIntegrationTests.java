package dev.clustering.discovery.etcd;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

import io.etcd.jetcd.Client;
import io.etcd.jetcd.KeyValue;
import io.etcd.jetcd.options.GetOption;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;

import dev.clustering.discovery.DiscoveryContext;
import dev.clustering.discovery.Recorders;

import static dev.clustering.discovery.etcd.EtcdRuntime.bytes;
import static dev.clustering.discovery.etcd.EtcdRuntime.text;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The election against a real etcd: one leader that every candidate agrees on, with the create
 * revision of its key as fencing token; resignation, crashes with and without {@code nodeCrashed},
 * and a restarted node, each measured.
 */
class EtcdElectionIntegrationTests extends SharedEtcd {

	private static final Duration TTL = EtcdSettings.MIN_TTL;

	private static final Duration BOUND = Duration.ofSeconds(15);

	private final List<AutoCloseable> open = new ArrayList<>();

	private EtcdSettings settings;

	@BeforeEach
	void settings(TestInfo test) {
		this.settings = new EtcdSettings("/election-tests", test.getTestMethod().orElseThrow().getName(), TTL);
	}

	@AfterEach
	void closeAll() throws Exception {
		Collections.reverse(this.open);
		for (AutoCloseable closeable : this.open) {
			closeable.close();
		}
	}

	/** One node: its own client and strategy, campaigning. */
	private final class Candidate {

		final Client client = etcd.client();

		final EtcdStrategy strategy = new EtcdStrategy(this.client, EtcdElectionIntegrationTests.this.settings);

		final DiscoveryContext context;

		final Recorders.Election listener = new Recorders.Election();

		AutoCloseable registration;

		AutoCloseable campaign;

		Candidate(String host) {
			this.context = Recorders.context(host, 9401);
			EtcdElectionIntegrationTests.this.open.add(this.client);
			EtcdElectionIntegrationTests.this.open.add(this.strategy);
		}

		Candidate campaign() {
			this.campaign = this.strategy.campaign(this.context, this.listener);
			EtcdElectionIntegrationTests.this.open.add(this.campaign);
			return this;
		}

		Candidate register() {
			this.registration = this.strategy.register(this.context, new Recorders.Registry());
			EtcdElectionIntegrationTests.this.open.add(this.registration);
			return this;
		}

		String name() {
			return this.context.self().name();
		}

		/** Dies without resigning: its client goes, its lease stays until its TTL runs out. */
		void crash() {
			this.client.close();
			this.strategy.close();
		}

	}

	private List<Candidate> three() {
		return List.of(new Candidate("127.0.0.2").campaign(), new Candidate("127.0.0.3").campaign(),
				new Candidate("127.0.0.4").campaign());
	}

	/** Every candidate's key (and registration, if any) is in etcd, and all agree on the leader. */
	private void awaitSettled(List<Candidate> candidates) {
		await().atMost(BOUND).until(() -> candidacies().size() == candidates.size() && candidates.stream()
			.allMatch((c) -> c.registration == null || lease(this.settings.nodeKey(c.name())) != 0));
		awaitAgreement(candidates);
	}

	private static void awaitAgreement(List<Candidate> candidates) {
		await().atMost(BOUND).until(() -> {
			Recorders.Election first = candidates.get(0).listener;
			return first.leader() != null && candidates.stream()
				.allMatch((c) -> first.leader().equals(c.listener.leader()) && first.token() == c.listener.token());
		});
	}

	private static Candidate leader(List<Candidate> candidates) {
		String leader = candidates.get(0).listener.leader();
		return candidates.stream().filter((c) -> c.name().equals(leader)).findFirst().orElseThrow();
	}

	private List<KeyValue> candidacies() throws Exception {
		return admin
			.getKVClient()
			.get(bytes(this.settings.electionPrefix()), GetOption.builder()
				.isPrefix(true)
				.withSortField(GetOption.SortTarget.CREATE)
				.withSortOrder(GetOption.SortOrder.ASCEND)
				.build())
			.get()
			.getKvs();
	}

	private static long awaitNewLeader(List<Candidate> survivors, String old, long since) {
		await().atMost(BOUND)
			.until(() -> survivors.stream().allMatch((c) -> c.listener.firstLeaderOtherThan(old, since) != null));
		return survivors.stream()
			.mapToLong((c) -> c.listener.firstLeaderOtherThan(old, since).nanos())
			.max()
			.orElseThrow() - since;
	}

	private static void figure(String what, long nanos) {
		System.out.printf("[etcd figure] %s: %.1f ms%n", what, nanos / 1_000_000.0);
	}

	@Test
	void everyCandidateHearsTheSameLeaderAndTokenTheCreateRevisionOfItsKey() throws Exception {
		List<Candidate> candidates = three();
		awaitSettled(candidates);
		Candidate leader = leader(candidates);
		List<KeyValue> keys = candidacies();
		assertThat(keys).hasSize(3);
		assertThat(text(keys.get(0).getValue())).isEqualTo(leader.name());
		assertThat(leader.listener.token()).isEqualTo(keys.get(0).getCreateRevision());
		assertThat(keys.get(0).getLease()).isNotZero();
		// exactly one candidate is told it leads
		assertThat(candidates.stream().filter((c) -> c.name().equals(c.listener.leader()))).hasSize(1);
		// and nobody heard anything else first
		assertThat(candidates).allSatisfy((c) -> assertThat(c.listener.events)
			.allSatisfy((event) -> assertThat(event.leader()).isEqualTo(leader.name())));
	}

	@Test
	void resigningLeaderIsReplacedAtOnceWithALargerToken() throws Exception {
		List<Candidate> candidates = three();
		awaitSettled(candidates);
		Candidate leader = leader(candidates);
		long oldToken = leader.listener.token();
		List<Candidate> others = candidates.stream().filter((c) -> c != leader).toList();
		long start = System.nanoTime();
		leader.campaign.close();
		long closed = System.nanoTime() - start;
		long took = awaitNewLeader(others, leader.name(), start);
		figure("graceful leader stop (close of the campaign) to new leader on every survivor", took);
		figure("  of which the close (lease revocation) itself", closed);
		awaitAgreement(others);
		assertThat(others.get(0).listener.token()).isGreaterThan(oldToken);
		assertThat(took).isLessThan(Duration.ofMillis(500).toNanos());
		assertThat(candidacies()).extracting((kv) -> text(kv.getValue())).doesNotContain(leader.name());
	}

	@Test
	void crashedLeaderIsReplacedOnceItsLeaseExpires() {
		List<Candidate> candidates = three();
		awaitAgreement(candidates);
		Candidate leader = leader(candidates);
		List<Candidate> others = candidates.stream().filter((c) -> c != leader).toList();
		long start = System.nanoTime();
		leader.crash();
		long took = awaitNewLeader(others, leader.name(), start);
		figure("leader crash (client gone, no resign) to new leader, TTL " + TTL.toSeconds() + "s", took);
		awaitAgreement(others);
		// the lease was renewed up to a third of its TTL before the crash
		assertThat(took).isGreaterThan(TTL.dividedBy(2).toNanos()).isLessThan(TTL.multipliedBy(4).toNanos());
	}

	@Test
	void crashedLeaderIsReplacedAtOnceWhenASurvivorReportsTheCrash() {
		List<Candidate> candidates = List.of(new Candidate("127.0.0.2").register().campaign(),
				new Candidate("127.0.0.3").register().campaign(), new Candidate("127.0.0.4").register().campaign());
		awaitSettled(candidates);
		Candidate leader = leader(candidates);
		long oldToken = leader.listener.token();
		List<Candidate> others = candidates.stream().filter((c) -> c != leader).toList();
		long start = System.nanoTime();
		leader.crash();
		// what the engine does when the leader's connection is closed by its operating system
		others.get(0).strategy.nodeCrashed(others.get(0).context, leader.name());
		long took = awaitNewLeader(others, leader.name(), start);
		figure("leader crash + nodeCrashed to new leader", took);
		awaitAgreement(others);
		assertThat(others.get(0).listener.token()).isGreaterThan(oldToken);
		assertThat(took).isLessThan(Duration.ofSeconds(1).toNanos());
	}

	@Test
	void nodeCrashedRevokesOnlyTheNamedNodesLeases() throws Exception {
		List<Candidate> candidates = List.of(new Candidate("127.0.0.2").register().campaign(),
				new Candidate("127.0.0.3").register().campaign(), new Candidate("127.0.0.4").register().campaign());
		awaitSettled(candidates);
		Candidate leader = leader(candidates);
		long token = leader.listener.token();
		Candidate named = candidates.stream().filter((c) -> c != leader).findFirst().orElseThrow();
		Candidate bystander = candidates.stream().filter((c) -> c != leader && c != named).findFirst().orElseThrow();
		long namedLease = lease(this.settings.nodeKey(named.name()));
		long leaderLease = lease(this.settings.nodeKey(leader.name()));
		long bystanderLease = lease(this.settings.nodeKey(bystander.name()));
		// its own name, and a name nobody has, are ignored
		leader.strategy.nodeCrashed(leader.context, leader.name());
		leader.strategy.nodeCrashed(leader.context, "nobody@127.0.0.9");
		leader.strategy.nodeCrashed(leader.context, named.name());
		// the named node was in fact alive: it registers and campaigns again, with a new lease
		await().atMost(BOUND).until(() -> {
			long now = lease(this.settings.nodeKey(named.name()));
			return now != 0 && now != namedLease;
		});
		assertThat(lease(this.settings.nodeKey(leader.name()))).isEqualTo(leaderLease);
		assertThat(lease(this.settings.nodeKey(bystander.name()))).isEqualTo(bystanderLease);
		await().atMost(BOUND).until(() -> candidacies().size() == 3);
		List<KeyValue> keys = candidacies();
		assertThat(text(keys.get(0).getValue())).isEqualTo(leader.name());
		assertThat(text(keys.get(2).getValue())).as("the named node queues again at the back")
			.isEqualTo(named.name());
		assertThat(candidates).allSatisfy((c) -> {
			assertThat(c.listener.leader()).isEqualTo(leader.name());
			assertThat(c.listener.token()).isEqualTo(token);
		});
	}

	@Test
	void waitingCandidateThatClosesWithdrawsAtOnceAndTheLeaderStays() throws Exception {
		List<Candidate> candidates = three();
		awaitSettled(candidates);
		Candidate leader = leader(candidates);
		long token = leader.listener.token();
		Candidate waiting = candidates.stream().filter((c) -> c != leader).findFirst().orElseThrow();
		waiting.campaign.close();
		assertThat(candidacies()).extracting((kv) -> text(kv.getValue())).hasSize(2).doesNotContain(waiting.name());
		await().during(Duration.ofMillis(300)).atMost(BOUND).until(() -> candidates.stream()
			.filter((c) -> c != waiting)
			.allMatch((c) -> leader.name().equals(c.listener.leader()) && c.listener.token() == token));
	}

	@Test
	void restartedNodeWithdrawsItsEarlierCandidacyInsteadOfWaitingForIt() {
		List<Candidate> candidates = three();
		awaitAgreement(candidates);
		Candidate leader = leader(candidates);
		List<Candidate> others = candidates.stream().filter((c) -> c != leader).toList();
		leader.crash();
		long start = System.nanoTime();
		// the same node name, in a new process: its earlier candidacy is dead and goes
		Candidate restarted = new Candidate(leader.context.self().address().host()).campaign();
		long took = awaitNewLeader(others, leader.name(), start);
		figure("restarted leader (same name) campaigns to new leader", took);
		List<Candidate> now = List.of(others.get(0), others.get(1), restarted);
		awaitAgreement(now);
		assertThat(restarted.listener.leader()).isNotEqualTo(restarted.name());
		assertThat(took).isLessThan(TTL.toNanos());
	}

	@Test
	void tokensGrowStrictlyFromLeaderToLeader() throws Exception {
		List<Candidate> candidates = new ArrayList<>(three());
		awaitSettled(candidates);
		// the candidate last in line hears two leaders step down before it leads
		String last = text(candidacies().get(2).getValue());
		Candidate observer = candidates.stream().filter((c) -> c.name().equals(last)).findFirst().orElseThrow();
		for (int round = 0; round < 2; round++) {
			Candidate leader = leader(candidates);
			assertThat(leader).isNotSameAs(observer);
			long since = System.nanoTime();
			leader.campaign.close();
			candidates.remove(leader);
			candidates.add(new Candidate("127.0.0." + (10 + round)).campaign());
			awaitNewLeader(List.of(observer), leader.name(), since);
			awaitAgreement(candidates);
		}
		assertThat(observer.listener.leader()).isEqualTo(observer.name());
		List<Long> tokens = observer.listener.events.stream()
			.filter((e) -> !e.unknown())
			.map(Recorders.Election.Event::token)
			.toList();
		assertThat(tokens).hasSize(3).isSorted().doesNotHaveDuplicates();
	}

	private long lease(String key) {
		try {
			List<KeyValue> kvs = admin.getKVClient().get(bytes(key)).get().getKvs();
			return kvs.isEmpty() ? 0 : kvs.get(0).getLease();
		}
		catch (Exception ex) {
			throw new IllegalStateException(ex);
		}
	}

}
