package dev.clustering.sample;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.core.ParameterizedTypeReference;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.web.client.HttpClientErrorException;
import org.springframework.web.client.RestClient;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.awaitility.Awaitility.await;

/**
 * The sample as a user runs it with no arguments: a one-node cluster whose state is at
 * {@code /actuator/cluster}.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
		properties = { "cluster.node.host=127.0.0.1", "cluster.node.port=0",
				// the sample is read-only by default; these tests exercise the writes, as bin/demo does
				"management.endpoint.cluster.access=unrestricted" })
class SampleEndpointTests {

	private static final ParameterizedTypeReference<Map<String, Object>> JSON = new ParameterizedTypeReference<>() {
	};

	@Value("${local.server.port}")
	int port;

	private RestClient client() {
		return RestClient.create("http://127.0.0.1:" + this.port);
	}

	@Test
	@SuppressWarnings("unchecked")
	void clusterEndpointShowsSelfMembersTopologiesLeaderAndSingletons() {
		await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
			Map<String, Object> local = (Map<String, Object>) ((Map<String, Object>) client().get()
				.uri("/actuator/cluster")
				.retrieve()
				.body(JSON)
				.get("topologies")).get("local");
			assertThat(local).containsEntry("hasRun", true);
		});
		Map<String, Object> body = client().get().uri("/actuator/cluster").retrieve().body(JSON);
		assertThat(body).containsKeys("self", "members", "topologies", "leader", "singletons");
		assertThat((Map<String, Object>) body.get("self")).containsEntry("name", "sample@127.0.0.1")
			.containsKey("address");
		assertThat((List<Object>) body.get("members")).isEmpty();
		Map<String, Object> local = (Map<String, Object>) ((Map<String, Object>) body.get("topologies")).get("local");
		assertThat(local).containsEntry("strategy", "none")
			.containsEntry("discovered", List.of())
			.containsKeys("lastPoll", "lastError");
	}

	@Test
	@SuppressWarnings("unchecked")
	void aOneNodeClusterLeadsAndRunsTheDistroSingleton() {
		await().atMost(Duration.ofSeconds(15)).untilAsserted(() -> {
			Map<String, Object> body = client().get().uri("/actuator/cluster").retrieve().body(JSON);
			Map<String, Object> leader = (Map<String, Object>) body.get("leader");
			assertThat(leader).containsEntry("name", "sample@127.0.0.1").containsKeys("since", "fencingToken");
			Map<String, Object> distro = (Map<String, Object>) ((Map<String, Object>) body.get("singletons"))
				.get("distro");
			assertThat(distro).containsEntry("node", "sample@127.0.0.1")
				.containsEntry("state", "RUNNING")
				.containsEntry("startType", "NORMAL")
				.containsKeys("since", "nodes");
		});
	}

	@Test
	void takeoverIsAWriteOperationThatExplainsARefusal() {
		Map<String, Object> refused = client().post()
			.uri("/actuator/cluster/distro")
			.contentType(MediaType.APPLICATION_JSON)
			.body(Map.of("node", "nobody"))
			.retrieve()
			.body(JSON);
		assertThat(refused).containsEntry("accepted", false).containsEntry("singleton", "distro");
		assertThat((String) refused.get("reason")).contains("nobody");
	}

	@Test
	void oneTopologyByNameAndNotFoundForAnUnknownOne() {
		Map<String, Object> local = client().get().uri("/actuator/cluster/local").retrieve().body(JSON);
		assertThat(local).containsEntry("strategy", "none");
		assertThatExceptionOfType(HttpClientErrorException.class)
			.isThrownBy(() -> client().get().uri("/actuator/cluster/nope").retrieve().body(JSON))
			.satisfies((ex) -> assertThat(ex.getStatusCode()).isEqualTo(HttpStatus.NOT_FOUND));
	}

	@Test
	@SuppressWarnings("unchecked")
	void healthIncludesTheClusterOnceDiscoveryHasRun() {
		await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
			Map<String, Object> health = client().get().uri("/actuator/health").retrieve().body(JSON);
			Map<String, Object> cluster = (Map<String, Object>) ((Map<String, Object>) health.get("components"))
				.get("cluster");
			assertThat(cluster).containsEntry("status", "UP");
			assertThat((Map<String, Object>) cluster.get("details")).containsEntry("members", 0);
		});
	}

	@Test
	void discoverRunsDiscoveryWhereWritesAreAllowed() {
		Map<String, Object> topologies = client().post().uri("/actuator/cluster").retrieve().body(JSON);
		assertThat(topologies).containsKey("local");
	}

}
