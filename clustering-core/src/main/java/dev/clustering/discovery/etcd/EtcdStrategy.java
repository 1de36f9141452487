package dev.clustering.discovery.etcd;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import io.etcd.jetcd.Client;
import io.etcd.jetcd.KeyValue;
import io.etcd.jetcd.kv.GetResponse;
import io.etcd.jetcd.options.GetOption;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.clustering.discovery.DiscoveryContext;
import dev.clustering.discovery.DiscoveryListener;
import dev.clustering.discovery.ElectionCapable;
import dev.clustering.discovery.NodeRecord;
import dev.clustering.discovery.RegistryListener;
import dev.clustering.discovery.RegistryStrategy;

/**
 * Nodes register in etcd and learn of each other by watch (reception, pulse), and leadership is
 * decided by etcd's election with fencing tokens.
 * <ul>
 * <li>Registration: {@code <prefix>/<service>/<node name>} holds the node's {@link NodeRecord} on a
 * lease kept alive; closing the handle revokes the lease, so others see the leave at once; a crashed
 * node's key expires with its lease, one TTL after its last keep-alive.</li>
 * <li>Discovery: the prefix is read, then watched from the revision of that read; every change is
 * reported as the full set of registered addresses, and a broken watch is replaced by a new read.</li>
 * <li>Election: see {@link #campaign}; {@link #nodeCrashed} revokes a dead node's leases so the next
 * candidate leads without waiting out the TTL.</li>
 * </ul>
 * etcd being down never throws out of this strategy: every handle is returned at once and keeps
 * trying in the background, telling its listener what it cannot vouch for (registry lost, leadership
 * unknown, discovery failed) and when it is back. The client is shared, not owned: whoever built it
 * closes it, after closing this strategy. A client built with {@code waitForReady(false)} (as the
 * auto-configuration does) fails requests at once while etcd is unreachable instead of queueing
 * them.
 */
public final class EtcdStrategy implements RegistryStrategy, ElectionCapable, AutoCloseable {

	/** The name to select this strategy with. */
	public static final String NAME = "etcd";

	private static final Logger logger = LoggerFactory.getLogger(EtcdStrategy.class);

	private final EtcdRuntime runtime;

	private final Set<EtcdDiscovery> watches = ConcurrentHashMap.newKeySet();

	/**
	 * Creates the strategy.
	 * @param client the jetcd client to use (not closed by this strategy)
	 * @param settings where and how to register
	 */
	public EtcdStrategy(Client client, EtcdSettings settings) {
		this.runtime = new EtcdRuntime(Objects.requireNonNull(client, "client"),
				Objects.requireNonNull(settings, "settings"));
	}

	/**
	 * The settings.
	 * @return where and how nodes register
	 */
	public EtcdSettings settings() {
		return this.runtime.settings();
	}

	/**
	 * Checks that etcd answers (for {@code fail-fast}): reads the service's prefix once.
	 * @param timeout how long to wait
	 * @throws IOException if etcd did not answer in time, or answered with an error
	 */
	public void checkReachable(Duration timeout) throws IOException {
		GetOption countOnly = GetOption.builder().isPrefix(true).withCountOnly(true).build();
		try {
			this.runtime.open(() -> this.runtime.client()
				.getKVClient()
				.get(EtcdRuntime.bytes(settings().servicePrefix()), countOnly)).get(timeout.toNanos(), TimeUnit.NANOSECONDS);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new IOException("interrupted while reaching etcd", ex);
		}
		catch (TimeoutException ex) {
			throw new IOException("etcd did not answer within " + timeout.toMillis() + " ms", ex);
		}
		catch (ExecutionException ex) {
			throw new IOException(EtcdRuntime.describe(ex), EtcdRuntime.unwrap(ex));
		}
	}

	/**
	 * Registers this node under {@code <prefix>/<service>/<node name>}. Returns at once; if etcd cannot
	 * be reached the listener hears {@code registryLost}, and {@code registryRestored} once registered.
	 * @param context the topology, with this node's name and address
	 * @param listener hears when the registration is lost or restored
	 * @return revokes the registration's lease
	 */
	@Override
	public AutoCloseable register(DiscoveryContext context, RegistryListener listener) {
		EtcdRegistration registration = new EtcdRegistration(this.runtime, context, listener);
		registration.start();
		return registration;
	}

