package dev.clustering.faults;

import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;

/**
 * One line a node appended to its history file:
 * <pre>
 * &lt;wallMillis&gt; &lt;pid&gt; &lt;node&gt; start &lt;singleton&gt; &lt;token&gt; &lt;startType&gt; &lt;from or -&gt;
 * &lt;wallMillis&gt; &lt;pid&gt; &lt;node&gt; tick &lt;singleton&gt; &lt;token&gt;
 * &lt;wallMillis&gt; &lt;pid&gt; &lt;node&gt; stop &lt;singleton&gt; &lt;token&gt; &lt;reason&gt;
 * &lt;wallMillis&gt; &lt;pid&gt; &lt;node&gt; lead &lt;token&gt;
 * </pre>
 *
 * @param at the wall-clock time in milliseconds
 * @param pid the writing process
 * @param node the node's name part
 * @param kind what happened
 * @param singleton the singleton's name ({@code null} for {@code lead})
 * @param token the fencing token
 * @param detail start type and origin for {@code start}, the reason for {@code stop}, else empty
 * @param where file and line number
 * @param text the line as written
 */
record HistoryLine(long at, long pid, String node, Kind kind, String singleton, long token, String detail, String where,
		String text) {

	private static final DateTimeFormatter CLOCK = DateTimeFormatter.ofPattern("HH:mm:ss.SSS")
		.withZone(ZoneId.systemDefault());

	/** The kinds of line. */
	enum Kind {

		START, TICK, STOP, LEAD

	}

	/**
	 * Parses one line.
	 * @throws IllegalArgumentException if it does not have one of the four forms
	 */
	static HistoryLine parse(String text, String where) {
		String[] f = text.strip().split(" ");
		try {
			long at = Long.parseLong(f[0]);
			long pid = Long.parseLong(f[1]);
			String node = f[2];
			switch (f[3]) {
				case "start":
					require(f, 8, text);
					return new HistoryLine(at, pid, node, Kind.START, f[4], Long.parseLong(f[5]), f[6] + " " + f[7], where,
							text);
				case "tick":
					require(f, 6, text);
					return new HistoryLine(at, pid, node, Kind.TICK, f[4], Long.parseLong(f[5]), "", where, text);
				case "stop":
					require(f, 7, text);
					return new HistoryLine(at, pid, node, Kind.STOP, f[4], Long.parseLong(f[5]), f[6], where, text);
				case "lead":
					require(f, 5, text);
					return new HistoryLine(at, pid, node, Kind.LEAD, null, Long.parseLong(f[4]), "", where, text);
				default:
					throw new IllegalArgumentException("unknown event '" + f[3] + "' in: " + text);
			}
		}
		catch (ArrayIndexOutOfBoundsException | NumberFormatException ex) {
			throw new IllegalArgumentException("unreadable history line: " + text, ex);
		}
	}

	private static void require(String[] fields, int count, String text) {
		if (fields.length != count) {
			throw new IllegalArgumentException("expected " + count + " fields in: " + text);
		}
	}

	/** Whether the line shows a singleton run believing its token valid (start or tick). */
	boolean isObservation() {
		return this.kind == Kind.START || this.kind == Kind.TICK;
	}

	/** The line with where it comes from and a readable time, for reports. */
	String cite() {
		return this.where + " [" + clock(this.at) + "] " + this.text;
	}

	static String clock(long at) {
		return CLOCK.format(Instant.ofEpochMilli(at));
	}

}
