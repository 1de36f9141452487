package dev.clustering.actuate;

import org.springframework.boot.health.contributor.AbstractHealthIndicator;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.Status;

import dev.clustering.discovery.TopologyStatus;
import dev.clustering.node.ClusterNode;

/**
 * UP once every topology has completed a discovery round (nessie's {@code has_ran}), with the
 * member count and each topology's state in the details.
 */
public class ClusterHealthIndicator extends AbstractHealthIndicator {

	private final ClusterNode node;

	/**
	 * Creates the indicator.
	 * @param node the node
	 */
	public ClusterHealthIndicator(ClusterNode node) {
		super("Cluster health check failed");
		this.node = node;
	}

	@Override
	protected void doHealthCheck(Health.Builder builder) {
		if (!this.node.isRunning()) {
			builder.outOfService().withDetail("node", "not running");
			return;
		}
		builder.status(this.node.hasRun() ? Status.UP
				: Status.DOWN);
		builder.withDetail("node", this.node.self().name());
		builder.withDetail("members", this.node.members().size());
		builder.withDetail("leader", this.node.leadership().leader().map((l) -> l.name()).orElse("none"));
		for (TopologyStatus topology : this.node.topologies()) {
			builder.withDetail("topology." + topology.name(),
					topology.hasRun() ? ((topology.lastError() != null) ? "last round failed: "
							+ topology.lastError().message() : "ok") : "discovery has not completed yet");
		}
	}

}
