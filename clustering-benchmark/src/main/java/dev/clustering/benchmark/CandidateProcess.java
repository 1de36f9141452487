package dev.clustering.benchmark;

import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarFile;

import dev.clustering.discovery.zookeeper.ZooKeeperProcess;
import dev.clustering.test.LoopbackCluster;

/**
 * A candidate running as a process of its own: a candidate class of this benchmark
 * ({@link ZooKeeperCandidate}, {@link ConsulCandidate}) launched from the benchmark's own jar, or
 * another command (such as {@code consul lock}). Its stdout lines are read as they come (those that
 * start with {@link CandidateOutput#PREFIX}), its stderr goes to a file. Signals go to its PID.
 */
final class CandidateProcess {

	/** The launcher of a Spring Boot repackaged jar that runs the main class named by {@code loader.main}. */
	private static final String LAUNCHER = "org.springframework.boot.loader.launch.PropertiesLauncher";

	/**
	 * Same for every candidate of both kinds: a small heap and a collector with few threads; resets
	 * of the engine's connections logged (see the crash count of the kill runs).
	 */
	private static final List<String> JVM_OPTIONS = List.of("-Xmx96m", "-XX:+UseSerialGC",
			"-Dbenchmark.log.connections=DEBUG");

	final String name;

	/** Its log file (the engine's log, through the benchmark's logback.xml). */
	private final Path log;

	private final Process process;

	private final OutputStream commands;

	/** Every "@@" line it printed, in order. */
	private final List<Line> lines = new CopyOnWriteArrayList<>();

	private CandidateProcess(String name, Path log, Process process) {
		this.name = name;
		this.log = log;
		this.process = process;
		this.commands = process.getOutputStream();
		Thread reader = new Thread(this::read, "candidate-" + name);
		reader.setDaemon(true);
		reader.start();
	}

	/**
	 * Starts a candidate class of this benchmark in a JVM of its own.
	 * @param name its name in its group
	 * @param log the path of its log files, without the extension
	 * @param mainClass the candidate class
	 * @param args its program arguments
	 * @return the process
	 * @throws IOException if it cannot be started
	 */
	static CandidateProcess start(String name, Path log, Class<?> mainClass, List<String> args) throws IOException {
		List<String> options = new ArrayList<>(JVM_OPTIONS);
		Path logFile = Path.of(log + ".log");
		options.add("-Dbenchmark.log=" + logFile);
		List<String> command = new ArrayList<>(java(options, mainClass.getName()));
		command.addAll(args);
		return new CandidateProcess(name, logFile, launch(command, log));
	}

	/**
	 * Starts a candidate that is another program; what it writes to stderr is its log.
	 * @param name its name in its group
	 * @param log the path of its log file, without the extension
	 * @param command the program and its arguments
	 * @return the process
	 * @throws IOException if it cannot be started
	 */
	static CandidateProcess exec(String name, Path log, List<String> command) throws IOException {
		return new CandidateProcess(name, Path.of(log + ".err"), launch(command, log));
	}

