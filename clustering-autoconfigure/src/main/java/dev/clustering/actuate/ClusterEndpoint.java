package dev.clustering.actuate;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

import com.fasterxml.jackson.annotation.JsonInclude;

import org.springframework.boot.actuate.endpoint.Access;
import org.springframework.boot.actuate.endpoint.annotation.Endpoint;
import org.springframework.boot.actuate.endpoint.annotation.ReadOperation;
import org.springframework.boot.actuate.endpoint.annotation.Selector;
import org.springframework.boot.actuate.endpoint.annotation.WriteOperation;

import dev.clustering.discovery.TopologyStatus;
import dev.clustering.membership.ClusterSnapshot;
import dev.clustering.membership.Member;
import dev.clustering.membership.NodeAddress;
import dev.clustering.node.ClusterNode;
import dev.clustering.singleton.SingletonInfo;
import dev.clustering.transport.TransportCounters;

/**
 * {@code /actuator/cluster}: this node, its members and its topologies.
 * {@code /actuator/cluster/{topology}} shows one topology; a {@code POST} runs discovery now. The
 * endpoint is read-only unless {@code management.endpoint.cluster.access=unrestricted}.
 */
@Endpoint(id = "cluster", defaultAccess = Access.READ_ONLY)
public class ClusterEndpoint {

	private final ClusterNode node;

	/**
	 * Creates the endpoint.
	 * @param node the node to describe
	 */
	public ClusterEndpoint(ClusterNode node) {
		this.node = node;
	}

	/**
	 * The whole view.
	 * @return the cluster descriptor
	 */
	@ReadOperation
	public ClusterDescriptor cluster() {
		ClusterSnapshot snapshot = this.node.snapshot();
		List<MemberDescriptor> members = snapshot.sortedMembers().stream().map(MemberDescriptor::of).toList();
		LeaderDescriptor leader = this.node.leadership()
			.leader()
			.map((l) -> new LeaderDescriptor(l.name(), l.since(), l.fencingToken()))
			.orElse(null);
		Map<String, SingletonDescriptor> singletons = new TreeMap<>();
		this.node.singletons().forEach((name, info) -> singletons.put(name, SingletonDescriptor.of(info)));
		return new ClusterDescriptor(new SelfDescriptor(snapshot.self().name(), snapshot.self().address().toString()),
				members, topologies(), leader, singletons, TransportDescriptor.of(this.node.transportCounters()));
	}

	/**
	 * One topology.
	 * @param topology its name
	 * @return its descriptor, or {@code null} (404) if there is no such topology
	 */
	@ReadOperation
	public TopologyDescriptor topology(@Selector String topology) {
		return topologies().get(topology);
	}

	/**
	 * Runs discovery on every topology now (nessie's {@code discover_nodes}).
	 * @return the topologies as they were when discovery was triggered
	 */
	@WriteOperation
	public Map<String, TopologyDescriptor> discover() {
		this.node.discoverNow();
		return topologies();
	}

	/**
	 * Moves a singleton to a node (OTP's {@code application:takeover/2}):
	 * {@code POST /actuator/cluster/{singleton}} with {@code {"node": "abc"}}. It stays there until
	 * that node is gone.
	 * @param singleton the singleton's name
	 * @param node the target node (name or name@host)
	 * @return whether the move was ordered, and if not why
	 */
	@WriteOperation
	public TakeoverResult takeover(@Selector String singleton, String node) {
		String problem = this.node.moveSingleton(singleton, node);
		return new TakeoverResult(singleton, node, problem == null, problem);
	}

	private Map<String, TopologyDescriptor> topologies() {
		Map<String, TopologyDescriptor> topologies = new LinkedHashMap<>();
		this.node.topologies().forEach((status) -> topologies.put(status.name(), TopologyDescriptor.of(status)));
		return topologies;
	}

	/**
	 * The endpoint's answer.
	 *
	 * @param self this node
	 * @param members the other nodes (up or unreachable)
	 * @param topologies each topology's discovery state
	 * @param leader the cluster's leader, {@code null} until leadership exists
	 * @param singletons the singletons and where they run, empty until they exist
	 * @param transport what the transport counted of peers' misbehaviour and its own errors
	 */
	public record ClusterDescriptor(SelfDescriptor self, List<MemberDescriptor> members,
			Map<String, TopologyDescriptor> topologies, @JsonInclude(JsonInclude.Include.ALWAYS) LeaderDescriptor leader,
			Map<String, SingletonDescriptor> singletons, TransportDescriptor transport) {
	}

