package dev.clustering.discovery.etcd;

import java.util.concurrent.CompletableFuture;

import io.etcd.jetcd.options.PutOption;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.clustering.discovery.DiscoveryContext;
import dev.clustering.discovery.LeaseBound;
import dev.clustering.discovery.NodeRecord;
import dev.clustering.discovery.RegistryListener;

/**
 * This node's registration: its {@link NodeRecord} under {@code <prefix>/<service>/<node name>}, on
 * a lease kept alive until {@link #close()} revokes it.
 */
final class EtcdRegistration implements AutoCloseable, LeaseBound, LeaseKeeper.Owner {

	private static final Logger logger = LoggerFactory.getLogger(EtcdRegistration.class);

	private final EtcdRuntime runtime;

	private final DiscoveryContext context;

	private final RegistryListener listener;

	private final String key;

	private final String value;

	private final LeaseKeeper keeper;

	EtcdRegistration(EtcdRuntime runtime, DiscoveryContext context, RegistryListener listener) {
		this.runtime = runtime;
		this.context = context;
		this.listener = listener;
		this.key = runtime.settings().nodeKey(context.self().name());
		this.value = NodeRecord.of(context.self()).toJson();
		this.keeper = new LeaseKeeper(runtime, "[" + context.topology() + "] registration " + this.key, this);
	}

	void start() {
		this.keeper.start();
	}

	@Override
	public CompletableFuture<?> establish(long lease) {
		PutOption option = PutOption.builder().withLeaseId(lease).build();
		return this.runtime.call(() -> this.runtime.client()
			.getKVClient()
			.put(EtcdRuntime.bytes(this.key), EtcdRuntime.bytes(this.value), option));
	}

	@Override
	public void lost(Throwable error) {
		try {
			this.listener.registryLost(error);
		}
		catch (Throwable ex) {
			logger.warn("[{}] registry listener failed", this.context.topology(), ex);
		}
	}

	@Override
	public void restored() {
		try {
			this.listener.registryRestored();
		}
		catch (Throwable ex) {
			logger.warn("[{}] registry listener failed", this.context.topology(), ex);
		}
	}

	@Override
	public long validUntilNanos() {
		return this.keeper.validUntilNanos();
	}

	/**
	 * Deregisters: revokes the lease, so the key goes at once.
	 */
	@Override
	public void close() {
		Throwable failure = this.keeper.close();
		if (failure != null) {
			logger.warn("[{}] could not deregister {} ({}); it expires within {}s", this.context.topology(), this.key,
					EtcdRuntime.describe(failure), this.runtime.settings().ttlSeconds());
		}
		else {
			logger.debug("[{}] deregistered {}", this.context.topology(), this.key);
		}
	}

}
