package dev.clustering.autoconfigure;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.util.unit.DataSize;

import dev.clustering.leadership.SplitBrainStrategy;

/**
 * Configuration of the cluster: this node, its transport, failure detection and topologies.
 */
@ConfigurationProperties("cluster")
public class ClusterProperties {

	/**
	 * Whether this application joins a cluster.
	 */
	private boolean enabled = true;

	/**
	 * Shared secret every node must know; nodes prove it to each other without sending it. Without
	 * one, only peers on loopback are accepted.
	 */
	private String cookie;

	private final Node node = new Node();

	private final Transport transport = new Transport();

	private final FailureDetector failureDetector = new FailureDetector();

	private final SplitBrain splitBrain = new SplitBrain();

	private final SyncNodes syncNodes = new SyncNodes();

	/**
	 * Singletons by name: where each may run and how it moves.
	 */
	private final Map<String, Singleton> singletons = new LinkedHashMap<>();

	/**
	 * Topologies by name: each discovers nodes with its own strategy; membership is their union.
	 */
	private final Map<String, Topology> topologies = new LinkedHashMap<>();

	public boolean isEnabled() {
		return this.enabled;
	}

	public void setEnabled(boolean enabled) {
		this.enabled = enabled;
	}

	public String getCookie() {
		return this.cookie;
	}

	public void setCookie(String cookie) {
		this.cookie = cookie;
	}

	public Node getNode() {
		return this.node;
	}

	public Transport getTransport() {
		return this.transport;
	}

	public FailureDetector getFailureDetector() {
		return this.failureDetector;
	}

	public Map<String, Topology> getTopologies() {
		return this.topologies;
	}

	public SplitBrain getSplitBrain() {
		return this.splitBrain;
	}

	public SyncNodes getSyncNodes() {
		return this.syncNodes;
	}

	public Map<String, Singleton> getSingletons() {
		return this.singletons;
	}

	/**
	 * Split-brain protection: whether a side of a partition may keep a leader and singletons.
	 */
	public static class SplitBrain {

		/**
		 * Rule that decides whether this side has a quorum: keep-majority (more than half of the
		 * known nodes reachable), static-quorum (at least quorum-size nodes), or off (every side
		 * keeps going, as Erlang/OTP does).
		 */
		private SplitBrainStrategy strategy = SplitBrainStrategy.KEEP_MAJORITY;

		/**
		 * Nodes, this one included, that must be reachable with the static-quorum strategy.
		 */
		private int quorumSize = 1;

		public SplitBrainStrategy getStrategy() {
			return this.strategy;
		}

		public void setStrategy(SplitBrainStrategy strategy) {
			this.strategy = strategy;
		}

		public int getQuorumSize() {
			return this.quorumSize;
		}

		public void setQuorumSize(int quorumSize) {
			this.quorumSize = quorumSize;
		}

	}

	/**
	 * Start-up gating on other nodes (OTP's sync_nodes_mandatory, sync_nodes_optional and
	 * sync_nodes_timeout).
	 */
	public static class SyncNodes {

		/**
		 * Nodes (name or name@host) that must be members before start-up completes; start-up fails
		 * if they are not within the timeout.
		 */
		private List<String> mandatory = new ArrayList<>();

		/**
		 * Nodes (name or name@host) waited for, up to the timeout, without failing.
		 */
		private List<String> optional = new ArrayList<>();

		/**
		 * How long start-up waits for the mandatory and optional nodes.
		 */
		private Duration timeout = Duration.ofSeconds(30);

		public List<String> getMandatory() {
			return this.mandatory;
		}

		public void setMandatory(List<String> mandatory) {
			this.mandatory = mandatory;
		}

		public List<String> getOptional() {
			return this.optional;
		}

		public void setOptional(List<String> optional) {
			this.optional = optional;
		}

		public Duration getTimeout() {
			return this.timeout;
		}

		public void setTimeout(Duration timeout) {
			this.timeout = timeout;
		}

	}

	/**
	 * One singleton: work that runs on exactly one node.
	 */
	public static class Singleton {

		/**
		 * Nodes in priority order; each element is a group of equal priority ([abc, [bcd, def]], or
		 * nodes[0]=abc, nodes[1]=bcd,def). Empty means any node.
		 */
		private List<List<String>> nodes = new ArrayList<>();

