package dev.clustering.node;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.Random;
import java.util.Set;

import dev.clustering.leadership.LeaderInfo;
import dev.clustering.leadership.RevocationReason;
import dev.clustering.leadership.SplitBrainStrategy;
import dev.clustering.transport.Message;

/**
 * A simulated cluster of {@link Election}s on a fake clock: messages travel through a network whose
 * links the test cuts, delays and drops; nodes can stall (their event loop does nothing, but their
 * clock runs), crash and restart. Each node's picture of who is reachable follows the network with
 * a lag, as a failure detector's would. After every step the test checks what must always hold.
 */
final class ElectionSimulation {

	static final long MS = 1_000_000L;

	final long leaseNanos;

	final Random random;

	long now = 1_000_000_000_000L;

	final List<Sim> nodes = new ArrayList<>();

	// whether a node counts another reachable as long as it hears it (a detector that only listens),
	// rather than only while the link works both ways
	boolean reachableByHearing;

	// links that are cut, as "from>to"
	final Set<String> cut = new HashSet<>();

	final PriorityQueue<Envelope> inFlight = new PriorityQueue<>((a, b) -> Long.compare(a.at, b.at));

	// every leadership won, in order: node and token
	final List<long[]> wins = new ArrayList<>();

	final List<String> winners = new ArrayList<>();

	long maxDelayNanos;

	double loss;

	// how long a node's picture of reachability lags behind the network, at most
	long detectionLagNanos;

	// how many nodes each node knows of, where discovery gives them different pictures
	final Map<Integer, Integer> known = new HashMap<>();

	private long sequence;

	ElectionSimulation(int size, long leaseNanos, long seed) {
		this.leaseNanos = leaseNanos;
		this.random = new Random(seed);
		for (int i = 0; i < size; i++) {
			this.nodes.add(new Sim(this, "n" + i + "@h", i));
		}
	}

	final Clock clock = new Clock() {
		@Override
		public ZoneId getZone() {
			return ZoneOffset.UTC;
		}

		@Override
		public Clock withZone(ZoneId zone) {
			return this;
		}

		@Override
		public Instant instant() {
			return Instant.ofEpochMilli(1_800_000_000_000L + ElectionSimulation.this.now / MS);
		}
	};

	Sim node(int i) {
		return this.nodes.get(i);
	}

	boolean linkUp(Sim from, Sim to) {
		return !this.cut.contains(from.index + ">" + to.index);
	}

	void cutBetween(Set<Integer> side, Set<Integer> other) {
		for (int a : side) {
			for (int b : other) {
				this.cut.add(a + ">" + b);
				this.cut.add(b + ">" + a);
			}
		}
	}

	void heal() {
		this.cut.clear();
	}

	/** Advances the clock by one step, delivering what is due and letting every running node tick. */
	void step(long stepNanos) {
		this.now += stepNanos;
		while (!this.inFlight.isEmpty() && this.inFlight.peek().at - this.now <= 0) {
			Envelope envelope = this.inFlight.poll();
			if (envelope.to.alive && envelope.to.incarnation == envelope.toIncarnation) {
				envelope.to.inbox.add(envelope);
			}
		}
		for (Sim node : this.nodes) {
			node.tick();
		}
	}

	void run(long durationNanos, long stepNanos, Runnable check) {
		long end = this.now + durationNanos;
		while (this.now - end < 0) {
			step(stepNanos);
			check.run();
		}
	}

	/** The nodes that lead at this instant, by the clock, as a caller on any thread would see. */
	List<String> leadersNow() {
		List<String> leaders = new ArrayList<>();
		for (Sim node : this.nodes) {
			if (node.alive && node.election.ownLeadership(this.now) != null) {
				leaders.add(node.name);
			}
		}
		return leaders;
	}

	void send(Sim from, String to, Message message) {
		Sim target = this.nodes.stream().filter((n) -> n.name.equals(to)).findFirst().orElse(null);
		if (target == null || !linkUp(from, target) || !from.alive) {
			return;
		}
		if (this.loss > 0 && this.random.nextDouble() < this.loss) {
			return;
		}
		long delay = (this.maxDelayNanos > 0) ? (long) (this.random.nextDouble() * this.maxDelayNanos) : 0;
		// one TCP connection per pair: what one node sends another arrives in order
		long at = Math.max(this.now + delay, from.lastArrival.getOrDefault(target.name, Long.MIN_VALUE));
		from.lastArrival.put(target.name, at);
		this.inFlight.add(new Envelope(at, this.sequence++, from, target, target.incarnation, message));
	}

	record Envelope(long at, long order, Sim from, Sim to, long toIncarnation, Message message) {
	}

