package dev.clustering.autoconfigure;

import org.springframework.context.SmartLifecycle;

import dev.clustering.node.ClusterNode;

/**
 * Starts the node once every bean (and so every listener) exists, and leaves gracefully before
 * the beans are destroyed.
 */
class ClusterNodeLifecycle implements SmartLifecycle {

	/** Late enough that listeners and the web server are up; stopped early on shutdown. */
	static final int PHASE = SmartLifecycle.DEFAULT_PHASE - 4096;

	private final ClusterNode node;

	ClusterNodeLifecycle(ClusterNode node) {
		this.node = node;
	}

	@Override
	public void start() {
		this.node.start();
	}

	@Override
	public void stop() {
		this.node.close();
	}

	@Override
	public boolean isRunning() {
		return this.node.isRunning();
	}

	@Override
	public int getPhase() {
		return PHASE;
	}

}
