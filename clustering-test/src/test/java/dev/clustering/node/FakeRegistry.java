package dev.clustering.node;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;

import dev.clustering.discovery.DiscoveryContext;
import dev.clustering.discovery.DiscoveryListener;
import dev.clustering.discovery.ElectionCapable;
import dev.clustering.discovery.RegistryListener;
import dev.clustering.discovery.RegistryStrategy;
import dev.clustering.membership.NodeAddress;

/**
 * An in-memory registry with a linearizable election, shared by the nodes of one test: the first
 * candidate leads, each new leader gets the next token. A unit-test seam for the engine's registry
 * mode; the real thing is tested against etcd.
 */
final class FakeRegistry {

	private final Map<String, NodeAddress> registered = new LinkedHashMap<>();

	private final List<String> candidates = new ArrayList<>();

	private final List<DiscoveryListener> watchers = new CopyOnWriteArrayList<>();

	private final Map<String, ElectionCapable.ElectionListener> voters = new LinkedHashMap<>();

	private final Map<String, RegistryListener> sessions = new LinkedHashMap<>();

	final List<String> crashReports = new CopyOnWriteArrayList<>();

	private long revision = 100;

	private String leader;

	Strategy strategy() {
		return new Strategy();
	}

	/** The node the registry has elected, by full name, or {@code null} before the first candidate. */
	synchronized String leader() {
		return this.leader;
	}

	/** The registry loses one node's session: its key and candidacy go, and it is told. */
	synchronized void expire(String node) {
		this.registered.remove(node);
		this.candidates.remove(node);
		RegistryListener session = this.sessions.get(node);
		if (session != null) {
			session.registryLost(new IllegalStateException("lease expired"));
		}
		changed();
	}

	private synchronized void changed() {
		Set<NodeAddress> addresses = Set.copyOf(this.registered.values());
		this.watchers.forEach((w) -> w.discovered(addresses));
		String next = this.candidates.isEmpty() ? null : this.candidates.get(0);
		if (next != null && !next.equals(this.leader)) {
			this.revision++;
		}
		this.leader = next;
		long token = this.revision;
		this.voters.forEach((name, voter) -> {
			if (next != null) {
				voter.leaderElected(next, token);
			}
			else {
				voter.leadershipUnknown(null);
			}
		});
	}

	final class Strategy implements RegistryStrategy, ElectionCapable {

		@Override
		public AutoCloseable register(DiscoveryContext context, RegistryListener listener) {
			synchronized (FakeRegistry.this) {
				FakeRegistry.this.registered.put(context.self().name(), context.self().address());
				FakeRegistry.this.sessions.put(context.self().name(), listener);
				changed();
			}
			return () -> {
				synchronized (FakeRegistry.this) {
					FakeRegistry.this.registered.remove(context.self().name());
					changed();
				}
			};
		}

		@Override
		public AutoCloseable watch(DiscoveryContext context, DiscoveryListener listener) {
			synchronized (FakeRegistry.this) {
				FakeRegistry.this.watchers.add(listener);
				listener.discovered(Set.copyOf(FakeRegistry.this.registered.values()));
			}
			return () -> FakeRegistry.this.watchers.remove(listener);
		}

		@Override
		public AutoCloseable campaign(DiscoveryContext context, ElectionListener listener) {
			String name = context.self().name();
			synchronized (FakeRegistry.this) {
				FakeRegistry.this.voters.put(name, listener);
				FakeRegistry.this.candidates.add(name);
				changed();
			}
			return () -> {
				synchronized (FakeRegistry.this) {
					FakeRegistry.this.voters.remove(name);
					FakeRegistry.this.candidates.remove(name);
					changed();
				}
			};
		}

		@Override
		public void nodeCrashed(DiscoveryContext context, String nodeName) {
			FakeRegistry.this.crashReports.add(nodeName);
			synchronized (FakeRegistry.this) {
				FakeRegistry.this.registered.remove(nodeName);
				FakeRegistry.this.candidates.remove(nodeName);
				FakeRegistry.this.voters.remove(nodeName);
				changed();
			}
		}

	}

}
