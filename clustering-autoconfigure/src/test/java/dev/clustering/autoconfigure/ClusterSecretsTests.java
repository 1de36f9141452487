package dev.clustering.autoconfigure;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.diagnostics.FailureAnalysis;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;

import dev.clustering.node.ClusterNode;

import static dev.clustering.autoconfigure.StartupFailures.rootCause;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The cookie at start-up: too short for a node other machines can reach, or still an unresolved
 * placeholder; and which hosts count as loopback (decided without DNS).
 */
@ExtendWith(OutputCaptureExtension.class)
class ClusterSecretsTests {

	private static final String STRONG = "0123456789abcdef";

	private final ApplicationContextRunner runner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(ClusterAutoConfiguration.class));

	@Test
	void whenTheCookieIsShortAndTheNodeListensOnAllInterfacesThenStartUpFailsSayingHowToMakeOne() {
		this.runner
			.withPropertyValues("cluster.node.host=127.0.0.1", "cluster.node.bind-address=0.0.0.0",
					"cluster.cookie=s3cret")
			.run((context) -> {
				assertThat(context).hasFailed();
				ClusterConfigurationException ex = rootCause(context.getStartupFailure());
				assertThat(ex.getProperty()).isEqualTo("cluster.cookie");
				assertThat(ex.getMessage()).contains("shorter than 16 characters", "0.0.0.0").doesNotContain("s3cret");
				FailureAnalysis analysis = new ClusterConfigurationFailureAnalyzer().analyze(context.getStartupFailure());
				assertThat(analysis.getDescription()).contains("cluster.cookie");
				assertThat(analysis.getAction()).contains("openssl rand -base64 32");
			});
	}

	@Test
	void whenTheCookieIsShortAndNoHostIsSetThenStartUpFails() {
		// the engine would advertise this machine's first non-loopback address
		this.runner.withPropertyValues("cluster.cookie=s3cret").run((context) -> {
			assertThat(context).hasFailed();
			assertThat(rootCause(context.getStartupFailure()).getProperty()).isEqualTo("cluster.cookie");
		});
	}

	@Test
	void whenTheCookieIsShortAndTheHostIsANameThenStartUpFailsWithoutLookingItUp() {
		this.runner.withPropertyValues("cluster.node.host=node-1.cluster.invalid", "cluster.cookie=s3cret")
			.run((context) -> {
				assertThat(context).hasFailed();
				assertThat(rootCause(context.getStartupFailure()).getMessage()).contains("cluster.cookie",
						"node-1.cluster.invalid");
			});
	}

	@Test
	void whenTheCookieIsShortOnALoopbackNodeThenItStartsAndWarnsOnce(CapturedOutput output) {
		this.runner.withPropertyValues("cluster.node.host=127.0.0.1", "cluster.cookie=s3cret").run((context) -> {
			assertThat(context).hasNotFailed();
			assertThat(context.getBean(ClusterNode.class).isRunning()).isTrue();
		});
		assertThat(output.getOut().lines().filter((line) -> line.contains("WARN") && line.contains("cluster.cookie")))
			.singleElement()
			.satisfies((line) -> assertThat(line).contains("openssl rand -base64 32"));
		assertThat(output.getOut()).doesNotContain("s3cret");
	}

	@Test
	void whenTheCookieHasSixteenCharactersThenANodeOnAllInterfacesStarts(CapturedOutput output) {
		this.runner
			.withPropertyValues("cluster.node.host=127.0.0.1", "cluster.node.bind-address=0.0.0.0",
					"cluster.cookie=" + STRONG)
			.run((context) -> assertThat(context).hasNotFailed());
		assertThat(output.getOut()).doesNotContain("cluster.cookie");
	}

	@Test
	void whenThereIsNoCookieThenANodeOnAllInterfacesStillStarts() {
		this.runner.withPropertyValues("cluster.node.host=127.0.0.1", "cluster.node.bind-address=0.0.0.0")
			.run((context) -> assertThat(context).hasNotFailed());
	}

	@Test
	void whenTheCookieIsAnUnresolvedPlaceholderThenStartUpFailsSayingHowToSetIt() {
		this.runner
			.withPropertyValues("cluster.node.host=127.0.0.1",
					"cluster.cookie=${CLUSTERING_TEST_UNSET_COOKIE_VARIABLE}")
			.run((context) -> {
				assertThat(context).hasFailed();
				ClusterConfigurationException ex = rootCause(context.getStartupFailure());
				assertThat(ex.getProperty()).isEqualTo("cluster.cookie");
				assertThat(ex.getProblem()).contains("unresolved placeholder ${CLUSTERING_TEST_UNSET_COOKIE_VARIABLE}");
				assertThat(ex.getAction()).contains("export CLUSTERING_TEST_UNSET_COOKIE_VARIABLE=",
						"--cluster.cookie=");
			});
	}

	@Test
	void whenTheCookieContainsAnUnresolvedPlaceholderThenStartUpFails() {
		this.runner
			.withPropertyValues("cluster.node.host=127.0.0.1",
					"cluster.cookie=prefix-${CLUSTERING_TEST_UNSET_COOKIE_VARIABLE}-suffix")
			.run((context) -> assertThat(rootCause(context.getStartupFailure()).getMessage())
				.contains("cluster.cookie")
				.doesNotContain("prefix-"));
	}

	@ParameterizedTest
	@CsvSource({ "127.0.0.1, true", "127.255.3.4, true", "::1, true", "[::1], true", "0:0:0:0:0:0:0:1, true",
			"localhost, true", "LocalHost, true", "0.0.0.0, false", "::, false", "10.0.0.1, false",
			"128.0.0.1, false", "192.168.1.127, false", "::2, false", "fe80::1, false", "127.1, false",
			"127.0.0.256, false", "localhost.example.com, false", "127.0.0.1.nip.io, false", "node-1, false" })
	void loopbackIsDecidedFromTheTextAlone(String host, boolean loopback) {
		assertThat(ClusterSecrets.isLoopback(host)).isEqualTo(loopback);
	}

	@Test
	void aNodeIsLoopbackOnlyWhenItsHostAndBindAddressBothAre() {
		assertThat(ClusterSecrets.isLoopbackOnly("127.0.0.1", null)).isTrue();
		assertThat(ClusterSecrets.isLoopbackOnly("127.0.0.1", "::1")).isTrue();
		assertThat(ClusterSecrets.isLoopbackOnly("127.0.0.1", "0.0.0.0")).isFalse();
		assertThat(ClusterSecrets.isLoopbackOnly("10.0.0.1", "127.0.0.1")).isFalse();
		assertThat(ClusterSecrets.isLoopbackOnly(null, "127.0.0.1")).isFalse();
		assertThat(ClusterSecrets.isLoopbackOnly(null, null)).isFalse();
	}

}
