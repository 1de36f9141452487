package dev.clustering.actuate;

import java.util.Map;

import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.core.ParameterizedTypeReference;
import org.springframework.web.client.HttpClientErrorException;
import org.springframework.web.client.RestClient;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * An application that exposes the endpoint but grants no write access: reads work, the
 * {@code discover} write does not.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
		properties = { "management.endpoints.web.exposure.include=cluster", "cluster.node.host=127.0.0.1",
				"cluster.topologies.dev.strategy=none" })
class ClusterEndpointWebTests {

	@Value("${local.server.port}")
	int port;

	@Test
	void readsAreAllowedAndTheWriteOperationIsNotByDefault() {
		RestClient client = RestClient.create("http://127.0.0.1:" + this.port);
		Map<String, Object> body = client.get()
			.uri("/actuator/cluster")
			.retrieve()
			.body(new ParameterizedTypeReference<Map<String, Object>>() {
			});
		assertThat(body).containsKeys("self", "members", "topologies", "leader", "singletons", "transport");
		@SuppressWarnings("unchecked")
		Map<String, Object> transport = (Map<String, Object>) body.get("transport");
		assertThat(transport).containsKeys("invalidFrames", "unknownMessages", "handlerErrors", "refusedHandshakes",
				"handshakeTimeouts");
		assertThatExceptionOfType(HttpClientErrorException.class)
			.isThrownBy(() -> client.post().uri("/actuator/cluster").retrieve().toBodilessEntity())
			.satisfies((ex) -> assertThat(ex.getStatusCode().value()).isEqualTo(405));
	}

	@SpringBootConfiguration
	@EnableAutoConfiguration
	static class App {

	}

}