	/**
	 * What the transport counted since the node started.
	 *
	 * @param invalidFrames frames from authenticated peers that did not decode (skipped)
	 * @param unknownMessages messages of a type this node does not know, from newer peers (skipped)
	 * @param handlerErrors errors of this node's own code while handling a well-formed frame
	 * @param refusedHandshakes connections refused because too many handshakes were pending
	 * @param handshakeTimeouts connections closed for not finishing the handshake in time
	 * @param droppedMessages messages not sent because the peer did not read what was queued for it
	 */
	public record TransportDescriptor(long invalidFrames, long unknownMessages, long handlerErrors,
			long refusedHandshakes, long handshakeTimeouts, long droppedMessages) {

		static TransportDescriptor of(TransportCounters counters) {
			return new TransportDescriptor(counters.invalidFrames(), counters.unknownMessages(), counters.handlerErrors(),
					counters.refusedHandshakes(), counters.handshakeTimeouts(), counters.droppedMessages());
		}

	}

	/**
	 * The leader.
	 *
	 * @param name its node name
	 * @param since when this node learned of it
	 * @param fencingToken its fencing token
	 */
	public record LeaderDescriptor(String name, Instant since, long fencingToken) {
	}

	/**
	 * A singleton, as this node sees it.
	 *
	 * @param node where it runs, {@code null} if nowhere
	 * @param state STARTING, RUNNING, STOPPING, or STOPPED when it runs nowhere
	 * @param startType NORMAL, FAILOVER, TAKEOVER or HANDOVER
	 * @param from the node it came from
	 * @param since when it reached its state
	 * @param fencingToken the token of its current start
	 * @param nodes its configured priority groups
	 */
	public record SingletonDescriptor(@JsonInclude(JsonInclude.Include.ALWAYS) String node, String state,
			@JsonInclude(JsonInclude.Include.ALWAYS) String startType, String from,
			@JsonInclude(JsonInclude.Include.ALWAYS) Instant since, long fencingToken, List<List<String>> nodes) {

		static SingletonDescriptor of(SingletonInfo info) {
			return new SingletonDescriptor(info.node(), info.state().name(),
					(info.startType() != null) ? info.startType().name() : null, info.from(), info.since(),
					info.fencingToken(), info.nodes());
		}

	}

	/**
	 * The answer to a takeover request.
	 *
	 * @param singleton the singleton
	 * @param node the requested node
	 * @param accepted whether the move was ordered
	 * @param reason why not, when it was not
	 */
	public record TakeoverResult(String singleton, String node, boolean accepted, String reason) {
	}

	/**
	 * This node.
	 *
	 * @param name node name
	 * @param address transport address, host:port
	 */
	public record SelfDescriptor(String name, String address) {
	}

	/**
	 * Another node.
	 *
	 * @param name node name
	 * @param address transport address, host:port
	 * @param status UP or UNREACHABLE
	 * @param topologies topologies whose discovery lists it
	 * @param since when it reached its status
	 * @param metadata what it told about itself
	 */
	public record MemberDescriptor(String name, String address, String status, Set<String> topologies, Instant since,
			Map<String, String> metadata) {

		static MemberDescriptor of(Member member) {
			Map<String, String> metadata = new TreeMap<>(member.metadata());
			metadata.keySet().removeIf((key) -> key.startsWith("clustering.")); // the engine's own bookkeeping
			return new MemberDescriptor(member.name(), member.address().toString(), member.status().name(),
					new TreeSet<>(member.topologies()), member.since(), metadata);
		}

	}

	/**
	 * One topology.
	 *
	 * @param strategy its strategy
	 * @param hasRun whether a discovery round has completed
	 * @param lastPoll when the last round finished
	 * @param discovered addresses of the last good answer
	 * @param lastError the last round's error, {@code null} if it succeeded
	 * @param lastErrorAt when that error happened
	 * @param rounds discovery rounds so far
	 * @param errors failed rounds so far
	 */
	public record TopologyDescriptor(String strategy, boolean hasRun, Instant lastPoll, List<String> discovered,
			@JsonInclude(JsonInclude.Include.ALWAYS) String lastError, Instant lastErrorAt, long rounds, long errors) {

		static TopologyDescriptor of(TopologyStatus status) {
			return new TopologyDescriptor(status.strategy(), status.hasRun(), status.lastPoll(),
					status.discovered().stream().map(NodeAddress::toString).toList(),
					(status.lastError() != null) ? status.lastError().message() : null,
					(status.lastError() != null) ? status.lastError().at() : null, status.rounds(), status.errors());
		}

	}

}
