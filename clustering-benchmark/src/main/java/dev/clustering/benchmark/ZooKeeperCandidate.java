package dev.clustering.benchmark;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.IntSupplier;
import java.util.function.LongSupplier;

import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.retry.ExponentialBackoffRetry;
import org.springframework.integration.leader.Candidate;
import org.springframework.integration.leader.Context;
import org.springframework.integration.zookeeper.leader.LeaderInitiator;

import dev.clustering.discovery.zookeeper.ZooKeeperSettings;
import dev.clustering.discovery.zookeeper.ZooKeeperStrategy;
import dev.clustering.leadership.LeaderInfo;
import dev.clustering.membership.LocalNode;
import dev.clustering.node.ClusterNode;
import dev.clustering.node.EngineEvent;

/**
 * One candidate process of the zookeeper scenario, started by {@link ZooKeeperScenario} from the
 * benchmark's own jar: either this project's engine (a {@link ClusterNode} with a {@code zookeeper}
 * topology) or Spring Integration's {@link LeaderInitiator}, each with its own Curator client. It
 * prints one line per fact on stdout, stamped with its own wall clock in microseconds
 * ({@link Instant#now()}, the same clock the benchmark reads on this machine):
 * <pre>
 * @@ READY micros sessionMillis  (the session timeout ZooKeeper granted)
 * @@ LEADER micros token          (this process became leader; token -1 where there is none)
 * @@ REVOKED micros token reason  (this process lost leadership)
 * @@ STATUS micros leading ownToken leaderToken members   (the answer to a "status" line on stdin)
 * </pre>
 * SIGTERM runs its shutdown hook, which closes the node (or stops the initiator) and the client.
 * <p>
 * Arguments: {@code engine|spring name connectString sessionMillis port}.
 */
public final class ZooKeeperCandidate {

	static final String PREFIX = "@@ ";

	/** The engine's ZooKeeper root and service. */
	static final ZooKeeperSettings ENGINE_SETTINGS = new ZooKeeperSettings("/clustering-benchmark", "bench");

	/** Spring Integration's namespace; the election znode is this plus the role. */
	static final String SPRING_NAMESPACE = "/spring-integration-benchmark/";

	static final String SPRING_ROLE = "bench";

	private static final String COOKIE = "clustering-benchmark-cookie";

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
		BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
		String line;
		while ((line = in.readLine()) != null) {
			if (line.equals("status")) {
				say("STATUS", status.leading().getAsBoolean() + " " + status.ownToken().getAsLong() + " "
						+ status.leaderToken().getAsLong() + " " + status.members().getAsInt());
			}
		}
		System.exit(0);
	}

	private static Status engine(CuratorFramework client, String name, int session, int port) {
		ZooKeeperStrategy strategy = new ZooKeeperStrategy(client, ENGINE_SETTINGS,
				Duration.ofMillis(Math.min(1000, session / 5)));
		String self = LocalNode.nodeName(name, "127.0.0.1");
		ClusterNode node = ClusterNode.builder()
			.name(name)
			.host("127.0.0.1")
			.port(port)
			.cookie(COOKIE.toCharArray())
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
		return new Status(() -> node.leadership().isLeader(),
				() -> node.leadership().ownLeadership().map(LeaderInfo::fencingToken).orElse(-1L),
				() -> node.leadership().leader().map(LeaderInfo::fencingToken).orElse(-1L), () -> node.members().size());
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

	/** Prints a line, stamped with this process's wall clock in microseconds. */
	private static void say(String kind, String rest) {
		long micros = ChronoUnit.MICROS.between(Instant.EPOCH, Instant.now());
		synchronized (System.out) {
			System.out.println((PREFIX + kind + " " + micros + " " + rest).strip());
			System.out.flush();
		}
	}

	/** What a "status" line is answered with: -1 for a token or a count there is none of. */
	private record Status(BooleanSupplier leading, LongSupplier ownToken, LongSupplier leaderToken,
			IntSupplier members) {
	}

}