		/**
		 * How long to wait, after the node running the singleton is gone, before starting it
		 * elsewhere.
		 */
		private Duration failoverTimeout = Duration.ofSeconds(5);

		/**
		 * Whether a node of higher priority that joins takes the singleton over.
		 */
		private boolean takeover = true;

		/**
		 * How long a node of higher priority must stay up before it takes the singleton over, so a
		 * flapping node cannot make it bounce.
		 */
		private Duration takeoverDelay = Duration.ofSeconds(2);

		public List<List<String>> getNodes() {
			return this.nodes;
		}

		public void setNodes(List<List<String>> nodes) {
			this.nodes = nodes;
		}

		public Duration getFailoverTimeout() {
			return this.failoverTimeout;
		}

		public void setFailoverTimeout(Duration failoverTimeout) {
			this.failoverTimeout = failoverTimeout;
		}

		public boolean isTakeover() {
			return this.takeover;
		}

		public void setTakeover(boolean takeover) {
			this.takeover = takeover;
		}

		public Duration getTakeoverDelay() {
			return this.takeoverDelay;
		}

		public void setTakeoverDelay(Duration takeoverDelay) {
			this.takeoverDelay = takeoverDelay;
		}

	}

	/**
	 * This node's identity.
	 */
	public static class Node {

		/**
		 * Name part of the node name (name@host). Defaults to spring.application.name, else "node".
		 */
		private String name;

		/**
		 * Host this node advertises and listens on. Defaults to this machine's first non-loopback
		 * address.
		 */
		private String host;

		/**
		 * Cluster transport port (the distribution port); 0 for a free port, which is then
		 * advertised.
		 */
		private int port = 0;

		/**
		 * Address to listen on when it differs from the advertised host (for example 0.0.0.0).
		 */
		private String bindAddress;

		/**
		 * Key-value pairs this node tells its peers about itself.
		 */
		private Map<String, String> metadata = new LinkedHashMap<>();

		public String getName() {
			return this.name;
		}

		public void setName(String name) {
			this.name = name;
		}

		public String getHost() {
			return this.host;
		}

		public void setHost(String host) {
			this.host = host;
		}

		public int getPort() {
			return this.port;
		}

		public void setPort(int port) {
			this.port = port;
		}

		public String getBindAddress() {
			return this.bindAddress;
		}

		public void setBindAddress(String bindAddress) {
			this.bindAddress = bindAddress;
		}

		public Map<String, String> getMetadata() {
			return this.metadata;
		}

		public void setMetadata(Map<String, String> metadata) {
			this.metadata = metadata;
		}

	}

	/**
	 * The cluster transport.
	 */
	public static class Transport {

		/**
		 * Largest frame accepted from a peer; a larger one closes that connection.
		 */
		private DataSize maxFrameSize = DataSize.ofKilobytes(64);

		/**
		 * How long a TCP connect to a peer may take.
		 */
		private Duration connectTimeout = Duration.ofSeconds(2);

		/**
		 * How long a new connection may take to authenticate before it is closed.
		 */
		private Duration handshakeTimeout = Duration.ofSeconds(5);

		/**
		 * First delay before redialling a discovered peer that could not be reached.
		 */
		private Duration reconnectInitialBackoff = Duration.ofMillis(100);

		/**
		 * Longest delay between redials of a discovered peer.
		 */
		private Duration reconnectMaxBackoff = Duration.ofSeconds(5);

		private final Ssl ssl = new Ssl();

		public DataSize getMaxFrameSize() {
			return this.maxFrameSize;
		}

		public void setMaxFrameSize(DataSize maxFrameSize) {
			this.maxFrameSize = maxFrameSize;
		}

		public Duration getConnectTimeout() {
			return this.connectTimeout;
		}

		public void setConnectTimeout(Duration connectTimeout) {
			this.connectTimeout = connectTimeout;
		}

		public Duration getHandshakeTimeout() {
			return this.handshakeTimeout;
		}

		public void setHandshakeTimeout(Duration handshakeTimeout) {
			this.handshakeTimeout = handshakeTimeout;
		}

