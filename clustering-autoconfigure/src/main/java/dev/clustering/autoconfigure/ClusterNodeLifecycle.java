package dev.clustering.autoconfigure;

import java.util.Map;

import org.springframework.beans.factory.ListableBeanFactory;
import org.springframework.context.SmartLifecycle;

import dev.clustering.node.ClusterNode;
import dev.clustering.singleton.ClusterSingleton;

/**
 * Starts the node once every bean (and so every listener) exists, with the singleton beans
 * registered, and leaves gracefully (handing singletons over) before the beans are destroyed.
 */
class ClusterNodeLifecycle implements SmartLifecycle {

	/** Before the web server starts; stopped after it has stopped taking requests. */
	static final int PHASE = SmartLifecycle.DEFAULT_PHASE - 4096;

	private final ClusterNode node;

	private final ListableBeanFactory beans;

	ClusterNodeLifecycle(ClusterNode node, ListableBeanFactory beans) {
		this.node = node;
		this.beans = beans;
	}

	@Override
	public void start() {
		if (this.node.isRunning()) {
			return;
		}
		for (Map.Entry<String, ClusterSingleton> entry : this.beans.getBeansOfType(ClusterSingleton.class)
			.entrySet()) {
			String name = entry.getValue().singletonName();
			this.node.registerSingleton((name != null) ? name : entry.getKey(), entry.getValue());
		}
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
