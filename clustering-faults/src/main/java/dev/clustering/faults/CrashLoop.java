package dev.clustering.faults;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Random process faults: kill -9 then restart, SIGTERM (graceful leave) then restart, or SIGSTOP
 * then SIGCONT, one victim at a time, with at most {@code maxDown} nodes out at once so a quorum
 * stays up. Each victim's window ends when it answers again (or is thawed); the views' convergence
 * is measured every {@code convergeEvery} iterations, once every node is back.
 */
final class CrashLoop {

	private static final Duration START_TIMEOUT = Duration.ofSeconds(120);

	private final Lab lab;

	private final FaultScenarios scenarios;

	private final Random random;

	private final Duration settle;

	private final Set<Integer> out = ConcurrentHashMap.newKeySet();

	CrashLoop(Lab lab, FaultScenarios scenarios, Random random, Duration settle) {
		this.lab = lab;
		this.scenarios = scenarios;
		this.random = random;
		this.settle = settle;
	}

	void run(int iterations, int maxDown, int convergeEvery) {
		ExecutorService workers = Executors.newCachedThreadPool((r) -> {
			Thread thread = new Thread(r, "crash-loop");
			thread.setDaemon(true);
			return thread;
		});
		List<Future<?>> pending = new ArrayList<>();
		try {
			for (int iteration = 1; iteration <= iterations; iteration++) {
				while (this.out.size() >= maxDown) {
					check(pending);
					Lab.sleep(Duration.ofMillis(50));
				}
				int victim = this.scenarios.randomNodes(1, Set.copyOf(this.out)).iterator().next();
				this.out.add(victim);
				String id = iteration(victim, List.of("KILL", "TERM", "STOP").get(this.random.nextInt(3)));
				pending.add(workers.submit(() -> recover(victim, id)));
				if (maxDown == 1 || iteration % convergeEvery == 0 || iteration == iterations) {
					while (!this.out.isEmpty()) {
						check(pending);
						Lab.sleep(Duration.ofMillis(50));
					}
					check(pending);
					if (iteration % convergeEvery == 0 || iteration == iterations) {
						this.lab.awaitConvergence(id, this.settle);
					}
				}
				else {
					Lab.sleep(Duration.ofMillis(500 + this.random.nextInt(1500)));
				}
			}
		}
		finally {
			workers.shutdownNow();
		}
	}

	/** One process fault of one node ({@code KILL}, {@code TERM} or {@code STOP}), recovered, then convergence. */
	void once(int victim, String action) {
		this.out.add(victim);
		String id = iteration(victim, action);
		recover(victim, id);
		this.lab.awaitConvergence(id, this.settle);
	}

	// begins the victim's window and sends the first signal; recover() ends it
	private String iteration(int victim, String action) {
		NodeProcess node = this.lab.node(victim);
		String kind = switch (action) {
			case "KILL" -> "crash-kill9";
			case "TERM" -> "crash-sigterm";
			default -> "crash-sigstop";
		};
		String id = this.scenarios.next(kind);
		this.lab.driver().begin(id, kind, true, List.of(node.name));
		this.lab.signal(node, action);
		return id;
	}

	private void recover(int victim, String id) {
		NodeProcess node = this.lab.node(victim);
		try {
			if (id.startsWith("crash-sigstop")) {
				Lab.sleep(Duration.ofMillis(1000 + this.random.nextInt(3000)));
				this.lab.signal(node, "CONT");
			}
			else {
				if (!node.awaitExit(Duration.ofSeconds(30))) {
					this.lab.driver().note(node.name + " did not exit 30 s after SIGTERM; killing it");
					this.lab.signal(node, "KILL");
					node.awaitExit(Duration.ofSeconds(10));
				}
				Lab.sleep(Duration.ofMillis(500 + this.random.nextInt(2500)));
				this.lab.spawn(node);
				this.lab.awaitAnswering(node, START_TIMEOUT);
			}
		}
		finally {
			this.lab.driver().end(id);
			this.out.remove(victim);
		}
	}

	private static void check(List<Future<?>> pending) {
		for (Future<?> future : pending) {
			if (future.isDone()) {
				try {
					future.get();
				}
				catch (ExecutionException ex) {
					throw (ex.getCause() instanceof RuntimeException runtime) ? runtime
							: new LabException("crash loop failed", ex.getCause());
				}
				catch (InterruptedException ex) {
					Thread.currentThread().interrupt();
					throw new LabException("interrupted", ex);
				}
			}
		}
		pending.removeIf(Future::isDone);
	}

}
