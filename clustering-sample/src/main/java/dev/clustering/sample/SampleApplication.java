package dev.clustering.sample;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.context.event.EventListener;
import org.springframework.scheduling.annotation.EnableScheduling;

import dev.clustering.membership.NodeJoinedEvent;
import dev.clustering.membership.NodeLeftEvent;

/**
 * A cluster node that logs every membership change, runs the {@code distro} singleton of the
 * Erlang walkthrough and a leader-only task. With no arguments it is a one-node cluster; see the
 * README for the three-node demo.
 */
@SpringBootApplication
@EnableScheduling
public class SampleApplication {

	private static final Logger logger = LoggerFactory.getLogger(SampleApplication.class);

	public static void main(String[] args) {
		SpringApplication.run(SampleApplication.class, args);
	}

	@EventListener
	void joined(NodeJoinedEvent event) {
		logger.info("JOINED {} at {} (seen by {})", event.getNodeName(), event.getMember().address(),
				event.getLocalNode());
	}

	@EventListener
	void left(NodeLeftEvent event) {
		logger.info("LEFT {} reason={} (seen by {})", event.getNodeName(), event.getReason(), event.getLocalNode());
	}

}
