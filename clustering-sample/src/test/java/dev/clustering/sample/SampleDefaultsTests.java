package dev.clustering.sample;

import java.util.List;

import org.junit.jupiter.api.Test;

import org.springframework.boot.env.YamlPropertySourceLoader;
import org.springframework.core.env.PropertySource;
import org.springframework.core.io.ClassPathResource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What the sample ships with: anyone who reaches its HTTP port may read the cluster endpoint, not
 * move singletons; bin/demo turns the writes on for its own run.
 */
class SampleDefaultsTests {

	@Test
	void theClusterEndpointKeepsTheLibrarysReadOnlyDefault() throws Exception {
		for (String file : List.of("application.yml", "application-dns.yml", "application-dns-srv.yml",
				"application-etcd.yml")) {
			for (PropertySource<?> source : new YamlPropertySourceLoader().load(file, new ClassPathResource(file))) {
				assertThat(source.getProperty("management.endpoint.cluster.access")).as(file).isNull();
				assertThat(source.getProperty("management.endpoints.access.default")).as(file).isNull();
			}
		}
	}

}
