/**
 * The cluster engine: {@link dev.clustering.node.ClusterNode} ties transport, failure detection,
 * topologies, leadership and singletons together, and is built and run in plain Java, without a
 * Spring context. Decisions are pure functions tested on their own ({@code Election},
 * {@code Placement}, {@code QuorumCount}); the rest carries them out.
 *
 * <h2>Who owns what (the threading rule)</h2>
 * <ul>
 * <li><b>The event loop</b> (one Netty thread per node, {@code cluster-<name>}) owns all of the
 * engine's state: the peers and their failure detectors ({@code Mesh}, with {@code MeshPeers}, the
 * table of admitted peer processes ({@code MeshPeer}), {@code MeshDetection}, each member's detector
 * and the pause check, and {@code MeshAdmission}, which decides which processes and connections are
 * admitted); the election ({@code Election}, with {@code HighestToken}, the largest token seen and
 * which tokens are believable, or {@code RegistryElection}); the singleton table, placement and the
 * map of local runs ({@code Singletons}, with {@code SingletonOrders} for the leader's orders and
 * {@code SingletonMoves} for an operator's moves; {@code SingletonPlacer} and the evidence it
 * gathers, {@code PlacementEvidence}; {@code SingletonRunner} and each {@code SingletonRun}, whose
 * permit any thread may check). Every entry point asserts it runs there. Other threads hand work
 * to it with {@code execute}, never by calling in; {@code RegistryBridge}'s listeners, called on
 * topology threads, do only that.</li>
 * <li><b>The caller's thread</b> starts, closes and halts a node ({@code NodeLifecycle}), one call
 * at a time through its atomic state; what a start creates sits in volatile fields any thread may
 * read.</li>
 * <li><b>Any thread</b> may read what the loop publishes as one immutable value through one
 * volatile field: the membership snapshot, the leader this node sees, the singleton views
 * ({@code SingletonViews}), and this node's lease and singleton permits. Whether this node leads, and whether a run may act, is
 * answered from those values <em>against the monotonic clock, on the caller's thread</em>, so a
 * stalled loop loses leadership and its singletons on time.</li>
 * <li><b>The watchdog</b> ({@code cluster-watchdog-<name>}) only reads the published runs and, when
 * a run's permit has run out, claims its stop (each run is stopped once, by whoever claims it
 * first) and calls the bean's {@code stop} on the singleton's thread.</li>
 * <li><b>Singleton threads</b> ({@code cluster-singleton-<name>}, one per singleton) only call the
 * beans' {@code start} and {@code stop} and hand the outcome back to the loop.</li>
 * <li><b>Topology threads</b> ({@code cluster-topology-<name>}) own their strategy's handles
 * (registration, watch, candidacy) and report answers to the loop.</li>
 * <li><b>The event thread</b> ({@code cluster-events-<name>}) delivers events, in order, to the
 * listeners registered when each event happened.</li>
 * </ul>
 */
package dev.clustering.node;
