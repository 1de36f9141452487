package dev.clustering.sample;

import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import dev.clustering.discovery.consul.ConsulAgent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The sample jar's {@code consul} profile as three separate processes on one real Consul agent:
 * they register and find each other through Consul, and Consul elects one leader; kill -9 of the
 * leader is seen at once (its session destroyed, its registration deregistered, a new leader with
 * a larger token); a node stopped with SIGSTOP turns critical and leaves Consul's passing
 * instances, and is back after SIGCONT.
 */
class SampleConsulIT {

	private static final Duration BOUND = Duration.ofSeconds(90);

	private static final HttpClient HTTP = HttpClient.newHttpClient();

	private static final JsonMapper JSON = JsonMapper.builder().build();

	private final List<NodeProcess> processes = new ArrayList<>();

	private ConsulAgent agent;

	@BeforeEach
	void startConsul() throws Exception {
		this.agent = ConsulAgent.start();
	}

	@AfterEach
	void stopAll() throws Exception {
		for (NodeProcess process : this.processes) {
			process.close();
		}
		this.agent.close();
	}

	private NodeProcess start(String name) throws Exception {
		int httpPort;
		int clusterPort;
		try (ServerSocket http = new ServerSocket(0); ServerSocket cluster = new ServerSocket(0)) {
			httpPort = http.getLocalPort();
			clusterPort = cluster.getLocalPort();
		}
		NodeProcess process = NodeProcess.startWith(name, httpPort, clusterPort, "consul-test-cookie",
				List.of("--spring.profiles.active=consul", "--cluster.topologies.local.consul.url=" + this.agent.url(),
						"--cluster.topologies.local.consul.check-ttl=2s"));
		this.processes.add(process);
		return process;
	}

	private List<String> instances(String query) throws Exception {
		HttpResponse<String> answer = HTTP.send(
				HttpRequest.newBuilder(URI.create(this.agent.url() + "/v1/" + query)).build(),
				HttpResponse.BodyHandlers.ofString());
		List<String> ids = new ArrayList<>();
		for (JsonNode entry : JSON.readTree(answer.body())) {
			ids.add(entry.has("Service") ? entry.get("Service").get("ID").asText() : entry.get("ServiceID").asText());
		}
		return ids;
	}

	// the leader a node reports: its name and fencing token (each node has its own "since")
	@SuppressWarnings("unchecked")
	private static Map<String, Object> leader(NodeProcess node) {
		Map<String, Object> cluster = node.cluster();
		Map<String, Object> leader = (cluster != null) ? (Map<String, Object>) cluster.get("leader") : null;
		return (leader != null) ? Map.of("name", leader.get("name"), "fencingToken", leader.get("fencingToken")) : null;
	}

	@Test
	void threeProcessesFormThroughConsulAndSurviveAKilledLeaderAndAFrozenNode() throws Exception {
		List<NodeProcess> nodes = new ArrayList<>(List.of(start("c1"), start("c2"), start("c3")));
		await().atMost(BOUND).pollInterval(Duration.ofMillis(250)).untilAsserted(() -> {
			for (NodeProcess node : nodes) {
				assertThat(node.members()).hasSize(2).allSatisfy((name, status) -> assertThat(status).isEqualTo("UP"));
			}
			assertThat(instances("health/service/sample-dist?passing")).hasSize(3);
			assertThat(nodes).allSatisfy((node) -> assertThat(leader(node)).isNotNull()
				.isEqualTo(leader(nodes.get(0))));
		});
		Map<String, Object> first = leader(nodes.get(0));
		String leaderName = (String) first.get("name");
		NodeProcess killed = nodes.stream().filter((n) -> leaderName.equals(n.name + "@127.0.0.1")).findFirst().orElseThrow();
		nodes.remove(killed);

		killed.signal("KILL");
		// far sooner than the 2 s check could turn critical, let alone the minute before Consul reaps it
		await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100)).untilAsserted(() -> {
			assertThat(instances("catalog/service/sample-dist")).doesNotContain(leaderName);
			for (NodeProcess node : nodes) {
				assertThat(node.members()).doesNotContainKey(leaderName);
				Map<String, Object> next = leader(node);
				assertThat(next).isNotNull();
				assertThat(((Number) next.get("fencingToken")).longValue())
					.isGreaterThan(((Number) first.get("fencingToken")).longValue());
			}
		});

		NodeProcess frozen = nodes.get(0);
		NodeProcess other = nodes.get(1);
		String frozenName = frozen.name + "@127.0.0.1";
		frozen.signal("STOP");
		await().atMost(BOUND).pollInterval(Duration.ofMillis(250))
			.untilAsserted(() -> assertThat(instances("health/service/sample-dist?passing")).doesNotContain(frozenName));
		// still a member the other can see (unreachable, not removed), and still registered
		assertThat(other.members()).containsKey(frozenName);
		assertThat(instances("catalog/service/sample-dist")).contains(frozenName);
		frozen.signal("CONT");
		await().atMost(BOUND).pollInterval(Duration.ofMillis(250)).untilAsserted(() -> {
			assertThat(instances("health/service/sample-dist?passing")).contains(frozenName);
			assertThat(other.members()).containsEntry(frozenName, "UP");
			assertThat(leader(frozen)).isNotNull().isEqualTo(leader(other));
		});
	}

}
