package dev.clustering.autoconfigure;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.boot.availability.AvailabilityChangeEvent;
import org.springframework.boot.availability.ReadinessState;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.context.SmartLifecycle;

import dev.clustering.node.ClusterNode;

/**
 * Start-up gating (OTP's {@code sync_nodes_*}): once the web server is up, holds start-up until the
 * mandatory nodes are members (failing if they are not within the timeout) and waits for the
 * optional ones up to the same timeout. Readiness reports REFUSING_TRAFFIC meanwhile.
 */
class ClusterSyncLifecycle implements SmartLifecycle {

	private static final Logger logger = LoggerFactory.getLogger(ClusterSyncLifecycle.class);

	/** After the web server starts (so readiness can be asked), before it accepts graceful shutdown. */
	static final int PHASE = SmartLifecycle.DEFAULT_PHASE - 1536;

	private final ClusterNode node;

	private final ClusterProperties.SyncNodes sync;

	private final ApplicationEventPublisher publisher;

	private volatile boolean running;

	ClusterSyncLifecycle(ClusterNode node, ClusterProperties.SyncNodes sync, ApplicationEventPublisher publisher) {
		this.node = node;
		this.sync = sync;
		this.publisher = publisher;
	}

	@Override
	public void start() {
		this.running = true;
		if (this.sync.getMandatory().isEmpty() && this.sync.getOptional().isEmpty()) {
			return;
		}
		AvailabilityChangeEvent.publish(this.publisher, this, ReadinessState.REFUSING_TRAFFIC);
		List<String> all = new ArrayList<>(this.sync.getMandatory());
		all.addAll(this.sync.getOptional());
		logger.info("Waiting up to {} ms for cluster nodes {}", this.sync.getTimeout().toMillis(), all);
		Set<String> missing;
		try {
			missing = this.node.awaitMembers(all, this.sync.getTimeout());
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new IllegalStateException("Interrupted while waiting for cluster nodes", ex);
		}
		Set<String> mandatoryMissing = new TreeSet<>(missing);
		mandatoryMissing.retainAll(this.sync.getMandatory());
		if (!mandatoryMissing.isEmpty()) {
			throw new ClusterSyncException(mandatoryMissing, this.sync.getTimeout());
		}
		if (!missing.isEmpty()) {
			logger.warn("Optional cluster nodes {} did not join within {} ms; starting without them", missing,
					this.sync.getTimeout().toMillis());
		}
		else {
			logger.info("Cluster nodes {} are members", all);
		}
	}

	@Override
	public void stop() {
		this.running = false;
	}

	@Override
	public boolean isRunning() {
		return this.running;
	}

	@Override
	public int getPhase() {
		return PHASE;
	}

}
