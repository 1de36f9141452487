package dev.clustering.node;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.LongSupplier;
import java.util.function.Predicate;

import dev.clustering.membership.ClusterSnapshot;
import dev.clustering.membership.Member;
import dev.clustering.membership.NodeAddress;
import dev.clustering.singleton.SingletonSpec;
import dev.clustering.singleton.SingletonStatus;

/**
 * What the leader knows of one singleton when {@link SingletonPlacer} asks {@link Placement} to
 * decide: the runs reported by the members that hear this leader, the suspects (runs that may still
 * be going where nothing reports, each with what happened to its process), the candidates, the
 * nodes that are leaving, and whether the evidence is complete. Reads the membership, the runs
 * members report ({@link SingletonTable}), the local runs ({@link SingletonRunner}), what happened
 * to each process ({@link PeerFates}) and, with a registry running the election, which nodes the
 * registry lists; changes none of them. Owned by the node's event loop, like {@link SingletonPlacer}.
 */
final class PlacementEvidence {

	private final String self;

	private final LongSupplier nanoTime;

	private final Singletons.Leadership leader;

	private final SingletonTable table;

	private final SingletonRunner runner;

	private final PeerFates fates;

	private Predicate<NodeAddress> registered = (address) -> true;

	// set by SingletonPlacer before anything else is asked
	private ClusterSnapshot snapshot;

	private boolean leaving;

	PlacementEvidence(String self, LongSupplier nanoTime, Singletons.Leadership leader, SingletonTable table,
			SingletonRunner runner, PeerFates fates) {
		this.self = self;
		this.nanoTime = nanoTime;
		this.leader = leader;
		this.table = table;
		this.runner = runner;
		this.fates = fates;
	}

	/**
	 * With a registry running the election, a singleton fails over from a node only once the
	 * registry no longer lists that node, and only registered nodes are given one.
	 * @param registered whether the registry lists a node at an address
	 */
	void failOverOnlyWhenUnregistered(Predicate<NodeAddress> registered) {
		this.registered = registered;
	}

	/**
	 * The membership changed.
	 * @param next the new snapshot
	 */
	void membership(ClusterSnapshot next) {
		this.snapshot = next;
	}

	/** This node is leaving: it is no candidate, and counts as leaving. */
	void leave() {
		this.leaving = true;
	}

	/**
	 * What the members that hear this leader report (what another member runs is a suspect).
	 * @param name the singleton
	 * @return the statuses
	 */
	List<SingletonStatus> reporting(String name) {
		List<SingletonStatus> live = live(name);
		live.removeIf((status) -> {
			Member member = this.snapshot.member(status.node());
			return status.isActive() && member != null && !this.leader.mayRunHere(member);
		});
		return live;
	}

	/**
	 * Every run that may still be going on a node that does not report: an unreachable member's, one
	 * of a member that no longer hears this leader (a one-way cut: its permit runs out unrenewed), or
	 * one of a node that is gone or was replaced by a new process.
	 * @param name the singleton
	 * @return the suspects, each with what happened to its process
	 */
	List<Placement.Suspect> suspects(String name) {
		List<Placement.Suspect> suspects = new ArrayList<>();
		for (Member member : this.snapshot.members().values()) {
			SingletonStatus status = this.table.get(member.name(), name);
			if (status == null || !status.isActive()) {
				continue;
			}
			if (!member.isUp()) {
				suspects.add(new Placement.Suspect(status, fate(member.name(), member.incarnation())));
			}
			else if (!this.leader.mayRunHere(member)) {
				suspects.add(new Placement.Suspect(status, unsupported(member.name())));
			}
		}
		for (SingletonTable.Ghost ghost : this.table.ghosts(name)) {
			if (!ghost.status().node().equals(this.self)) {
				suspects.add(new Placement.Suspect(ghost.status(), fate(ghost.status().node(), ghost.incarnation())));
			}
		}
		return suspects;
	}

	// a member that hears this leader no more: it reports, but what it runs rests on its last
	// acknowledged renewal (or, if none, on an earlier leadership) and ends a permit's length after that
	private Placement.Fate unsupported(String node) {
		long acked = this.leader.lastAckNanos(node);
		long since = (acked != Long.MIN_VALUE) ? acked : this.leader.election().leadingSinceNanos();
		return new Placement.Fate(Placement.Fate.Kind.SILENT, since, acked, false);
	}

