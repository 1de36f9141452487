package dev.clustering.discovery.zookeeper;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Comparator;
import java.util.Objects;
import java.util.Optional;

import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.recipes.cache.ChildData;
import org.apache.curator.framework.recipes.nodes.PersistentNode;
import org.apache.curator.framework.state.ConnectionState;
import org.apache.curator.framework.state.ConnectionStateListener;
import org.apache.zookeeper.CreateMode;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.clustering.discovery.DiscoveryContext;
import dev.clustering.discovery.ElectionCapable;
import dev.clustering.discovery.LeaseBound;
import dev.clustering.transport.FrameCodec;

/**
 * This node's candidacy: an ephemeral sequential znode under {@code <root>/<service>/election}
 * holding the node's name, kept by Curator's {@link PersistentNode} (created again in each new
 * session, and whenever someone deletes it). A cache of the election's children (read anew after
 * each reconnection, see {@link FreshCache}) tells every candidate who leads: the candidate whose
 * znode was created first, with that znode's creation zxid as its fencing token. Creation order, not
 * the sequence number in the name: Curator re-creates a lost candidacy under its old name, and it
 * must queue behind the candidacies created meanwhile. A znode created later always has a larger
 * zxid (across server restarts too: the zxid's high bits count the ensemble's epochs), and a
 * candidate leads only once every earlier candidate's znode is gone, so tokens grow strictly from
 * one leader to the next.
 * <p>
 * The listener hears {@code leaderElected} whenever the leader or its token changes, on every
 * candidate, and {@code leadershipUnknown} as soon as the connection is suspended (Curator's advice:
 * leadership is no longer safe then), until it is back. This node leads only while its own current
 * znode is the first and {@link SessionClock} vouches for its session; a znode an earlier process
 * of this node left is deleted. Thread-safe: the cache's thread and Curator's connection thread
 * call in; what they decide is serialized.
 */
final class ZooKeeperCampaign implements ElectionCapable.Campaign, LeaseBound, ConnectionStateListener {

	private static final Logger logger = LoggerFactory.getLogger(ZooKeeperCampaign.class);

	private static final String PREFIX = "c-";

	private final ZooKeeperRuntime runtime;

	private final DiscoveryContext context;

	private final ElectionCapable.ElectionListener listener;

	private final String self;

	private final PersistentNode candidacy;

	private final FreshCache view;

	// this node leads with this token
	private volatile Long leading;

	private volatile boolean suspended;

	private volatile boolean closed;

	// guarded by this
	private String reportedName;

	private long reportedToken;

	private boolean reportedUnknown;

	private long refusedToken;

	private record Candidate(String path, String name, long token) {
	}

	ZooKeeperCampaign(ZooKeeperRuntime runtime, DiscoveryContext context, ElectionCapable.ElectionListener listener) {
		this.runtime = runtime;
		this.context = context;
		this.listener = listener;
		this.self = context.self().name();
		String election = runtime.settings().electionPath();
		this.candidacy = new PersistentNode(runtime.client(), CreateMode.EPHEMERAL_SEQUENTIAL, true,
				election + "/" + PREFIX, this.self.getBytes(StandardCharsets.UTF_8));
		this.candidacy.getListenable().addListener((path) -> evaluate());
		this.view = new FreshCache(runtime.client(), election, this::evaluate);
	}

	void start() {
		this.runtime.client().getConnectionStateListenable().addListener(this);
		this.view.start();
		this.candidacy.start();
		// a candidacy an earlier process with this name left would lead (or queue) for a whole session
		this.runtime.deleteStale(this.context, this.runtime.settings().electionPath(), this.self);
	}