	private static Process launch(List<String> command, Path log) throws IOException {
		return new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.to(Path.of(log + ".err").toFile()))
			.start();
	}

	/**
	 * The command that runs a main class of this benchmark in a JVM of its own: from the repackaged
	 * jar through Spring Boot's {@code PropertiesLauncher} when this JVM runs from it, else with this
	 * JVM's class path.
	 * @param options JVM options
	 * @param mainClass the class
	 * @return the command, to which the program's arguments are appended
	 */
	static List<String> java(List<String> options, String mainClass) {
		String classPath = System.getProperty("java.class.path");
		if (!isBootJar(classPath)) {
			return ZooKeeperProcess.classPathCommand(options, mainClass);
		}
		List<String> command = new ArrayList<>(ZooKeeperProcess.classPathCommand(options, LAUNCHER));
		command.add(command.size() - 1, "-Dloader.main=" + mainClass);
		return command;
	}

	private static boolean isBootJar(String classPath) {
		if (!classPath.endsWith(".jar") || classPath.contains(File.pathSeparator)) {
			return false;
		}
		try (JarFile jar = new JarFile(classPath)) {
			return jar.getEntry("BOOT-INF/lib/") != null || jar.getEntry("BOOT-INF/classes/") != null;
		}
		catch (IOException ex) {
			return false;
		}
	}

	private void read() {
		try (BufferedReader out = new BufferedReader(
				new InputStreamReader(this.process.getInputStream(), StandardCharsets.UTF_8))) {
			String text;
			while ((text = out.readLine()) != null) {
				Line line = Line.parse(text);
				if (line != null) {
					this.lines.add(line);
				}
			}
		}
		catch (IOException ex) {
			// the process ended
		}
	}

	/** How long its log is now: a mark for {@link #logSince}. */
	long logMark() {
		try {
			return Files.size(this.log);
		}
		catch (IOException ex) {
			return 0;
		}
	}

	/**
	 * What it logged since a mark.
	 * @param mark from {@link #logMark()}
	 * @return the text, empty if there is none
	 */
	String logSince(long mark) {
		try (InputStream in = Files.newInputStream(this.log)) {
			in.skipNBytes(mark);
			return new String(in.readAllBytes(), StandardCharsets.UTF_8);
		}
		catch (IOException ex) {
			return "";
		}
	}

	long pid() {
		return this.process.pid();
	}

	/** How many lines it has printed so far: a mark for {@link #first}. */
	int mark() {
		return this.lines.size();
	}

	/**
	 * The first line of a kind printed since a mark.
	 * @param kind READY, LEADER, REVOKED or STATUS
	 * @param mark from {@link #mark()}
	 * @return the line, if there is one yet
	 */
	Optional<Line> first(String kind, int mark) {
		List<Line> all = this.lines;
		for (int i = mark; i < all.size(); i++) {
			if (all.get(i).kind().equals(kind)) {
				return Optional.of(all.get(i));
			}
		}
		return Optional.empty();
	}

	/**
	 * Asks for its status and waits for the answer.
	 * @param timeout how long to wait
	 * @return the STATUS line, if it answered in time
	 */
	Optional<Line> status(Duration timeout) {
		int mark = mark();
		try {
			this.commands.write("status\n".getBytes(StandardCharsets.US_ASCII));
			this.commands.flush();
		}
		catch (IOException ex) {
			return Optional.empty();
		}
		LoopbackCluster.within(timeout, () -> first("STATUS", mark).isPresent());
		return first("STATUS", mark);
	}

	/** Sends SIGTERM (its shutdown hooks run). */
	void terminate() {
		this.process.destroy();
	}

	/** Sends SIGKILL. */
	void kill() {
		this.process.destroyForcibly();
	}

	/** Sends SIGKILL to the processes it started, then to it. */
	void killAll() {
		this.process.descendants().forEach(ProcessHandle::destroyForcibly);
		kill();
	}

	/**
	 * Sends a signal by its name with {@code kill}, for those Java cannot send (STOP, CONT).
	 * @param signal the signal's name
	 */
	void signal(String signal) throws IOException, InterruptedException {
		int status = new ProcessBuilder("kill", "-" + signal, String.valueOf(pid())).inheritIO().start().waitFor();
		if (status != 0) {
			throw new IOException("kill -" + signal + " " + pid() + " exited with " + status);
		}
	}

	/**
	 * Waits until it has exited; kills it if it has not within the timeout.
	 * @param timeout how long to wait before SIGKILL
	 * @return whether it exited by itself
	 */
	boolean awaitExit(Duration timeout) throws InterruptedException {
		if (this.process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
			return true;
		}
		kill();
		this.process.waitFor(10, TimeUnit.SECONDS);
		return false;
	}

	/** Now, in microseconds of the wall clock, as the candidates stamp their lines. */
	static long nowMicros() {
		return ChronoUnit.MICROS.between(Instant.EPOCH, Instant.now());
	}

	/**
	 * A line a candidate printed: {@code @@ KIND micros fields...}.
	 * @param kind its kind
	 * @param micros the candidate's wall clock when it printed it, in microseconds
	 * @param fields the rest
	 */
	record Line(String kind, long micros, List<String> fields) {

		static Line parse(String text) {
			if (!text.startsWith(CandidateOutput.PREFIX)) {
				return null;
			}
			String[] parts = text.substring(CandidateOutput.PREFIX.length()).split(" ");
			if (parts.length < 2) {
				return null;
			}
			return new Line(parts[0], Long.parseLong(parts[1]), List.of(parts).subList(2, parts.length));
		}

		/** Milliseconds from a moment in microseconds to this line. */
		double millisAfter(long micros) {
			return (this.micros - micros) / 1000.0;
		}

		long longField(int index) {
			return Long.parseLong(this.fields.get(index));
		}

	}

}