	/**
	 * Reports every registered node's address, now and after each change. Returns at once; a failed
	 * read is reported and tried again, with pauses growing up to the poll interval.
	 * @param context the topology
	 * @param listener where to report
	 * @return stops watching
	 */
	@Override
	public AutoCloseable watch(DiscoveryContext context, DiscoveryListener listener) {
		EtcdDiscovery discovery = new EtcdDiscovery(this.runtime, context, listener);
		this.watches.add(discovery);
		discovery.start();
		return () -> {
			this.watches.remove(discovery);
			discovery.close();
		};
	}

	/**
	 * Reads the registrations anew and watches from there.
	 */
	@Override
	public void refresh() {
		this.watches.forEach(EtcdDiscovery::refresh);
	}

	/**
	 * Joins the election {@code <prefix>/<service>/election} with a lease of its own: etcd's Election
	 * API campaigns, and a watch on the candidates tells every candidate who leads and with which
	 * fencing token (the create revision of the leader's key). Returns at once.
	 * @param context the topology, with this node's name
	 * @param listener hears who leads; see {@link EtcdCampaign}
	 * @return closing revokes the candidacy's lease: a leader resigns, a waiting candidate withdraws
	 */
	@Override
	public AutoCloseable campaign(DiscoveryContext context, ElectionListener listener) {
		EtcdCampaign campaign = new EtcdCampaign(this.runtime, context, listener);
		campaign.start();
		return campaign;
	}

	/**
	 * Revokes the leases of a node whose process died (its registration's, and its candidacies'), so
	 * its key goes and the next candidate leads at once. Only keys that name this node are touched,
	 * never this strategy's own leases. Returns at once; the revocation is logged.
	 * <p>
	 * A node that restarted with the same name and registered again within the moment between its
	 * crash and this call would lose its new registration too; it registers again by itself.
	 * @param context the topology
	 * @param nodeName the node that died
	 */
	@Override
	public void nodeCrashed(DiscoveryContext context, String nodeName) {
		if (nodeName == null || nodeName.isEmpty() || nodeName.indexOf('/') >= 0
				|| nodeName.equals(context.self().name())) {
			return;
		}
		long started = System.nanoTime();
		GetOption all = GetOption.builder().isPrefix(true).build();
		CompletableFuture<GetResponse> registration = this.runtime.call(() -> this.runtime.client()
			.getKVClient()
			.get(EtcdRuntime.bytes(settings().nodeKey(nodeName))));
		CompletableFuture<GetResponse> candidates = this.runtime.call(() -> this.runtime.client()
			.getKVClient()
			.get(EtcdRuntime.bytes(settings().electionPrefix()), all));
		registration.thenCombine(candidates, (registered, candidacies) -> {
			List<Long> leases = new ArrayList<>();
			registered.getKvs().forEach((kv) -> leases.add(kv.getLease()));
			for (KeyValue kv : candidacies.getKvs()) {
				if (nodeName.equals(EtcdRuntime.text(kv.getValue()))) {
					leases.add(kv.getLease());
				}
			}
			return leases.stream().filter((lease) -> lease != 0 && !this.runtime.ownLeases().contains(lease))
				.distinct().toList();
		}).thenCompose((leases) -> {
			List<CompletableFuture<Boolean>> revocations = leases.stream()
				.map((lease) -> this.runtime.call(() -> this.runtime.client().getLeaseClient().revoke(lease))
					.handle((response, error) -> error == null || EtcdRuntime.isNotFound(EtcdRuntime.unwrap(error))))
				.toList();
			return CompletableFuture.allOf(revocations.toArray(CompletableFuture[]::new))
				.thenApply((done) -> revocations.stream().filter(CompletableFuture::join).count());
		}).whenComplete((revoked, error) -> {
			long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
			if (error != null) {
				logger.warn("[{}] could not revoke the leases of crashed node {} ({}); they expire within {}s",
						context.topology(), nodeName, EtcdRuntime.describe(error), settings().ttlSeconds());
			}
			else if (revoked > 0) {
				logger.info("[{}] revoked {} lease(s) of crashed node {} in {} ms", context.topology(), revoked,
						nodeName, ms);
			}
		});
	}

	/**
	 * Stops this strategy's thread. Close the handles first (the engine does when its topology stops):
	 * a handle still open is left to expire with its lease.
	 */
	@Override
	public void close() {
		this.runtime.close();
	}

	@Override
	public String toString() {
		return "EtcdStrategy[" + settings().servicePrefix() + ", ttl " + settings().ttlSeconds() + "s]";
	}

}
