package dev.clustering.benchmark;

import java.time.Duration;
import java.util.concurrent.TimeUnit;

import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.retry.ExponentialBackoffRetry;
import org.springframework.integration.leader.Candidate;
import org.springframework.integration.leader.Context;
import org.springframework.integration.zookeeper.leader.LeaderInitiator;

import dev.clustering.benchmark.CandidateOutput.Status;
import dev.clustering.discovery.zookeeper.ZooKeeperSettings;
import dev.clustering.discovery.zookeeper.ZooKeeperStrategy;
import dev.clustering.membership.LocalNode;
import dev.clustering.node.ClusterNode;
import dev.clustering.node.EngineEvent;

import static dev.clustering.benchmark.CandidateOutput.say;

/**
 * One candidate process of the zookeeper scenario, started by {@link ZooKeeperScenario} from the
 * benchmark's own jar: either this project's engine (a {@link ClusterNode} with a {@code zookeeper}
 * topology) or Spring Integration's {@link LeaderInitiator}, each with its own Curator client. It
 * talks to the benchmark as {@link CandidateOutput} says; its READY line carries the session timeout
 * ZooKeeper granted. SIGTERM runs its shutdown hook, which closes the node (or stops the initiator) and the client.
 * <p>
 * Arguments: {@code engine|spring name connectString sessionMillis port}.
 */
public final class ZooKeeperCandidate {

	/** The engine's ZooKeeper root and service. */
	static final ZooKeeperSettings ENGINE_SETTINGS = new ZooKeeperSettings("/clustering-benchmark", "bench");

	/** Spring Integration's namespace; the election znode is this plus the role. */
	static final String SPRING_NAMESPACE = "/spring-integration-benchmark/";

	static final String SPRING_ROLE = "bench";

	private ZooKeeperCandidate() {
	}

	public static void main(String[] args) throws Exception {
		String kind = args[0];
		String name = args[1];
		int session = Integer.parseInt(args[3]);
		CuratorFramework client = CuratorFrameworkFactory.builder()
			.connectString(args[2])
			.sessionTimeoutMs(session)
			.connectionTimeoutMs(Math.min(session, 2000))
			.retryPolicy(new ExponentialBackoffRetry(50, 29, 500))
			.build();
		client.start();
		Status status = kind.equals("engine") ? engine(client, name, session, Integer.parseInt(args[4]))
				: spring(client, name);
		if (!client.blockUntilConnected(30, TimeUnit.SECONDS)) {
			throw new IllegalStateException("no connection to ZooKeeper at " + args[2] + " within 30 s");
		}
		say("READY", String.valueOf(client.getZookeeperClient().getZooKeeper().getSessionTimeout()));
		// commands from the benchmark; its end (the benchmark gone) ends this process too
		CandidateOutput.serve(status);
	}

	private static Status engine(CuratorFramework client, String name, int session, int port) {
		ZooKeeperStrategy strategy = new ZooKeeperStrategy(client, ENGINE_SETTINGS,
				Duration.ofMillis(Math.min(1000, session / 5)));
		String self = LocalNode.nodeName(name, "127.0.0.1");
		ClusterNode node = ClusterNode.builder()
			.name(name)
			.host("127.0.0.1")
			.port(port)
			.cookie(CandidateOutput.COOKIE.toCharArray())
			.topology("bench", ZooKeeperStrategy.NAME, strategy, Duration.ofSeconds(5))
			.listener((event) -> {
				if (event instanceof EngineEvent.LeaderElected elected && elected.leader().equals(self)) {
					say("LEADER", String.valueOf(elected.fencingToken()));
				}
				else if (event instanceof EngineEvent.LeadershipRevoked revoked) {
					say("REVOKED", revoked.fencingToken() + " " + revoked.reason());
				}
			})
			.build();
		Runtime.getRuntime().addShutdownHook(new Thread(() -> {
			node.close();
			strategy.close();
			client.close();
		}, "candidate-stop"));
		node.start();
		return Status.of(node);
	}

	private static Status spring(CuratorFramework client, String name) {
		Candidate candidate = new Candidate() {

			@Override
			public String getRole() {
				return SPRING_ROLE;
			}

			@Override
			public String getId() {
				return name;
			}

			@Override
			public void onGranted(Context context) {
				say("LEADER", "-1");
			}

			@Override
			public void onRevoked(Context context) {
				say("REVOKED", "-1 revoked");
			}

		};
		LeaderInitiator initiator = new LeaderInitiator(client, candidate, SPRING_NAMESPACE);
		Runtime.getRuntime().addShutdownHook(new Thread(() -> {
			initiator.stop();
			client.close();
		}, "candidate-stop"));
		initiator.start();
		// Spring Integration's Context has no fencing token, and no membership
		return new Status(() -> initiator.getContext().isLeader(), () -> -1L, () -> -1L, () -> -1);
	}

}
