package dev.clustering.sample;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.beans.factory.annotation.Value;
import org.springframework.stereotype.Component;

import dev.clustering.singleton.ClusterSingleton;
import dev.clustering.singleton.SingletonContext;
import dev.clustering.singleton.StopReason;

/**
 * The {@code distro} application of the Erlang walkthrough: runs on exactly one node and says,
 * every second, where and how it runs. With {@code sample.record-file} set, every start and stop is
 * also appended to that file (one line each), so a test outside the nodes can check the history.
 */
@Component("distro")
class DistroSingleton implements ClusterSingleton {

	private static final Logger logger = LoggerFactory.getLogger(DistroSingleton.class);

	private final ScheduledExecutorService ticker = Executors.newSingleThreadScheduledExecutor((r) -> {
		Thread thread = new Thread(r, "distro");
		thread.setDaemon(true);
		return thread;
	});

	private final String recordFile;

	private ScheduledFuture<?> running;

	DistroSingleton(@Value("${sample.record-file:}") String recordFile) {
		this.recordFile = recordFile;
	}

	@Override
	public synchronized void start(SingletonContext context) {
		String how = context.startType() + ((context.from() != null) ? " from " + context.from() : "");
		logger.info("SINGLETON distro started on {} ({}, fencing token {})", context.node(), how,
				context.fencingToken());
		record("start " + context.node() + " " + context.fencingToken() + " " + context.startType());
		this.running = this.ticker.scheduleAtFixedRate(() -> logger.info("SINGLETON distro running on {} ({}, token {})",
				context.node(), how, context.fencingToken()), 1, 1, TimeUnit.SECONDS);
	}

	@Override
	public synchronized void stop(StopReason reason) {
		if (this.running != null) {
			this.running.cancel(false);
			this.running = null;
		}
		logger.info("SINGLETON distro stopped ({})", reason);
		record("stop " + reason);
	}

	private void record(String line) {
		if (this.recordFile.isEmpty()) {
			return;
		}
		try {
			// one small append per line: lines from several processes do not interleave
			Files.write(Path.of(this.recordFile),
					(System.currentTimeMillis() + " " + ProcessHandle.current().pid() + " " + line + "\n")
						.getBytes(StandardCharsets.UTF_8),
					StandardOpenOption.CREATE, StandardOpenOption.APPEND, StandardOpenOption.WRITE);
		}
		catch (IOException ex) {
			logger.warn("Cannot record to {}: {}", this.recordFile, ex.toString());
		}
	}

}
