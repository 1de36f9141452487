package dev.clustering.benchmark;

import org.springframework.boot.Banner;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.ImportAutoConfiguration;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.event.EventListener;

import dev.clustering.autoconfigure.ClusterAutoConfiguration;
import dev.clustering.autoconfigure.ConsulStrategyAutoConfiguration;
import dev.clustering.benchmark.CandidateOutput.Status;
import dev.clustering.leadership.LeaderElectedEvent;
import dev.clustering.leadership.LeadershipRevokedEvent;
import dev.clustering.node.ClusterNode;

import static dev.clustering.benchmark.CandidateOutput.say;

/**
 * One engine candidate process of the consul scenario, started by {@link ConsulScenario} from the
 * benchmark's own jar: a minimal Spring Boot application (no web server) with this project's
 * auto-configuration and the {@code consul} strategy, configured by its command-line properties
 * ({@code --cluster.node.name=n1 --cluster.topologies.bench.strategy=consul ...}) as a user's
 * application would be. It talks to the benchmark as {@link CandidateOutput} says: a LEADER line when
 * it receives a {@link LeaderElectedEvent} naming itself, a REVOKED line for a
 * {@link LeadershipRevokedEvent}, READY once the application has started. SIGTERM runs Spring's
 * shutdown hook, which closes the context and with it the node (resign, deregister, goodbye).
 */
@SpringBootConfiguration(proxyBeanMethods = false)
@ImportAutoConfiguration({ ClusterAutoConfiguration.class, ConsulStrategyAutoConfiguration.class })
public class ConsulCandidate {

	public static void main(String[] args) throws Exception {
		SpringApplication application = new SpringApplication(ConsulCandidate.class);
		application.setWebApplicationType(WebApplicationType.NONE);
		application.setBannerMode(Banner.Mode.OFF);
		ConfigurableApplicationContext context = application.run(args);
		say("READY", "");
		// commands from the benchmark; its end (the benchmark gone) ends this process too
		CandidateOutput.serve(Status.of(context.getBean(ClusterNode.class)));
	}

	@EventListener
	public void elected(LeaderElectedEvent event) {
		if (event.isLocal()) {
			say("LEADER", String.valueOf(event.getFencingToken()));
		}
	}

	@EventListener
	public void revoked(LeadershipRevokedEvent event) {
		say("REVOKED", event.getFencingToken() + " " + event.getReason());
	}

}
