package dev.clustering.discovery.etcd;

import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import io.etcd.jetcd.KeyValue;
import io.etcd.jetcd.options.GetOption;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.clustering.discovery.DiscoveryContext;
import dev.clustering.discovery.ElectionCapable;
import dev.clustering.discovery.LeaseBound;
import dev.clustering.discovery.ElectionCapable.ElectionListener;

/**
 * This node's candidacy in the service's election: jetcd's Election API campaigns with a lease of
 * its own (closing revokes it, which resigns or withdraws at once), and a watch on the candidates'
 * keys tells who leads: the candidate whose key etcd created first, with that key's create
 * revision as fencing token. Because a key created later always has a larger revision, and a
 * candidate leads only once every earlier key is gone, tokens grow strictly from one leader to the
 * next.
 * <p>
 * The listener hears {@code leaderElected} whenever the leader or its token changes, on every
 * candidate; {@code leadershipUnknown} when this node's lease can no longer be vouched for (it then
 * hears nothing more until the lease is restored and the candidates read anew), or when the leader
 * left with no successor. This node is told it leads only when the leading key is under its own
 * current lease, never for an earlier candidacy of a previous process with the same name, which is
 * revoked instead.
 */
final class EtcdCampaign implements ElectionCapable.Campaign, LeaseBound, LeaseKeeper.Owner, PrefixView.Listener {

	private static final Logger logger = LoggerFactory.getLogger(EtcdCampaign.class);

	private record Candidate(String name, long token, long lease) {
	}

	// this node leads with this token under this lease
	private record Leading(long token, long lease) {
	}

	private volatile Leading leading;

	private final EtcdRuntime runtime;

	private final DiscoveryContext context;

	private final ElectionListener listener;

	private final String self;

	private final LeaseKeeper keeper;

	private final PrefixView view;

	private volatile boolean closed;

	// confined to the strategy's thread
	private Candidate leader;

	private boolean viewFresh;

	private int campaigns;

	private String reportedName;

	private long reportedToken;

	private boolean reportedUnknown;

	EtcdCampaign(EtcdRuntime runtime, DiscoveryContext context, ElectionListener listener) {
		this.runtime = runtime;
		this.context = context;
		this.listener = listener;
		this.self = context.self().name();
		this.keeper = new LeaseKeeper(runtime,
				"[" + context.topology() + "] candidacy of " + this.self + " in " + runtime.settings().electionName(),
				this);
		this.view = new PrefixView(runtime, context.topology(), runtime.settings().electionPrefix(),
				runtime.settings().ttl(), this);
	}

	void start() {
		this.view.start();
		this.keeper.start();
	}

	@Override
	public CompletableFuture<?> establish(long lease) {
		withdrawEarlierCandidacies(lease);
		campaign(lease);
		// the campaign returns only once this node leads: the watch tells the rest
		return CompletableFuture.completedFuture(null);
	}

