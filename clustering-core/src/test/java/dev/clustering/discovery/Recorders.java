package dev.clustering.discovery;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;

import dev.clustering.discovery.ElectionCapable.ElectionListener;
import dev.clustering.membership.LocalNode;
import dev.clustering.membership.NodeAddress;

/**
 * Listeners that record what a registry strategy (etcd, ZooKeeper) tells them, with when, for the
 * integration tests.
 */
public final class Recorders {

	private Recorders() {
	}

	public static DiscoveryContext context(String host, int port) {
		NodeAddress address = new NodeAddress(host, port);
		return new DiscoveryContext("prod", new LocalNode(LocalNode.nodeName("app", host), address, 1L,
				Map.of("zone", "z-" + host)), Duration.ofSeconds(1));
	}

	public static long millisSince(long nanos) {
		return Duration.ofNanos(System.nanoTime() - nanos).toMillis();
	}

	/** What an election listener heard. */
	public static final class Election implements ElectionListener {

		/**
		 * One report.
		 * @param leader the leader, or {@code null} for "unknown"
		 * @param token its token
		 * @param error why unknown, or {@code null}
		 * @param nanos when
		 */
		public record Event(String leader, long token, Throwable error, long nanos) {

			public boolean unknown() {
				return this.leader == null;
			}

		}

		public final List<Event> events = new CopyOnWriteArrayList<>();

		@Override
		public void leaderElected(String leaderName, long fencingToken) {
			this.events.add(new Event(leaderName, fencingToken, null, System.nanoTime()));
		}

		@Override
		public void leadershipUnknown(Throwable error) {
			this.events.add(new Event(null, 0, error, System.nanoTime()));
		}

		public Event last() {
			return this.events.isEmpty() ? null : this.events.get(this.events.size() - 1);
		}

		public String leader() {
			Event last = last();
			return (last != null) ? last.leader() : null;
		}

		public long token() {
			Event last = last();
			return (last != null) ? last.token() : 0;
		}

		public boolean isUnknown() {
			Event last = last();
			return last != null && last.unknown();
		}

		/**
		 * When the first report of a leader other than the given one (after a point in time) came.
		 * @param previous the old leader
		 * @param since only events after this
		 * @return the event, or {@code null}
		 */
		public Event firstLeaderOtherThan(String previous, long since) {
			for (Event event : this.events) {
				if (event.nanos() >= since && !event.unknown() && !event.leader().equals(previous)) {
					return event;
				}
			}
			return null;
		}

	}

	/** What a registry listener heard, in order. */
	public static final class Registry implements RegistryListener {

		public final List<String> events = new CopyOnWriteArrayList<>();

		@Override
		public void registryLost(Throwable error) {
			this.events.add("lost");
		}

		@Override
		public void registryRestored() {
			this.events.add("restored");
		}

	}

	/** Every answer and failure a discovery listener heard. */
	public static final class Discovery implements DiscoveryListener {

		/**
		 * One answer.
		 * @param addresses the addresses
		 * @param nanos when
		 */
		public record Answer(Set<NodeAddress> addresses, long nanos) {
		}

		public final List<Answer> answers = new CopyOnWriteArrayList<>();

		public final List<Throwable> failures = new CopyOnWriteArrayList<>();

		@Override
		public void discovered(Set<NodeAddress> addresses) {
			this.answers.add(new Answer(Set.copyOf(addresses), System.nanoTime()));
		}

		@Override
		public void failed(Throwable error) {
			this.failures.add(error);
		}

		public Set<NodeAddress> last() {
			return this.answers.isEmpty() ? null : this.answers.get(this.answers.size() - 1).addresses();
		}

		/**
		 * When the first answer (after a point in time) that contains an address came.
		 * @param address the address
		 * @param since only answers after this
		 * @return the nano time, or -1
		 */
		public long firstWith(NodeAddress address, long since) {
			for (Answer answer : this.answers) {
				if (answer.nanos() >= since && answer.addresses().contains(address)) {
					return answer.nanos();
				}
			}
			return -1;
		}

		public long firstWithout(NodeAddress address, long since) {
			for (Answer answer : this.answers) {
				if (answer.nanos() >= since && !answer.addresses().contains(address)) {
					return answer.nanos();
				}
			}
			return -1;
		}

	}

}
