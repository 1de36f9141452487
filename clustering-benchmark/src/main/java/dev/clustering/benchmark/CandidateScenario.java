package dev.clustering.benchmark;

import java.io.IOException;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

import dev.clustering.benchmark.CandidateGroups.Settled;
import dev.clustering.benchmark.CandidateProcess.Line;
import dev.clustering.test.LoopbackCluster;

import static dev.clustering.benchmark.ClusterBenchmark.progress;
import static dev.clustering.benchmark.ElectionStats.SETTLE_TIMEOUT;

/**
 * A scenario of candidate processes (see the README's zookeeper and consul scenarios): one real
 * registry, started for the run as a process of its own, and two groups of three candidate
 * processes on it, (A) this project's engine and (B) the alternative users reach for. Over
 * {@code --runs} runs each, the leader's process is stopped with SIGTERM, killed with SIGKILL, or
 * frozen with SIGSTOP (and thawed with SIGCONT once another candidate leads), timed from just
 * before the signal to the first "leader" line of another candidate, on the wall clock of this
 * machine. A subclass starts and stops the registry and launches the candidates.
 */
abstract class CandidateScenario<R extends CandidateReport> implements CandidateGroups.Registry {

	/** The scenario's name: the start of its progress lines, and of its log directory's name. */
	private final String name;

	final BenchmarkOptions options;

	private final HiccupMonitor hiccups;

	final R r;

	/** Both sides' candidates, from the start of {@link #run()}. */
	CandidateGroups candidates;

	CandidateScenario(String name, BenchmarkOptions options, HiccupMonitor hiccups, R report) {
		this.name = name;
		this.options = options;
		this.hiccups = hiccups;
		this.r = report;
	}

	/** Starts the registry (its log in {@code logs}, if it has one) and sets the report's server. */
	abstract void startRegistry() throws IOException;

	/** What the progress line says once every candidate is ready, before "; logs in". */
	abstract String started();

	/** How long the other candidates of a side get to elect a new leader. */
	abstract Duration electionTimeout(CandidateSide side);

	/** How long a thawed leader is watched for its answer that it no longer leads. */
	abstract Duration thawWatch();

	/** Stops the registry; again is harmless. */
	abstract void stopRegistry();

	/**
	 * What else there is to check once another candidate leads (or none did in time), before the old
	 * leader's process is awaited and started again.
	 * @return for the progress line: empty, or "; " and what was found
	 */
	String afterElection(CandidateSide side, Fault fault, CandidateProcess victim, FailoverStats s) {
		return "";
	}

	/**
	 * Runs the scenario: all of it, or nothing when the registry or a candidate does not start.
	 * @throws IOException if the registry or a candidate does not start
	 */
	R run() throws IOException, InterruptedException {
		this.candidates = new CandidateGroups(this, this.r.sides(), this.name + "-candidates");
		long start = System.nanoTime();
		this.hiccups.takeWorstMillis();
		Thread stopper = new Thread(this::stopAll, this.name + "-scenario-stopper");
		Runtime.getRuntime().addShutdownHook(stopper);
		try {
			startRegistry();
			this.candidates.startAll();
			progress(this.name + ": " + started() + "; logs in " + this.candidates.logs);
			run(Fault.STOP, 1, new LinkedHashMap<>()); // warm-up, not counted
			for (Fault fault : Fault.values()) {
				run(fault, this.options.runs, this.r.stats.get(fault));
			}
		}
		finally {
			stopAll();
			Runtime.getRuntime().removeShutdownHook(stopper);
		}
		this.r.worstHiccup = this.hiccups.takeWorstMillis();
		this.r.seconds = (System.nanoTime() - start) / 1e9;
		return this.r;
	}

	/** Kills every candidate, then stops the registry; again is harmless. */
	private synchronized void stopAll() {
		this.candidates.stopAll();
		stopRegistry();
	}

	private void run(Fault fault, int runs, Map<CandidateSide, FailoverStats> stats)
			throws IOException, InterruptedException {
		for (int run = 1; run <= runs; run++) {
			for (CandidateSide side : this.r.sides()) {
				if (!side.runs(fault)) {
					continue;
				}
				FailoverStats s = stats.computeIfAbsent(side, (k) -> new FailoverStats());
				String label = side.letter() + " " + fault.label + " " + run + "/" + runs;
				if (!once(side, fault, s, label)) {
					return;
				}
			}
		}
	}