		public Duration getReconnectInitialBackoff() {
			return this.reconnectInitialBackoff;
		}

		public void setReconnectInitialBackoff(Duration reconnectInitialBackoff) {
			this.reconnectInitialBackoff = reconnectInitialBackoff;
		}

		public Duration getReconnectMaxBackoff() {
			return this.reconnectMaxBackoff;
		}

		public void setReconnectMaxBackoff(Duration reconnectMaxBackoff) {
			this.reconnectMaxBackoff = reconnectMaxBackoff;
		}

		public Ssl getSsl() {
			return this.ssl;
		}

		/**
		 * TLS for the cluster transport.
		 */
		public static class Ssl {

			/**
			 * Name of the SSL bundle (spring.ssl.bundle.*) that secures the transport with TLS; its
			 * key store identifies this node and its trust store the peers. A bundle without a
			 * trust store is refused.
			 */
			private String bundle;

			/**
			 * Whether a dialled peer's certificate must name the host it is dialled at (its
			 * advertised cluster.node.host) in its subject alternative names, as an IP address
			 * for an IP literal. When off, any certificate the trust store accepts is enough.
			 */
			private boolean verifyHostname = true;

			public String getBundle() {
				return this.bundle;
			}

			public void setBundle(String bundle) {
				this.bundle = bundle;
			}

			public boolean isVerifyHostname() {
				return this.verifyHostname;
			}

			public void setVerifyHostname(boolean verifyHostname) {
				this.verifyHostname = verifyHostname;
			}

		}

	}

	/**
	 * The phi-accrual failure detector that judges silent peers.
	 */
	public static class FailureDetector {

		/**
		 * How often a heartbeat is sent to each peer.
		 */
		private Duration heartbeatInterval = Duration.ofSeconds(1);

		/**
		 * Silence tolerated on top of the usual heartbeat interval before suspicion rises.
		 */
		private Duration acceptableHeartbeatPause = Duration.ofSeconds(1);

		/**
		 * Suspicion level (phi) above which a peer is unreachable; higher is slower and surer.
		 */
		private double threshold = 8.0;

		/**
		 * Floor for the standard deviation of heartbeat intervals.
		 */
		private Duration minStdDeviation = Duration.ofMillis(100);

		public Duration getHeartbeatInterval() {
			return this.heartbeatInterval;
		}

		public void setHeartbeatInterval(Duration heartbeatInterval) {
			this.heartbeatInterval = heartbeatInterval;
		}

		public Duration getAcceptableHeartbeatPause() {
			return this.acceptableHeartbeatPause;
		}

		public void setAcceptableHeartbeatPause(Duration acceptableHeartbeatPause) {
			this.acceptableHeartbeatPause = acceptableHeartbeatPause;
		}

		public double getThreshold() {
			return this.threshold;
		}

		public void setThreshold(double threshold) {
			this.threshold = threshold;
		}

		public Duration getMinStdDeviation() {
			return this.minStdDeviation;
		}

		public void setMinStdDeviation(Duration minStdDeviation) {
			this.minStdDeviation = minStdDeviation;
		}

	}

	/**
	 * One topology: a way of discovering nodes. The strategy's own settings, under
	 * {@code cluster.topologies.<name>.<strategy>.*}, are bound by its factory into a class of its own
	 * ({@link StaticTopologyProperties}, {@link DnsTopologyProperties}, {@link DnsSrvTopologyProperties},
	 * {@link EtcdTopologyProperties}, {@link ZooKeeperTopologyProperties}, or a custom strategy's), see
	 * {@link StrategyContext}.
	 */
	public static class Topology {

		/**
		 * Discovery strategy: "static", "none", or the name of a DiscoveryStrategy bean.
		 */
		private String strategy;

		/**
		 * How often a polling strategy looks for nodes.
		 */
		private Duration pollInterval = Duration.ofSeconds(5);

		public String getStrategy() {
			return this.strategy;
		}

		public void setStrategy(String strategy) {
			this.strategy = strategy;
		}

		public Duration getPollInterval() {
			return this.pollInterval;
		}

		public void setPollInterval(Duration pollInterval) {
			this.pollInterval = pollInterval;
		}

	}

}
