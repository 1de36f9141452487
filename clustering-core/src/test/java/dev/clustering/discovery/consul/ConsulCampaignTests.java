package dev.clustering.discovery.consul;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import dev.clustering.discovery.DiscoveryContext;
import dev.clustering.discovery.Recorders;
import dev.clustering.transport.FrameCodec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;
import static org.awaitility.Awaitility.await;

/**
 * The election against a fake agent: whoever holds the leader key's lock leads with its
 * {@code ModifyIndex}, every candidate hears it, and a resignation, an invalidated session, an
 * unreachable agent or a crashed leader's clean-up moves leadership on with a larger token. Each
 * candidate is a strategy of its own, as separate processes would run, registered and campaigning.
 */
class ConsulCampaignTests {

	private static final Duration BOUND = Duration.ofSeconds(10);

	// waits on the session renewal (every third of the 10 s session TTL), then on the campaign's pause
	private static final Duration RENEWAL_BOUND = Duration.ofSeconds(20);

	private final FakeConsul consul = new FakeConsul();

	private final List<ConsulStrategy> strategies = new ArrayList<>();

	private final ConsulSettings settings = settings(Duration.ZERO);

	private final String key = this.settings.leaderKey();

	@AfterEach
	void close() {
		this.strategies.forEach(ConsulStrategy::close);
	}

	// checks passed every 2 s, vouched for 5.4 s after each; sessions of 10 s
	private static ConsulSettings settings(Duration lockDelay) {
		return new ConsulSettings("shop-dist", "cluster", List.of(), Duration.ofSeconds(6), Duration.ofMinutes(1),
				Duration.ofSeconds(10), lockDelay, Duration.ofSeconds(2));
	}

	/** A node's process: its strategy, registration and candidacy. */
	private record Candidate(String name, DiscoveryContext context, ConsulStrategy strategy,
			Recorders.Registry registry, ConsulCampaign campaign, Recorders.Election election) {

		boolean leadsNow(long token) {
			return this.campaign.leadsUntilNanos(token) - System.nanoTime() > 0;
		}

		boolean heard(String leader, long token) {
			return leader.equals(this.election.leader()) && this.election.token() == token;
		}

	}

	private Candidate candidate(String host) {
		return candidate(host, this.settings);
	}

	private Candidate candidate(String host, ConsulSettings settings) {
		ConsulStrategy strategy = new ConsulStrategy(this.consul, settings);
		this.strategies.add(strategy);
		DiscoveryContext context = Recorders.context(host, 9401);
		Recorders.Registry registry = new Recorders.Registry();
		strategy.register(context, registry);
		Recorders.Election election = new Recorders.Election();
		ConsulCampaign campaign = (ConsulCampaign) strategy.campaign(context, election);
		return new Candidate(context.self().name(), context, strategy, registry, campaign, election);
	}

	private static <T> List<T> since(List<T> list, int from) {
		List<T> copy = List.copyOf(list);
		return copy.subList(from, copy.size());
	}

	private ConsulApi.KeyValue awaitHolder() {
		await().atMost(BOUND).until(() -> this.consul.key(this.key).map((kv) -> kv.session() != null).orElse(false));
		return this.consul.key(this.key).orElseThrow();
	}

	private ConsulApi.KeyValue awaitLeads(Candidate candidate) {
		await().atMost(BOUND).until(() -> this.consul.key(this.key)
			.map((kv) -> candidate.name().equals(kv.value()) && kv.session() != null)
			.orElse(false));
		ConsulApi.KeyValue held = this.consul.key(this.key).orElseThrow();
		await().atMost(BOUND).until(() -> candidate.heard(candidate.name(), held.modifyIndex()));
		await().atMost(BOUND).until(() -> candidate.leadsNow(held.modifyIndex()));
		return held;
	}

	@Test
	void theLockHolderIsReportedToEveryCandidateWithTheKeysModifyIndex() {
		List<Candidate> candidates = List.of(candidate("127.0.0.2"), candidate("127.0.0.3"), candidate("127.0.0.4"));
		ConsulApi.KeyValue held = awaitHolder();
		assertThat(candidates).extracting(Candidate::name).contains(held.value());
		assertThat(held.modifyIndex()).isPositive();
		for (Candidate candidate : candidates) {
			await().atMost(BOUND).until(() -> candidate.heard(held.value(), held.modifyIndex()));
			assertThat(candidate.election.events).filteredOn((event) -> !event.unknown())
				.extracting(Recorders.Election.Event::leader, Recorders.Election.Event::token)
				.containsOnly(tuple(held.value(), held.modifyIndex()));
		}
		// the lock was taken once: the key did not change since
		assertThat(this.consul.key(this.key)).contains(held);
	}

