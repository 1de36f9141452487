package dev.clustering.sample;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.context.event.EventListener;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;

import dev.clustering.leadership.ClusterLeadership;
import dev.clustering.leadership.LeaderElectedEvent;
import dev.clustering.leadership.LeadershipRevokedEvent;

/**
 * Work only the leader does, and the leadership changes as this node hears them.
 */
@Component
class LeaderTasks {

	private static final Logger logger = LoggerFactory.getLogger(LeaderTasks.class);

	private final ClusterLeadership leadership;

	LeaderTasks(ClusterLeadership leadership) {
		this.leadership = leadership;
	}

	@Scheduled(fixedDelay = 5000, initialDelay = 5000)
	void leaderOnly() {
		if (this.leadership.isLeader()) {
			logger.info("LEADER task ran here (fencing token {})", this.leadership.fencingToken());
		}
	}

	@EventListener
	void elected(LeaderElectedEvent event) {
		logger.info("LEADER {} elected{} (fencing token {})", event.getLeader(), event.isLocal() ? " (this node)" : "",
				event.getFencingToken());
	}

	@EventListener
	void revoked(LeadershipRevokedEvent event) {
		logger.info("LEADER this node no longer leads ({})", event.getReason());
	}

}
