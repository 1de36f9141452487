package dev.clustering.faults;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;

import tools.jackson.databind.json.JsonMapper;

/**
 * Reads every node's {@code /actuator/cluster} through the bridge, all nodes at once, and decides
 * whether their views agree.
 */
final class ClusterViews {

	private static final JsonMapper JSON = JsonMapper.builder().build();

	private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();

	private final Duration timeout;

	ClusterViews(Duration timeout) {
		this.timeout = timeout;
	}

	/** Each node's view, or {@code null} for a node that did not answer in time. */
	Map<String, NodeView> read(List<NodeProcess> nodes) {
		List<CompletableFuture<NodeView>> answers = new ArrayList<>();
		for (NodeProcess node : nodes) {
			HttpRequest request = HttpRequest.newBuilder(URI.create("http://" + node.address + ":8080/actuator/cluster"))
				.timeout(this.timeout)
				.build();
			answers.add(this.http.sendAsync(request, HttpResponse.BodyHandlers.ofString())
				.thenApply((response) -> (response.statusCode() == 200) ? parse(node.name, response.body()) : null)
				.exceptionally((ex) -> null));
		}
		Map<String, NodeView> views = new LinkedHashMap<>();
		for (int i = 0; i < nodes.size(); i++) {
			views.put(nodes.get(i).name, answers.get(i).join());
		}
		return views;
	}

	@SuppressWarnings("unchecked")
	private static NodeView parse(String node, String body) {
		try {
			return NodeView.parse(node, JSON.readValue(body, Map.class));
		}
		catch (RuntimeException ex) {
			return null;
		}
	}

	/**
	 * Why these views do not agree, or {@code null} when they do: every node answers, sees the
	 * others UP, and all name the same leader (with the same token) and the same {@code distro} node.
	 */
	static String disagreement(Map<String, NodeView> views) {
		List<String> problems = new ArrayList<>();
		NodeView first = null;
		for (Map.Entry<String, NodeView> entry : views.entrySet()) {
			NodeView view = entry.getValue();
			if (view == null) {
				problems.add(entry.getKey() + " does not answer");
				continue;
			}
			// only the lab's nodes count: a stranger (the attacker's fake member) is neither needed nor harmful
			long up = view.upCount(views.keySet());
			if (up != views.size() - 1) {
				problems.add(view.node() + " sees " + up + " of " + (views.size() - 1) + " others UP");
			}
			if (view.leader() == null) {
				problems.add(view.node() + " sees no leader");
			}
			if (view.distroNode() == null) {
				problems.add(view.node() + " sees distro nowhere");
			}
			if (first == null) {
				first = view;
			}
			else if (!Objects.equals(first.leader(), view.leader()) || first.leaderToken() != view.leaderToken()
					|| !Objects.equals(first.distroNode(), view.distroNode())) {
				problems.add(first.node() + " and " + view.node() + " differ");
			}
		}
		return problems.isEmpty() ? null : String.join(", ", problems);
	}

	/** All views on one line each, for reports. */
	static String describe(Map<String, NodeView> views) {
		StringBuilder text = new StringBuilder();
		views.forEach((name, view) -> text.append(text.isEmpty() ? "" : " | ")
			.append((view != null) ? view.summary() : name + ": no answer"));
		return text.toString();
	}

}