	@Test
	void onlyTheHolderLeadsAndOnlyWithTheCurrentToken() {
		Candidate a = candidate("127.0.0.2");
		ConsulApi.KeyValue held = awaitLeads(a);
		Candidate b = candidate("127.0.0.3");
		await().atMost(BOUND).until(() -> b.heard(a.name(), held.modifyIndex()));
		long token = held.modifyIndex();
		await().atMost(BOUND).untilAsserted(() -> {
			long now = System.nanoTime();
			assertThat(a.campaign().leadsUntilNanos(token) - now).isPositive();
			// no later than the session's renewal and the check's pass vouch for
			assertThat(a.campaign().leadsUntilNanos(token)).isLessThanOrEqualTo(a.campaign().validUntilNanos());
			assertThat(a.campaign().leadsUntilNanos(token - 1)).isEqualTo(Long.MIN_VALUE);
			assertThat(a.campaign().leadsUntilNanos(token + 1)).isEqualTo(Long.MIN_VALUE);
			assertThat(b.campaign().leadsUntilNanos(token)).isEqualTo(Long.MIN_VALUE);
		});
	}

	@Test
	void aResignationLetsAnotherCandidateLeadWithALargerToken() throws Exception {
		Candidate a = candidate("127.0.0.2");
		ConsulApi.KeyValue first = awaitLeads(a);
		Candidate b = candidate("127.0.0.3");
		await().atMost(BOUND).until(() -> b.heard(a.name(), first.modifyIndex()));
		a.campaign().close();
		assertThat(a.campaign().leadsUntilNanos(first.modifyIndex())).isEqualTo(Long.MIN_VALUE);
		assertThat(this.consul.hasSession(first.session())).isFalse();
		ConsulApi.KeyValue second = awaitLeads(b);
		assertThat(second.modifyIndex()).isGreaterThan(first.modifyIndex());
		assertThat(second.session()).isNotEqualTo(first.session());
		// the resigned candidate hears nothing more
		assertThat(a.election().events).noneMatch((event) -> b.name().equals(event.leader()));
	}

	@Test
	void anInvalidatedSessionGivesLeadershipUpAtOnceAndCampaignsAgainWithANewSession() {
		Candidate a = candidate("127.0.0.2");
		ConsulApi.KeyValue first = awaitLeads(a);
		int heard = a.election().events.size();
		this.consul.invalidateSession(first.session());
		await().atMost(BOUND).until(() -> a.campaign().leadsUntilNanos(first.modifyIndex()) == Long.MIN_VALUE
				&& since(a.election().events, heard).stream().anyMatch(Recorders.Election.Event::unknown));
		// the renewal finds the session gone, and the campaign starts over with a new one
		await().atMost(RENEWAL_BOUND)
			.until(() -> this.consul.key(this.key).map((kv) -> kv.session() != null).orElse(false)
					&& a.heard(a.name(), this.consul.key(this.key).get().modifyIndex()));
		ConsulApi.KeyValue second = this.consul.key(this.key).orElseThrow();
		assertThat(this.consul.refusedRenewals()).isPositive();
		assertThat(second.session()).isNotEqualTo(first.session()).isIn(this.consul.createdSessions());
		assertThat(this.consul.createdSessions()).hasSize(2);
		assertThat(second.modifyIndex()).isGreaterThan(first.modifyIndex());
		await().atMost(BOUND).until(() -> a.leadsNow(second.modifyIndex()));
		assertThat(a.campaign().leadsUntilNanos(first.modifyIndex())).isEqualTo(Long.MIN_VALUE);
	}