	private void campaign(long lease) {
		int attempt = ++this.campaigns;
		long started = System.nanoTime();
		String name = this.runtime.settings().electionName();
		this.runtime.then(this.runtime.open(() -> this.runtime.client()
			.getElectionClient()
			.campaign(EtcdRuntime.bytes(name), lease, EtcdRuntime.bytes(this.self))), (response, error) -> {
				if (this.closed || attempt != this.campaigns || lease != this.keeper.lease()) {
					return;
				}
				if (error != null) {
					logger.debug("[{}] campaign of {} failed: {}", this.context.topology(), this.self,
							EtcdRuntime.describe(error));
					// a lost lease is campaigned with again once it is vouched for; otherwise retry
					this.runtime.schedule(() -> {
						if (!this.closed && attempt == this.campaigns && !this.keeper.isLost()
								&& lease == this.keeper.lease()) {
							campaign(lease);
						}
					}, this.runtime.retryDelay());
					return;
				}
				logger.debug("[{}] {} won the election with token {} after campaigning {} ms", this.context.topology(),
						this.self, response.getLeader().getRevision(),
						TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started));
			});
	}

	// A previous process with this node's name (restarted faster than its TTL) would lead or queue
	// ahead of this one until its lease expired: it is dead, so its lease goes now.
	private void withdrawEarlierCandidacies(long lease) {
		GetOption all = GetOption.builder().isPrefix(true).build();
		this.runtime.then(this.runtime.call(() -> this.runtime.client()
			.getKVClient()
			.get(EtcdRuntime.bytes(this.runtime.settings().electionPrefix()), all)), (response, error) -> {
				if (error != null || this.closed) {
					return;
				}
				for (KeyValue kv : response.getKvs()) {
					long earlier = kv.getLease();
					if (this.self.equals(EtcdRuntime.text(kv.getValue())) && earlier != lease && earlier != 0
							&& !this.runtime.ownLeases().contains(earlier)) {
						logger.info("[{}] revoking an earlier candidacy of {} (lease {})", this.context.topology(),
								this.self, EtcdRuntime.hex(earlier));
						this.runtime.revokeLater(earlier);
					}
				}
			});
	}

	@Override
	public void changed(Map<String, KeyValue> entries, boolean reread) {
		Candidate first = null;
		for (KeyValue kv : entries.values()) {
			if (first == null || kv.getCreateRevision() < first.token()) {
				first = new Candidate(EtcdRuntime.text(kv.getValue()), kv.getCreateRevision(), kv.getLease());
			}
		}
		this.leader = first;
		this.viewFresh = true;
		evaluate();
	}

	@Override
	public void failed(Throwable error) {
		// the lease keeper decides when leadership is unknown; until the view is read again, it is not used
		this.viewFresh = false;
		logger.debug("[{}] watching the election failed: {}", this.context.topology(), EtcdRuntime.describe(error));
	}

	@Override
	public void lost(Throwable error) {
		this.viewFresh = false;
		unknown(error);
	}

	@Override
	public void restored() {
		// what happened while this node was cut off is read anew before anything is reported
		this.viewFresh = false;
		this.view.refresh();
	}

	private void evaluate() {
		if (this.closed || !this.viewFresh || this.keeper.isLost()) {
			return;
		}
		Candidate current = this.leader;
		if (current == null) {
			if (this.reportedName != null) {
				unknown(null);
			}
			return;
		}
		long ours = this.keeper.lease();
		if (ours != 0 && current.lease() == ours) {
			report(this.self, current.token());
		}
		else if (current.name().equals(this.self)) {
			unknown(new IllegalStateException("the leader is an earlier candidacy of " + this.self + " (lease "
					+ EtcdRuntime.hex(current.lease()) + "), not this one"));
		}
		else {
			report(current.name(), current.token());
		}
	}

	private void report(String name, long token) {
		// what leadsUntilNanos answers from, published before the listener hears of it
		this.leading = name.equals(this.self) ? new Leading(token, this.keeper.lease()) : null;
		if (!this.reportedUnknown && name.equals(this.reportedName) && token == this.reportedToken) {
			return;
		}
		this.reportedName = name;
		this.reportedToken = token;
		this.reportedUnknown = false;
		logger.info("[{}] {} leads {} with fencing token {}", this.context.topology(), name,
				this.runtime.settings().electionName(), token);
		try {
			this.listener.leaderElected(name, token);
		}
		catch (Throwable ex) {
			logger.warn("[{}] election listener failed", this.context.topology(), ex);
		}
	}

	private void unknown(Throwable error) {
		this.leading = null;
		if (this.reportedUnknown) {
			return;
		}
		this.reportedUnknown = true;
		this.reportedName = null;
		logger.info("[{}] {} no longer knows who leads{}", this.context.topology(), this.self,
				(error != null) ? " (" + EtcdRuntime.describe(error) + ")" : ": the leader left and nobody campaigns");
		try {
			this.listener.leadershipUnknown(error);
		}
		catch (Throwable ex) {
			logger.warn("[{}] election listener failed", this.context.topology(), ex);
		}
	}

	@Override
	public long validUntilNanos() {
		return this.keeper.validUntilNanos();
	}

	/**
	 * Until when etcd vouches that this node leads with the token: while it reported itself leader
	 * with that token under the lease that is still kept alive.
	 */
	@Override
	public long leadsUntilNanos(long fencingToken) {
		Leading current = this.leading;
		LeaseKeeper.Vouched vouched = this.keeper.vouched();
		if (current == null || current.token() != fencingToken || vouched.lease() != current.lease()) {
			return Long.MIN_VALUE;
		}
		return vouched.untilNanos();
	}

	/**
	 * Leaves the election: revokes the candidacy's lease, which deletes its key, so the next candidate
	 * leads at once if this one led.
	 */
	@Override
	public void close() {
		this.closed = true;
		this.view.close();
		long started = System.nanoTime();
		Throwable failure = this.keeper.close();
		if (failure != null) {
			logger.warn("[{}] {} could not resign ({}); its candidacy expires within {}s", this.context.topology(),
					this.self, EtcdRuntime.describe(failure), this.runtime.settings().ttlSeconds());
		}
		else {
			logger.debug("[{}] {} left the election in {} ms", this.context.topology(), this.self,
					TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started));
		}
	}

}
