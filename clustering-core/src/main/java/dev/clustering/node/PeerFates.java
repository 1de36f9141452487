package dev.clustering.node;

import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

import dev.clustering.membership.Member;
import dev.clustering.membership.NodeAddress;

/**
 * What this node knows of every other node's process, for placing singletons: since when each
 * member has been up, what happened to a process that no longer reports (silent since when, ended,
 * or left), and whether each member's heartbeat digest has matched what this node holds for it
 * (anti-entropy: when it does not, the member is asked for its whole state, less often while asking
 * does not help). Bounded by the members and the nodes whose runs are still known. Owned by the
 * node's event loop, like {@link Singletons}.
 */
final class PeerFates {

	// member -> since when it has been up (this incarnation)
	private final Map<String, Long> upSince = new HashMap<>();

	// node -> what happened to it, for the incarnation that no longer reports
	private final Map<String, Entry> fates = new HashMap<>();

	// members whose heartbeat digest matched what this node holds for them since they came up
	private final Set<String> synced = new HashSet<>();

	// member -> when this node may ask it again for its whole state, and how many asks in a row failed
	private final Map<String, long[]> asked = new HashMap<>();

	/**
	 * Another process has the member's name now: the old one is silent or gone.
	 * @param before the old process
	 * @param now the time
	 * @param lastHeard when anything was last heard from the name
	 */
	void replaced(Member before, long now, long lastHeard) {
		this.fates.put(before.name(), new Entry(before.incarnation(), before.address(),
				new Placement.Fate(Placement.Fate.Kind.SILENT, now, lastHeard, false)));
		this.synced.remove(before.name());
	}

	/**
	 * A member came up (it is heard again, or is new).
	 * @param member the member
	 * @param now the time
	 */
	void up(Member member, long now) {
		this.upSince.put(member.name(), now);
		Entry fate = this.fates.get(member.name());
		if (fate != null && fate.incarnation == member.incarnation()) {
			this.fates.remove(member.name());
		}
		this.synced.remove(member.name());
	}

	/**
	 * A member went silent (unreachable).
	 * @param member the member
	 * @param now the time
	 * @param lastHeard when anything was last heard from it
	 */
	void down(Member member, long now, long lastHeard) {
		this.upSince.remove(member.name());
		this.synced.remove(member.name());
		this.fates.put(member.name(), new Entry(member.incarnation(), member.address(),
				new Placement.Fate(Placement.Fate.Kind.SILENT, now, lastHeard, false)));
	}

	/**
	 * A member is no longer a member: it left, or it was silent for too long.
	 * @param before the member as it was
	 * @param left whether it said goodbye
	 * @param now the time
	 * @param lastHeard when anything was last heard from it
	 */
	void gone(Member before, boolean left, long now, long lastHeard) {
		this.upSince.remove(before.name());
		this.synced.remove(before.name());
		this.asked.remove(before.name());
		Placement.Fate.Kind kind = left ? Placement.Fate.Kind.LEFT : Placement.Fate.Kind.SILENT;
		Entry known = this.fates.get(before.name());
		long since = (known != null && known.incarnation == before.incarnation() && !left) ? known.fate.sinceNanos()
				: now;
		this.fates.put(before.name(), new Entry(before.incarnation(), before.address(),
				new Placement.Fate(kind, since, lastHeard, false)));
	}

	/**
	 * A node's process died (its connection was closed by its operating system).
	 * @param name the node
	 * @param incarnation its process
	 * @param now the time
	 */
	void crashed(String name, long incarnation, long now) {
		Entry known = this.fates.get(name);
		long since = (known != null) ? known.fate.sinceNanos() : now;
		this.fates.put(name, new Entry(incarnation, (known != null) ? known.address : null,
				new Placement.Fate(Placement.Fate.Kind.ENDED, since, Long.MIN_VALUE, false)));
	}

	/**
	 * What happened to a process that does not report.
	 * @param node its name
	 * @param incarnation its process
	 * @param member the member of that name now, or {@code null}
	 * @param leadingSince when this node's leadership began (nothing is known of earlier)
	 * @param lastHeard when anything was last heard from the name
	 * @return its fate, not yet said whether a registry lists it
	 */
	Placement.Fate fate(String node, long incarnation, Member member, long leadingSince, long lastHeard) {
		Entry entry = this.fates.get(node);
		if (entry != null && entry.incarnation == incarnation) {
			return entry.fate;
		}
		if ((entry != null) || (member != null && member.incarnation() != incarnation)) {
			// another process has the name now: this one is gone
			long since = (entry != null) ? entry.fate.sinceNanos() : leadingSince;
			return new Placement.Fate(Placement.Fate.Kind.ENDED, since, Long.MIN_VALUE, false);
		}
		// nothing known of it: it may be silent since before this leadership
		return new Placement.Fate(Placement.Fate.Kind.SILENT, leadingSince, lastHeard, false);
	}

	/**
	 * Where a node was last known to listen.
	 * @param node its name
	 * @param member the member of that name now, or {@code null}
	 * @return its address, or {@code null}
	 */
	NodeAddress address(String node, Member member) {
		Entry entry = this.fates.get(node);
		return (member != null) ? member.address() : (entry != null) ? entry.address : null;
	}

	/**
	 * Whether a node is known to be dead or gone (not merely silent).
	 * @param node its name
	 * @return whether its process ended or left
	 */
	boolean ended(String node) {
		Entry fate = this.fates.get(node);
		return fate != null && fate.fate.kind() != Placement.Fate.Kind.SILENT;
	}

	/** The nodes that said goodbye, by name. */
	Set<String> left() {
		Set<String> left = new HashSet<>();
		this.fates.forEach((node, entry) -> {
			if (entry.fate.kind() == Placement.Fate.Kind.LEFT) {
				left.add(node);
			}
		});
		return left;
	}

	/**
	 * Since when a member has been up.
	 * @param member its name
	 * @param otherwise the answer for a member not up
	 * @return the time
	 */
	long upSince(String member, long otherwise) {
		return this.upSince.getOrDefault(member, otherwise);
	}

	/**
	 * Whether a member's digest has matched what this node holds for it since it came up.
	 * @param member its name
	 * @return whether it is in sync
	 */
	boolean synced(String member) {
		return this.synced.contains(member);
	}

	/**
	 * A member's heartbeat digest arrived.
	 * @param peer the member
	 * @param matches whether it matches what this node holds for it
	 * @param now the time
	 * @param intervalNanos the heartbeat interval
	 * @return whether to ask it for its whole state now (at most once an interval, backing off to 32
	 * intervals while asking does not help)
	 */
	boolean digest(String peer, boolean matches, long now, long intervalNanos) {
		if (matches) {
			this.synced.add(peer);
			this.asked.remove(peer);
			return false;
		}
		long[] state = this.asked.computeIfAbsent(peer, (p) -> new long[] { Long.MIN_VALUE, 0 });
		if (state[0] != Long.MIN_VALUE && now - state[0] < 0) {
			return false;
		}
		long failures = state[1];
		state[0] = now + intervalNanos * Math.min(32L, 1L << Math.min(5, failures)) - intervalNanos / 2;
		state[1] = failures + 1;
		return true;
	}

	/**
	 * Forgets the fates of nodes that are neither members nor known to have run something.
	 * @param keep the nodes to keep
	 */
	void retain(Set<String> keep) {
		this.fates.keySet().retainAll(keep);
	}

	private record Entry(long incarnation, NodeAddress address, Placement.Fate fate) {
	}

}