	/** One node: an Election, its inbox, its picture of who is reachable, and its fate. */
	static final class Sim {

		final ElectionSimulation world;

		final String name;

		final int index;

		Election election;

		long incarnation;

		long startedAt;

		boolean alive = true;

		long stalledUntil = Long.MIN_VALUE;

		final List<Envelope> inbox = new ArrayList<>();

		final Map<String, Long> lastArrival = new HashMap<>();

		// whom this node sees as reachable, and when each change in the network becomes visible
		final Map<String, Boolean> seen = new LinkedHashMap<>();

		final Map<String, Long> changeVisibleAt = new HashMap<>();

		final List<RevocationReason> revoked = new ArrayList<>();

		// members whose death this node was told of (until they are seen again)
		final Set<String> ended = new HashSet<>();

		Sim(ElectionSimulation world, String name, int index) {
			this.world = world;
			this.name = name;
			this.index = index;
			start();
		}

		void start() {
			this.incarnation++;
			this.alive = true;
			this.startedAt = this.world.clock.millis() * 10 + this.index; // distinct, ordered by start
			this.inbox.clear();
			this.ended.clear();
			this.seen.clear();
			this.changeVisibleAt.clear();
			this.lastArrival.clear();
			this.election = new Election(this.name, this.world.leaseNanos, this.world.clock, () -> this.world.now,
					(to, message) -> this.world.send(this, to, message), new Election.Listener() {
						@Override
						public void won(long token) {
							Sim.this.world.wins.add(new long[] { Sim.this.world.now, token });
							Sim.this.world.winners.add(Sim.this.name);
						}

						@Override
						public void lost(long token, RevocationReason reason) {
							Sim.this.revoked.add(reason);
						}
					});
		}

		void crash() {
			this.alive = false;
			this.inbox.clear();
			// the survivors connected to it see its connection closed by its side
			for (Sim other : this.world.nodes) {
				if (other != this && other.alive && this.world.linkUp(this, other) && this.world.linkUp(other, this)) {
					other.seen.put(this.name, false);
					other.ended.add(this.name);
					other.election.memberEnded(this.name);
				}
			}
		}

		void restart() {
			start();
		}

		void stall(long nanos) {
			this.stalledUntil = this.world.now + nanos;
		}

		boolean stalled() {
			return this.stalledUntil != Long.MIN_VALUE && this.world.now - this.stalledUntil < 0;
		}

		Roster roster() {
			Map<String, Long> reachable = new HashMap<>();
			Set<String> unreachable = new HashSet<>();
			for (Sim other : this.world.nodes) {
				if (other == this || this.ended.contains(other.name)) {
					continue;
				}
				if (Boolean.TRUE.equals(this.seen.get(other.name))) {
					reachable.put(other.name, other.startedAt);
				}
				else {
					unreachable.add(other.name);
				}
			}
			int count = this.world.known.getOrDefault(this.index, this.world.nodes.size());
			return Roster.of(this.name, this.startedAt, reachable, unreachable, Set.of(), count,
					SplitBrainStrategy.KEEP_MAJORITY, 1);
		}

		void tick() {
			if (!this.alive || stalled()) {
				return;
			}
			updatePicture();
			List<Envelope> due = new ArrayList<>(this.inbox);
			this.inbox.clear();
			for (Envelope envelope : due) {
				// what a node sent before it died or left still arrives, as over TCP
				this.election.received(envelope.from.name, envelope.message, roster());
			}
			this.election.evaluate(roster());
		}

		// the failure detector: a change of the network becomes visible after a random lag
		private void updatePicture() {
			for (Sim other : this.world.nodes) {
				if (other == this) {
					continue;
				}
				boolean actual = other.alive && this.world.linkUp(other, this)
						&& (this.world.reachableByHearing || this.world.linkUp(this, other));
				Boolean believed = this.seen.get(other.name);
				if (believed == null) {
					this.seen.put(other.name, actual);
					continue;
				}
				if (believed == actual) {
					this.changeVisibleAt.remove(other.name);
					continue;
				}
				Long visible = this.changeVisibleAt.get(other.name);
				if (visible == null) {
					long lag = (this.world.detectionLagNanos > 0)
							? (long) (this.world.random.nextDouble() * this.world.detectionLagNanos) : 0;
					this.changeVisibleAt.put(other.name, this.world.now + lag);
				}
				else if (this.world.now - visible >= 0) {
					this.seen.put(other.name, actual);
					if (actual) {
						this.ended.remove(other.name);
					}
					this.changeVisibleAt.remove(other.name);
				}
			}
		}

		LeaderInfo view() {
			return this.election.view();
		}

	}

}