	private synchronized void evaluate() {
		if (!this.view.initialized() || this.closed) {
			return;
		}
		if (this.suspended) {
			this.leading = null;
			return;
		}
		Optional<Candidate> first = this.view.stream()
			.map(this::candidate)
			.filter(Objects::nonNull)
			.min(Comparator.comparingLong(Candidate::token));
		if (first.isEmpty()) {
			this.leading = null;
			unknown(null);
			return;
		}
		Candidate leader = first.get();
		if (leader.token() > FrameCodec.MAX_LEADER_TOKEN) {
			this.leading = null;
			if (this.refusedToken != leader.token()) {
				this.refusedToken = leader.token();
				logger.error("[{}] the leader's zxid {} is beyond the largest fencing token ({}): this ZooKeeper "
						+ "ensemble has been through more than 2,047 epochs; nobody leads until it is reset",
						this.context.topology(), leader.token(), FrameCodec.MAX_LEADER_TOKEN);
			}
			unknown(null);
			return;
		}
		this.leading = leader.path().equals(this.candidacy.getActualPath()) ? leader.token() : null;
		if (this.reportedUnknown || !leader.name().equals(this.reportedName) || leader.token() != this.reportedToken) {
			this.reportedUnknown = false;
			this.reportedName = leader.name();
			this.reportedToken = leader.token();
			logger.debug("[{}] {} leads (token {})", this.context.topology(), leader.name(), leader.token());
			try {
				this.listener.leaderElected(leader.name(), leader.token());
			}
			catch (RuntimeException ex) {
				logger.warn("[{}] election listener failed", this.context.topology(), ex);
			}
		}
	}

	// a direct child of the election holding a node name, or null
	private Candidate candidate(ChildData child) {
		String parent = this.runtime.settings().electionPath() + "/";
		String path = child.getPath();
		if (!path.startsWith(parent) || path.indexOf('/', parent.length()) >= 0 || child.getStat() == null
				|| child.getData() == null || child.getData().length == 0) {
			return null;
		}
		return new Candidate(path, new String(child.getData(), StandardCharsets.UTF_8), child.getStat().getCzxid());
	}

	private void unknown(Throwable error) {
		if (!this.reportedUnknown) {
			this.reportedUnknown = true;
			this.reportedName = null;
			try {
				this.listener.leadershipUnknown(error);
			}
			catch (RuntimeException ex) {
				logger.warn("[{}] election listener failed", this.context.topology(), ex);
			}
		}
	}

	@Override
	public void stateChanged(CuratorFramework client, ConnectionState state) {
		if (state == ConnectionState.SUSPENDED || state == ConnectionState.LOST) {
			synchronized (this) {
				this.suspended = true;
				this.leading = null;
				if (!this.closed) {
					logger.warn("[{}] ZooKeeper connection {}: nobody is known to lead until it is back",
							this.context.topology(), state.name().toLowerCase());
					unknown(new IOException("the connection to ZooKeeper is " + state.name().toLowerCase()));
				}
			}
		}
		else if (state.isConnected()) {
			// who leads is read anew: the fresh cache evaluates once it holds everything
			synchronized (this) {
				this.suspended = false;
			}
		}
	}

	@Override
	public long leadsUntilNanos(long fencingToken) {
		Long token = this.leading;
		if (token == null || token != fencingToken || this.suspended) {
			return Long.MIN_VALUE;
		}
		return this.runtime.sessionClock().validUntilNanos();
	}

	@Override
	public long validUntilNanos() {
		return (this.candidacy.getActualPath() != null && !this.suspended) ? this.runtime.sessionClock().validUntilNanos()
				: Long.MIN_VALUE;
	}

	/**
	 * Resigns, or withdraws: the candidacy's znode is deleted at once.
	 */
	@Override
	public void close() {
		synchronized (this) {
			this.closed = true;
			this.leading = null;
		}
		this.runtime.client().getConnectionStateListenable().removeListener(this);
		try {
			this.candidacy.close();
		}
		catch (IOException | RuntimeException ex) {
			logger.warn("[{}] could not delete the candidacy of {} ({}); it goes when the session ends",
					this.context.topology(), this.self, ZooKeeperRuntime.describe(ex));
		}
		this.view.close();
	}

}