	@Test
	void aCheckThatTurnsCriticalEndsTheSessionAndLetsAnotherCandidateLead() {
		Candidate a = candidate("127.0.0.2");
		ConsulApi.KeyValue first = awaitLeads(a);
		Candidate b = candidate("127.0.0.3");
		await().atMost(BOUND).until(() -> b.heard(a.name(), first.modifyIndex()));
		// the session is bound to the node's own check
		int acquires = this.consul.calls("acquire");
		this.consul.turnCritical("service:" + a.name());
		assertThat(this.consul.hasSession(first.session())).isFalse();
		ConsulApi.KeyValue second = awaitLeads(b);
		assertThat(second.modifyIndex()).isGreaterThan(first.modifyIndex());
		await().atMost(BOUND).until(() -> a.heard(b.name(), second.modifyIndex()));
		// the invalidated session's tries to acquire are paced
		assertThat(this.consul.calls("acquire") - acquires).isLessThan(100);
		assertThat(a.campaign().leadsUntilNanos(first.modifyIndex())).isEqualTo(Long.MIN_VALUE);
	}

	@Test
	void anUnreachableAgentGivesLeadershipUp() {
		Candidate a = candidate("127.0.0.2");
		ConsulApi.KeyValue held = awaitLeads(a);
		this.consul.unreachable(true);
		await().atMost(BOUND).until(() -> a.campaign().leadsUntilNanos(held.modifyIndex()) == Long.MIN_VALUE
				&& a.election().isUnknown());
		assertThat(a.election().last().error()).isInstanceOf(IOException.class);
		// back, with the session still valid: the same lock, the same token
		this.consul.unreachable(false);
		await().atMost(BOUND).until(() -> a.heard(a.name(), held.modifyIndex()));
		await().atMost(BOUND).until(() -> a.leadsNow(held.modifyIndex()));
	}

	@Test
	void aCrashedLeadersSessionIsDestroyedSoAnotherCandidateLeadsWithALargerToken() {
		Candidate a = candidate("127.0.0.2");
		ConsulApi.KeyValue first = awaitLeads(a);
		Candidate b = candidate("127.0.0.3");
		await().atMost(BOUND).until(() -> b.heard(a.name(), first.modifyIndex()));
		// the process dies without a word: its session and registration stay in Consul
		a.strategy().close();
		assertThat(this.consul.hasSession(first.session())).isTrue();
		b.strategy().nodeCrashed(b.context(), a.name());
		ConsulApi.KeyValue second = awaitLeads(b);
		assertThat(second.modifyIndex()).isGreaterThan(first.modifyIndex());
		assertThat(this.consul.hasSession(first.session())).isFalse();
		await().atMost(BOUND).until(() -> !this.consul.hasService(a.name()));
	}

	@Test
	void aCrashedNodeThatDoesNotLeadLeavesTheLeaderAlone() {
		Candidate a = candidate("127.0.0.2");
		ConsulApi.KeyValue held = awaitLeads(a);
		Candidate b = candidate("127.0.0.3");
		Candidate c = candidate("127.0.0.4");
		await().atMost(BOUND).until(() -> b.heard(a.name(), held.modifyIndex()) && c.heard(a.name(), held.modifyIndex()));
		c.strategy().close();
		b.strategy().nodeCrashed(b.context(), c.name());
		// this node itself is never reported crashed
		b.strategy().nodeCrashed(b.context(), b.name());
		await().atMost(BOUND).until(() -> !this.consul.hasService(c.name()));
		assertThat(this.consul.calls("deregister")).isEqualTo(1);
		assertThat(this.consul.calls("destroySession")).isZero();
		assertThat(this.consul.key(this.key)).contains(held);
		assertThat(a.leadsNow(held.modifyIndex())).isTrue();
	}

	@Test
	void aSessionAnEarlierProcessOfThisNodeLeftHoldingTheLockIsDestroyed() {
		Candidate a = candidate("127.0.0.2");
		ConsulApi.KeyValue first = awaitLeads(a);
		// the process dies without a word, and the node starts again before Consul noticed
		a.strategy().close();
		Candidate again = candidate("127.0.0.2");
		ConsulApi.KeyValue second = awaitLeads(again);
		assertThat(this.consul.hasSession(first.session())).isFalse();
		assertThat(second.session()).isNotEqualTo(first.session());
		assertThat(second.modifyIndex()).isGreaterThan(first.modifyIndex());
	}

	@Test
	void aLeaderKeyWithAnEmptyValueIsRefusedAndNobodyLeads() {
		String foreign = this.consul.foreignSession();
		long index = this.consul.writeKey(this.key, "", foreign);
		Candidate a = candidate("127.0.0.2");
		// the campaign read the key at least once and is holding a second read
		await().atMost(BOUND).until(() -> this.consul.calls("readKey") >= 2);
		assertThat(a.election().events).isNotEmpty().allMatch(Recorders.Election.Event::unknown);
		assertThat(a.campaign().leadsUntilNanos(index)).isEqualTo(Long.MIN_VALUE);
		// once the foreign holder goes, the node takes the lock
		this.consul.invalidateSession(foreign);
		ConsulApi.KeyValue held = awaitLeads(a);
		assertThat(held.modifyIndex()).isGreaterThan(index);
	}

