package dev.clustering.sample;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.beans.factory.annotation.Value;
import org.springframework.context.event.EventListener;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;

import dev.clustering.leadership.ClusterLeadership;
import dev.clustering.leadership.LeaderElectedEvent;
import dev.clustering.leadership.LeadershipRevokedEvent;

/**
 * Work only the leader does, and the leadership changes as this node hears them. With
 * {@code sample.history-dir} set, every 100 ms while this node leads a {@code lead <token>} line is
 * appended to {@code <dir>/<node name>.history}, for the fault suite's checker.
 */
@Component
class LeaderTasks {

	private static final Logger logger = LoggerFactory.getLogger(LeaderTasks.class);

	private final ClusterLeadership leadership;

	private final Path historyFile;

	private final String nodeName;

	LeaderTasks(ClusterLeadership leadership, @Value("${sample.history-dir:}") String historyDir,
			@Value("${cluster.node.name:${spring.application.name:node}}") String nodeName) {
		this.leadership = leadership;
		this.nodeName = nodeName;
		this.historyFile = historyDir.isEmpty() ? null : Path.of(historyDir, nodeName + ".history");
	}

	@Scheduled(fixedDelay = 5000, initialDelay = 5000)
	void leaderOnly() {
		this.leadership.ownLeadership()
			.ifPresent((lead) -> logger.info("LEADER task ran here (fencing token {})", lead.fencingToken()));
	}

	@Scheduled(fixedDelay = 100, initialDelay = 100)
	void recordLead() {
		if (this.historyFile == null) {
			return;
		}
		// the time is read before the check, so a stall after it cannot date the line too late
		long now = System.currentTimeMillis();
		// one call: this node's leadership and its token, or nothing
		this.leadership.ownLeadership()
			.ifPresent((lead) -> append(now + " " + ProcessHandle.current().pid() + " " + this.nodeName + " lead "
					+ lead.fencingToken()));
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

	private void append(String line) {
		try {
			// one small append per line, flushed by closing, as DistroSingleton does
			Files.write(this.historyFile, (line + "\n").getBytes(StandardCharsets.UTF_8), StandardOpenOption.CREATE,
					StandardOpenOption.APPEND, StandardOpenOption.WRITE);
		}
		catch (IOException ex) {
			logger.warn("Cannot record to {}: {}", this.historyFile, ex.toString());
		}
	}

}
