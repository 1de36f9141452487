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
 * every second, where and how it runs. With {@code sample.history-dir} set, every start and stop,
 * and every 100 ms a tick while the run believes its fencing token valid, is appended to
 * {@code <dir>/<node name>.history}, so a checker outside the nodes can prove that no two runs
 * overlapped. {@code sample.record-file} keeps the older start/stop-only record.
 */
@Component("distro")
class DistroSingleton implements ClusterSingleton {

	private static final Logger logger = LoggerFactory.getLogger(DistroSingleton.class);

	private static final long TICK_MILLIS = 100;

	private final ScheduledExecutorService ticker = Executors.newSingleThreadScheduledExecutor((r) -> {
		Thread thread = new Thread(r, "distro");
		thread.setDaemon(true);
		return thread;
	});

	private final String recordFile;

	private final Path historyFile;

	private final String nodeName;

	private SingletonContext context;

	private ScheduledFuture<?> running;

	private ScheduledFuture<?> ticks;

	DistroSingleton(@Value("${sample.record-file:}") String recordFile,
			@Value("${sample.history-dir:}") String historyDir,
			@Value("${cluster.node.name:${spring.application.name:node}}") String nodeName) {
		this.recordFile = recordFile;
		this.nodeName = nodeName;
		this.historyFile = historyDir.isEmpty() ? null : Path.of(historyDir, nodeName + ".history");
	}

	@Override
	public synchronized void start(SingletonContext context) {
		String how = context.startType() + ((context.from() != null) ? " from " + context.from() : "");
		logger.info("SINGLETON distro started on {} ({}, fencing token {})", context.node(), how,
				context.fencingToken());
		record("start " + context.node() + " " + context.fencingToken() + " " + context.startType());
		this.context = context;
		history(System.currentTimeMillis(), "start distro " + context.fencingToken() + " " + context.startType() + " "
				+ ((context.from() != null) ? context.from() : "-"));
		this.running = this.ticker.scheduleAtFixedRate(() -> logger.info("SINGLETON distro running on {} ({}, token {})",
				context.node(), how, context.fencingToken()), 1, 1, TimeUnit.SECONDS);
		if (this.historyFile != null) {
			this.ticks = this.ticker.scheduleWithFixedDelay(() -> tick(context), TICK_MILLIS, TICK_MILLIS,
					TimeUnit.MILLISECONDS);
		}
	}

	@Override
	public synchronized void stop(StopReason reason) {
		if (this.running != null) {
			this.running.cancel(false);
			this.running = null;
		}
		if (this.ticks != null) {
			this.ticks.cancel(false);
			this.ticks = null;
		}
		logger.info("SINGLETON distro stopped ({})", reason);
		record("stop " + reason);
		long token = (this.context != null) ? this.context.fencingToken() : 0;
		this.context = null;
		history(System.currentTimeMillis(), "stop distro " + token + " " + reason);
	}

	private synchronized void tick(SingletonContext context) {
		if (this.context != context) {
			return; // stopped (or restarted) since this tick was scheduled
		}
		// the time is read before the check: if the thread stalls in between, the line claims an
		// earlier moment, when the right that was then found valid still held
		long now = System.currentTimeMillis();
		if (context.isValid()) {
			history(now, "tick distro " + context.fencingToken());
		}
	}

	private void history(long wallMillis, String event) {
		if (this.historyFile != null) {
			append(this.historyFile, wallMillis + " " + ProcessHandle.current().pid() + " " + this.nodeName + " " + event);
		}
	}

	private void record(String line) {
		if (!this.recordFile.isEmpty()) {
			append(Path.of(this.recordFile), System.currentTimeMillis() + " " + ProcessHandle.current().pid() + " " + line);
		}
	}

	private static void append(Path file, String line) {
		try {
			// one small append per line, flushed by closing: lines from several processes do not
			// interleave, and a process killed with SIGKILL loses no line it wrote
			Files.write(file, (line + "\n").getBytes(StandardCharsets.UTF_8), StandardOpenOption.CREATE,
					StandardOpenOption.APPEND, StandardOpenOption.WRITE);
		}
		catch (IOException ex) {
			logger.warn("Cannot record to {}: {}", file, ex.toString());
		}
	}

}
