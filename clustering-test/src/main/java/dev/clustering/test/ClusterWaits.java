package dev.clustering.test;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.function.BooleanSupplier;
import java.util.function.Predicate;

import dev.clustering.leadership.LeaderInfo;
import dev.clustering.node.ClusterNode;
import dev.clustering.node.EngineEvent;

/**
 * A {@link LoopbackCluster}'s reads and waits, by short name: a node's recorded events, whether the
 * nodes are whole or agree on a leader or a singleton's placement now, and the waits until they do
 * (polled with the cluster's timeout, failing with every node's view). Every name is checked against
 * the cluster's nodes first.
 */
final class ClusterWaits {

	private final LoopbackClusterBuilder settings;

	private final LoopbackNodes nodes;

	private final EventRecorder recorder;

	ClusterWaits(LoopbackClusterBuilder settings, LoopbackNodes nodes, EventRecorder recorder) {
		this.settings = settings;
		this.nodes = nodes;
		this.recorder = recorder;
	}

	List<EngineEvent> events(String name) {
		this.nodes.node(name);
		return this.recorder.events(name);
	}

	<T extends EngineEvent> List<T> events(String name, Class<T> type) {
		return events(name).stream().filter(type::isInstance).map(type::cast).toList();
	}

	OptionalLong formedAt(String name) {
		this.nodes.node(name);
		return this.recorder.formedAt(name);
	}

	// the latest matching event, once there is one
	<T extends EngineEvent> T awaitEvent(String name, Class<T> type, Predicate<? super T> matching) {
		List<T> found = new ArrayList<>();
		await(name + " heard a matching " + type.getSimpleName(), () -> {
			found.clear();
			events(name, type).stream().filter(matching).forEach(found::add);
			return !found.isEmpty();
		});
		return found.get(found.size() - 1);
	}

	void awaitMembers() {
		await("every running node sees every other one", () -> {
			List<String> running = this.nodes.running();
			return running.stream().allMatch((name) -> upMembers(name).containsAll(
					running.stream().filter((other) -> !other.equals(name)).toList()));
		});
	}

	void awaitMembers(int others) {
		await("every running node sees " + others + " other nodes up",
				() -> this.nodes.running().stream().allMatch((name) -> upMembers(name).size() == others));
	}

	// every node runs, sees every other node up, and its listeners have heard them join
	boolean whole() {
		int others = this.settings.names.size() - 1;
		return !this.nodes.isEmpty() && this.nodes.byName()
			.entrySet()
			.stream()
			.allMatch((e) -> e.getValue().isRunning() && e.getValue().members().size() == others
					&& this.recorder.heardUp(e.getKey()) == others);
	}

	Optional<LeaderInfo> agreedLeader(Collection<String> among) {
		if (!among.stream().allMatch((name) -> this.nodes.node(name).isRunning())) {
			return Optional.empty();
		}
		return Optional.ofNullable(ClusterViews.agreedLeader(byName(), among));
	}

	Optional<String> placement(String singleton) {
		return Optional.ofNullable(agreedPlacement(singleton));
	}

	LeaderInfo awaitLeader(Collection<String> among) {
		LeaderInfo[] agreed = new LeaderInfo[1];
		await("nodes " + among + " agree on a leader", () -> {
			among.forEach(this.nodes::node);
			agreed[0] = ClusterViews.agreedLeader(byName(), among);
			return agreed[0] != null;
		});
		return agreed[0];
	}

	void awaitNotLeading(String name) {
		await(name + " does not lead", () -> this.nodes.node(name).leadership().ownLeadership().isEmpty());
	}

	String awaitSingletonOn(String singleton) {
		String[] where = new String[1];
		await("every running node sees singleton " + singleton + " running on one node", () -> {
			where[0] = agreedPlacement(singleton);
			return where[0] != null;
		});
		return where[0];
	}

	void awaitSingletonOn(String singleton, String name) {
		this.nodes.node(name);
		await("every running node sees singleton " + singleton + " running on " + name,
				() -> name.equals(agreedPlacement(singleton)));
	}

	void await(String description, BooleanSupplier condition) {
		Polling.await(this.settings.timeout, description, condition, this::views);
	}

	String views() {
		return ClusterViews.describe(byName());
	}

	private Map<String, ClusterNode> byName() {
		return this.nodes.byName();
	}

	private List<String> upMembers(String name) {
		return ClusterViews.upMembers(this.nodes.node(name));
	}

	private String agreedPlacement(String singleton) {
		return ClusterViews.agreedPlacement(byName(), this.nodes.running(), singleton);
	}

}
