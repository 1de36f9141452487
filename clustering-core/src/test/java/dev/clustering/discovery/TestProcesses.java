package dev.clustering.discovery;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;

/**
 * What the tests' server processes (ZooKeeper, Consul) do alike: wait until one answers after its
 * start, and when they stop, kill by PID, delete their temporary directory, drop their shutdown hook.
 */
public final class TestProcesses {

	private TestProcesses() {
	}

	/**
	 * Waits until a server process that has just started answers.
	 * @param process the server
	 * @param answers whether it answers now
	 * @param within how long it may take
	 * @param what the server's name, for messages
	 * @param log its log, named in messages
	 * @throws IOException if it exits or does not answer in time
	 */
	public static void awaitAnswer(Process process, BooleanSupplier answers, Duration within, String what, Path log)
			throws IOException {
		long deadline = System.nanoTime() + within.toNanos();
		while (System.nanoTime() - deadline < 0) {
			if (!process.isAlive()) {
				throw new IOException(what + " exited with " + process.exitValue() + "; see " + log);
			}
			if (answers.getAsBoolean()) {
				return;
			}
			try {
				Thread.sleep(50);
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
				throw new IOException("interrupted while " + what + " started", ex);
			}
		}
		throw new IOException(what + " did not serve within " + within.toSeconds() + " s; see " + log);
	}

	/**
	 * Kills a process with SIGKILL, as a crash would, and waits until it is gone.
	 * @param process the process, or {@code null}
	 */
	public static void kill(Process process) {
		if (process != null) {
			process.destroyForcibly();
			try {
				process.waitFor(10, TimeUnit.SECONDS);
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
			}
		}
	}

	/**
	 * Deletes a temporary directory and what it holds, quietly.
	 * @param directory the directory
	 */
	public static void deleteTree(Path directory) {
		try (Stream<Path> files = Files.walk(directory)) {
			files.sorted(Comparator.reverseOrder()).map(Path::toFile).forEach(File::delete);
		}
		catch (IOException ex) {
			// a temporary directory
		}
	}

	/**
	 * Removes a shutdown hook, unless the JVM is shutting down (then the hook is running).
	 * @param hook the hook
	 */
	public static void removeShutdownHook(Thread hook) {
		try {
			Runtime.getRuntime().removeShutdownHook(hook);
		}
		catch (IllegalStateException ex) {
			// shutting down: this is the hook
		}
	}

}