	/** One run: returns false when the group did not settle (the rest of this fault's runs is skipped). */
	private boolean once(CandidateSide side, Fault fault, FailoverStats s, String label)
			throws IOException, InterruptedException {
		Map<String, CandidateProcess> group = this.candidates.group(side);
		Settled before = this.candidates.awaitSettled(side);
		if (before == null) {
			this.r.problems.add(label + ": the candidates did not settle on one leader within "
					+ Format.duration(SETTLE_TIMEOUT) + "; " + fault.label + " runs stopped");
			return false;
		}
		Thread.sleep(this.options.gap.toMillis());
		CandidateProcess victim = before.leader();
		Map<String, Integer> marks = new LinkedHashMap<>();
		Map<String, Long> logMarks = new LinkedHashMap<>();
		group.forEach((name, candidate) -> {
			marks.put(name, candidate.mark());
			logMarks.put(name, candidate.logMark());
		});
		long t0 = CandidateProcess.nowMicros();
		switch (fault) {
			case STOP -> victim.terminate();
			case KILL -> victim.kill();
			case FREEZE -> victim.signal("STOP");
		}
		Duration timeout = electionTimeout(side);
		Line[] elected = new Line[1];
		String[] next = new String[1];
		LoopbackCluster.within(timeout, () -> {
			for (Map.Entry<String, CandidateProcess> other : group.entrySet()) {
				Optional<Line> line = other.getValue().first("LEADER", marks.get(other.getKey()));
				if (other.getValue() != victim && line.isPresent()) {
					elected[0] = line.get();
					next[0] = other.getKey();
					return true;
				}
			}
			return false;
		});
		double delay = (elected[0] != null) ? elected[0].millisAfter(t0) : Double.POSITIVE_INFINITY;
		s.newLeader.add(delay);
		String outcome = (elected[0] != null) ? "new leader " + next[0] + " after " + Format.ms(delay)
				: "NO new leader within " + Format.duration(timeout);
		if (elected[0] == null) {
			s.missing++;
		}
		if (fault == Fault.KILL && side.engine()) {
			outcome += "; " + crashSeen(group, victim, logMarks, s);
		}
		outcome += afterElection(side, fault, victim, s);
		if (fault == Fault.FREEZE) {
			outcome += "; " + thaw(side, victim, before, elected[0], s);
		}
		else if (!victim.awaitExit(Duration.ofSeconds(10)) && fault == Fault.STOP) {
			s.killedAfterTerm++;
		}
		progress(String.format(Locale.ROOT, "%s: %s of leader %s: %s", this.name, label, victim.name, outcome));
		this.candidates.restart(side, victim.name);
		return true;
	}

	/**
	 * Whether the engine survivors read the killed leader's closed connection as its death (an end
	 * of stream, which lets them end its candidacy at once) or not (a reset, which the engine does
	 * not trust, nor another I/O error such as a broken pipe: the candidacy then ends with the
	 * registry's own timeout), from their logs.
	 */
	private String crashSeen(Map<String, CandidateProcess> group, CandidateProcess victim, Map<String, Long> logMarks,
			FailoverStats s) {
		String node = victim.name + "@127.0.0.1";
		// PeerConnection's DEBUG lines: "Connection with NODE (ADDRESS) was reset" or "... failed: ..."
		String connection = "Connection with " + Pattern.quote(node) + " \\([^)]*\\) ";
		int crash = 0;
		int reset = 0;
		int failed = 0;
		for (CandidateProcess survivor : group.values()) {
			if (survivor != victim) {
				String log = survivor.logSince(logMarks.get(survivor.name));
				if (log.contains("Node " + node + " left (CONNECTION_LOST, its connection was closed by its side)")) {
					crash++;
				}
				else if (Pattern.compile(connection + "was reset").matcher(log).find()) {
					reset++;
				}
				else if (Pattern.compile(connection + "failed: ").matcher(log).find()) {
					failed++;
				}
			}
		}
		if (crash > 0) {
			s.crashRead++;
		}
		else if (reset > 0) {
			s.resetRead++;
		}
		return "survivors that read a crash (end of stream): " + crash + ", a reset: " + reset
				+ ", another I/O error: " + failed;
	}

	/**
	 * Thaws a frozen leader (SIGCONT) and watches it until it says it no longer leads, or the watch
	 * ends; then stops it (SIGTERM) for the restart. Returns what it did, for the progress line.
	 */
	private String thaw(CandidateSide side, CandidateProcess old, Settled before, Line elected, FailoverStats s)
			throws IOException, InterruptedException {
		int mark = old.mark();
		long resumed = CandidateProcess.nowMicros();
		old.signal("CONT");
		Duration watch = thawWatch();
		Line[] answer = new Line[1];
		boolean stepped = LoopbackCluster.within(watch, () -> {
			answer[0] = old.status(Duration.ofSeconds(1)).orElse(null);
			return answer[0] != null && !Boolean.parseBoolean(answer[0].fields().get(0));
		});
		// the revocation event may come a little after the answer
		LoopbackCluster.within(Duration.ofSeconds(2), () -> old.first("REVOKED", mark).isPresent());
		Optional<Line> revoked = old.first("REVOKED", mark);
		String what;
		if (stepped) {
			double ms = answer[0].millisAfter(resumed);
			s.notLeadingAfterThaw.add(ms);
			what = "thawed leader not leading " + Format.ms(ms) + " after SIGCONT";
		}
		else {
			s.notLeadingAfterThaw.add(Double.POSITIVE_INFINITY);
			s.stillLeading++;
			what = "thawed leader STILL leading " + Format.duration(watch) + " after SIGCONT";
		}
		revoked.ifPresent((line) -> {
			s.revokedAfterThaw.add(line.millisAfter(resumed));
			s.reasons.merge(line.fields().get(1), 1, Integer::sum);
		});
		what += revoked.map((line) -> ", revoked (" + line.fields().get(1) + ") " + Format.ms(line.millisAfter(resumed))
				+ " after").orElse(", no revocation line");
		if (side.hasTokens() && elected != null) {
			long newToken = elected.longField(0);
			boolean stale = stepped && before.token() < newToken;
			s.tokenChecks++;
			if (stale) {
				s.stale++;
			}
			what += String.format(Locale.ROOT, ", token %d %s %d", before.token(), stale ? "<" : "NOT stale vs",
					newToken);
		}
		old.terminate();
		old.awaitExit(Duration.ofSeconds(10));
		return what;
	}

}