	@Test
	void aTokenBeyondTheLargestTheWireCarriesIsRefusedAndNobodyLeads() {
		this.consul.advanceKvIndexTo(FrameCodec.MAX_LEADER_TOKEN);
		Candidate a = candidate("127.0.0.2");
		await().atMost(BOUND).until(() -> this.consul.key(this.key).map((kv) -> kv.session() != null).orElse(false));
		ConsulApi.KeyValue held = this.consul.key(this.key).orElseThrow();
		assertThat(held.value()).isEqualTo(a.name());
		assertThat(held.modifyIndex()).isEqualTo(FrameCodec.MAX_LEADER_TOKEN + 1);
		// read free, acquired, read again (the refusal), and a read held
		await().atMost(BOUND).until(() -> this.consul.calls("readKey") >= 3);
		assertThat(a.election().events).isNotEmpty().allMatch(Recorders.Election.Event::unknown);
		assertThat(a.campaign().leadsUntilNanos(held.modifyIndex())).isEqualTo(Long.MIN_VALUE);
	}

	@Test
	void theLargestTokenTheWireCarriesIsAccepted() {
		this.consul.advanceKvIndexTo(FrameCodec.MAX_LEADER_TOKEN - 1);
		Candidate a = candidate("127.0.0.2");
		ConsulApi.KeyValue held = awaitLeads(a);
		assertThat(held.modifyIndex()).isEqualTo(FrameCodec.MAX_LEADER_TOKEN);
	}

	// Consul answers false for the whole lock delay after the holder's session was invalidated, while
	// the key shows no holder: the candidates pause between tries instead of asking in a tight loop
	@Test
	void aLockHeldBackByTheLockDelayIsNotAskedForInATightLoop() {
		ConsulSettings delayed = settings(Duration.ofSeconds(2));
		Candidate a = candidate("127.0.0.2", delayed);
		ConsulApi.KeyValue first = awaitLeads(a);
		Candidate b = candidate("127.0.0.3", delayed);
		await().atMost(BOUND).until(() -> b.heard(a.name(), first.modifyIndex()));
		int acquires = this.consul.calls("acquire");
		// an invalidation (not a release) holds the lock back for the lock delay
		this.consul.turnCritical("service:" + a.name());
		await().atMost(BOUND)
			.until(() -> this.consul.key(this.key).map((kv) -> kv.session() != null).orElse(false));
		ConsulApi.KeyValue second = this.consul.key(this.key).orElseThrow();
		assertThat(second.modifyIndex()).isGreaterThan(first.modifyIndex());
		// a pause between tries, as after any other failure, makes a few dozen tries at most in 2 s
		assertThat(this.consul.calls("acquire") - acquires).isLessThan(100);
	}

	// a session whose creation was under way when the campaign closed is destroyed once it exists,
	// so it neither takes the lock nor keeps the other candidates out
	@Test
	void aCampaignClosedWhileItsSessionIsBeingCreatedTakesNoLock() throws Exception {
		CountDownLatch gate = this.consul.holdSessionCreation();
		Candidate a = candidate("127.0.0.2");
		assertThat(this.consul.sessionRequested().await(BOUND.toSeconds(), TimeUnit.SECONDS)).isTrue();
		a.campaign().close();
		gate.countDown();
		await().atMost(BOUND).until(() -> this.consul.createdSessions().size() == 1);
		String session = this.consul.createdSessions().get(0);
		// a second candidate would be kept out for the rest of the session's TTL
		Candidate b = candidate("127.0.0.3");
		await().atMost(BOUND)
			.untilAsserted(() -> assertThat(this.consul.key(this.key).map(ConsulApi.KeyValue::value))
				.as("the leader key's value (the closed campaign's session is %s, the key's %s)", session,
						this.consul.key(this.key).map(ConsulApi.KeyValue::session).orElse(null))
				.contains(b.name()));
		ConsulApi.KeyValue held = awaitLeads(b);
		assertThat(held.session()).isNotEqualTo(session);
		assertThat(a.election().events).noneMatch((event) -> a.name().equals(event.leader()));
	}

}
