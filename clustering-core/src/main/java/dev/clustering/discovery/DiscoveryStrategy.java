package dev.clustering.discovery;

/**
 * How one topology finds nodes: sealed over the kinds the engine runs, so implement one of them: {@link PollingStrategy}
 * (asked for the current addresses every poll interval), {@link WatchStrategy} (pushes answers when
 * they change), or {@link RegistryStrategy} (also registers this node and can lose its registry).
 * A strategy may also implement {@link ElectionCapable} to offer leader election with a fencing
 * token. Discovery only proposes whom to dial: membership is decided by authentication and
 * liveness.
 * <p>
 * In a Spring application any bean implementing this interface can be selected by its bean name
 * as {@code cluster.topologies.<name>.strategy}.
 */
public sealed interface DiscoveryStrategy permits PollingStrategy, WatchStrategy {

}
