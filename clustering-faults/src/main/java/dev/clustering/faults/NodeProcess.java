package dev.clustering.faults;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * One sample JVM, started with {@code ip netns exec} in its node's namespace (which execs, so the
 * process's PID is the JVM's), its output appended to one log file across restarts, and signalled
 * by PID.
 */
final class NodeProcess {

	final int index;

	final String name;

	final String address;

	private final String namespace;

	private final List<String> command;

	private final Path log;

	private volatile Process process;

	NodeProcess(int index, String name, String namespace, String address, List<String> command, Path log) {
		this.index = index;
		this.name = name;
		this.namespace = namespace;
		this.address = address;
		this.command = List.copyOf(command);
		this.log = log;
	}

	/** Starts (or restarts, under the same name) the JVM. */
	synchronized long start() {
		if (this.process != null && this.process.isAlive()) {
			throw new IllegalStateException(this.name + " is still running (pid " + this.process.pid() + ")");
		}
		List<String> full = new ArrayList<>(List.of("ip", "netns", "exec", this.namespace));
		full.addAll(this.command);
		try {
			Files.writeString(this.log, "==== fault lab: starting " + this.name + " at " + Instant.now() + "\n",
					StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
			this.process = new ProcessBuilder(full).redirectErrorStream(true)
				.redirectOutput(ProcessBuilder.Redirect.appendTo(this.log.toFile()))
				.start();
			return this.process.pid();
		}
		catch (IOException ex) {
			throw new LabException("cannot start " + this.name + ": " + ex.getMessage(), ex);
		}
	}

	long pid() {
		return this.process.pid();
	}

	boolean isAlive() {
		return this.process != null && this.process.isAlive();
	}

	Path log() {
		return this.log;
	}

	/** Sends a signal ({@code KILL}, {@code TERM}, {@code STOP}, {@code CONT}) to the JVM. */
	void signal(String signal) {
		Commands.run("kill", "-" + signal, Long.toString(pid()));
	}

	/** Waits for the JVM to exit. */
	boolean awaitExit(Duration timeout) {
		try {
			return this.process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			return false;
		}
	}

	/** Thaws and kills the JVM if it still runs. */
	void destroy() {
		Process current = this.process;
		if (current != null && current.isAlive()) {
			Commands.exec("kill", "-CONT", Long.toString(current.pid()));
			current.destroyForcibly();
			try {
				current.waitFor(10, TimeUnit.SECONDS);
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
			}
		}
	}

	/** The last lines of the log, for failure messages. */
	String logTail(int lines) {
		try {
			List<String> all = Files.readAllLines(this.log, StandardCharsets.UTF_8);
			return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
		}
		catch (IOException ex) {
			return "(cannot read " + this.log + ": " + ex.getMessage() + ")";
		}
	}

}