	// what happened to a process (a node name and an incarnation) that does not report
	private Placement.Fate fate(String node, long incarnation) {
		Member member = this.snapshot.member(node);
		Placement.Fate fate = this.fates.fate(node, incarnation, member, this.leader.election().leadingSinceNanos(),
				this.leader.lastHeardNanos(node));
		if (this.leader.election().isRegistry()) {
			NodeAddress address = this.fates.address(node, member);
			boolean listed = address != null && this.registered.test(address);
			fate = new Placement.Fate(fate.kind(), fate.sinceNanos(), fate.lastHeardNanos(), listed);
		}
		return fate;
	}

	/**
	 * Whether this node knows what every known node runs: each is reachable and reported its state, or
	 * is known to be dead or gone (a listed address whose node's process ended).
	 * @param roster the nodes and the quorum
	 * @return whether the evidence is complete
	 */
	boolean complete(Roster roster) {
		if (!roster.unreachable().isEmpty()) {
			return false;
		}
		if (!this.leader.strangers().stream().allMatch(this.fates::ended)) {
			return false;
		}
		// and each acknowledged this leadership: a member cut off silently is still "up" until its detector
		// judges it, and may have started a run (ordered by the previous leader) that this node never heard
		// of; its acknowledgement of a renewal of this term comes after anything it said before
		return this.snapshot.upMembers()
			.stream()
			.allMatch((m) -> this.fates.synced(m.name()) && this.leader.mayRunHere(m));
	}

	/**
	 * The nodes that may be given a singleton: this node unless it leaves, and each up member that
	 * hosts it, supports this leader and is not leaving (with a registry, only the ones it lists).
	 * @param spec the singleton
	 * @return the candidates, with how many other singletons each runs and since when it has been up
	 */
	List<Placement.Candidate> candidates(SingletonSpec spec) {
		List<Placement.Candidate> candidates = new ArrayList<>();
		if (this.runner.hosts(spec.name()) && !this.leaving) {
			candidates.add(new Placement.Candidate(this.self, running(this.self, spec.name()), Deadlines.NONE));
		}
		for (Member member : this.snapshot.upMembers()) {
			if (this.leader.roster().leaving().contains(member.name()) || !hosts(member, spec.name())
					|| !this.leader.mayRunHere(member)) {
				continue;
			}
			if (this.leader.election().isRegistry() && !this.registered.test(member.address())) {
				continue; // a node the registry does not list (lost its session) may run nothing
			}
			candidates.add(new Placement.Candidate(member.name(), running(member.name(), spec.name()),
					this.fates.upSince(member.name(), this.nanoTime.getAsLong())));
		}
		return candidates;
	}

	private long running(String node, String except) {
		if (node.equals(this.self)) {
			return this.runner.statuses().values().stream().filter((s) -> !s.name().equals(except) && s.isActive()).count();
		}
		return this.table.running(node, except);
	}

	/**
	 * The nodes that are leaving or left, this node included once it leaves.
	 * @return their names
	 */
	Set<String> leavingNodes() {
		Set<String> leaving = new HashSet<>(this.leader.roster().leaving());
		leaving.addAll(this.fates.left());
		if (this.leaving) {
			leaving.add(this.self);
		}
		return leaving;
	}

	/**
	 * Whether a member says it hosts a singleton (a bean of that name was registered there).
	 * @param member the member
	 * @param singleton the singleton
	 * @return whether it does
	 */
	static boolean hosts(Member member, String singleton) {
		String list = member.metadata().get(Singletons.HOSTED);
		return list != null && List.of(list.split(",")).contains(singleton);
	}

	/**
	 * What this node runs and what its up members report, of one singleton.
	 * @param name the singleton
	 * @return the statuses
	 */
	List<SingletonStatus> live(String name) {
		List<SingletonStatus> live = new ArrayList<>();
		SingletonStatus mine = this.runner.statuses().get(name);
		if (mine != null) {
			live.add(mine);
		}
		for (Member member : this.snapshot.upMembers()) {
			SingletonStatus theirs = this.table.get(member.name(), name);
			if (theirs != null) {
				live.add(theirs);
			}
		}
		return live;
	}

}
