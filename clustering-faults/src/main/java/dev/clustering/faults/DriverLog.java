package dev.clustering.faults;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.stream.Collectors;

/**
 * The driver's own record of what it did, one line per event, written as it happens:
 * <pre>
 * &lt;wallMillis&gt; ready                                       cluster formed; gap checks start
 * &lt;wallMillis&gt; begin &lt;id&gt; &lt;kind&gt; quorum|no-quorum &lt;n1,n2|-&gt;  a fault window opens (affected nodes)
 * &lt;wallMillis&gt; end &lt;id&gt;                                    healed (or the node is back)
 * &lt;wallMillis&gt; signal &lt;node&gt; &lt;pid&gt; KILL|TERM|STOP|CONT
 * &lt;wallMillis&gt; spawn &lt;node&gt; &lt;pid&gt;
 * &lt;wallMillis&gt; converged &lt;id&gt; &lt;millis&gt;
 * &lt;wallMillis&gt; diverged &lt;id&gt; &lt;millis&gt; &lt;views...&gt;               still no agreement after millis
 * &lt;wallMillis&gt; note &lt;text...&gt;
 * &lt;wallMillis&gt; broken &lt;id&gt; &lt;text...&gt;                     a check the driver made live failed (the attack's)
 * &lt;wallMillis&gt; finish
 * </pre>
 * {@code no-quorum} marks a fault that touches a majority of the nodes (loss or delay everywhere):
 * the gap rule does not apply inside it.
 */
final class DriverLog {

	private final Path file;

	DriverLog(Path file) {
		this.file = file;
	}

	Path file() {
		return this.file;
	}

	/** One event of the driver log. */
	record Event(long at, String type, List<String> args, String text) {

		String arg(int index) {
			return (index < this.args.size()) ? this.args.get(index) : "";
		}

		/** The arguments from {@code index} on, joined by spaces. */
		String rest(int index) {
			return (index < this.args.size()) ? String.join(" ", this.args.subList(index, this.args.size())) : "";
		}

	}

	void ready() {
		write("ready");
	}

	void begin(String id, String kind, boolean quorum, Collection<String> affected) {
		write("begin " + id + " " + kind + " " + (quorum ? "quorum" : "no-quorum") + " "
				+ (affected.isEmpty() ? "-" : String.join(",", affected)));
	}

	void end(String id) {
		write("end " + id);
	}

	void signal(String node, long pid, String signal) {
		write("signal " + node + " " + pid + " " + signal);
	}

	void spawn(String node, long pid) {
		write("spawn " + node + " " + pid);
	}

	void converged(String id, long millis) {
		write("converged " + id + " " + millis);
	}

	void diverged(String id, long millis, String views) {
		write("diverged " + id + " " + millis + " " + views.replace('\n', ' '));
	}

	void note(String text) {
		write("note " + text.replace('\n', ' '));
	}

	/** A check the driver made while the run went on failed (it becomes a violation). */
	void broken(String id, String text) {
		write("broken " + id + " " + text.replace('\n', ' '));
	}

	void finish() {
		write("finish");
	}

	private synchronized void write(String event) {
		try {
			Files.writeString(this.file, System.currentTimeMillis() + " " + event + "\n", StandardCharsets.UTF_8,
					StandardOpenOption.CREATE, StandardOpenOption.APPEND);
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

	static List<Event> read(Path file) throws IOException {
		return parse(Files.readAllLines(file, StandardCharsets.UTF_8));
	}

	static List<Event> parse(List<String> lines) {
		List<Event> events = new ArrayList<>();
		for (String line : lines) {
			if (line.isBlank()) {
				continue;
			}
			String[] f = line.strip().split(" ");
			events.add(new Event(Long.parseLong(f[0]), f[1], Arrays.stream(f).skip(2).collect(Collectors.toList()),
					line));
		}
		return events;
	}

}
