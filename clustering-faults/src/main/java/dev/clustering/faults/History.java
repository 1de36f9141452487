package dev.clustering.faults;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * Every node's history file, merged in time order.
 *
 * @param lines the readable lines, sorted by wall-clock time (stable)
 * @param unreadable lines that do not parse, with where they are
 */
record History(List<HistoryLine> lines, List<String> unreadable) {

	History {
		List<HistoryLine> sorted = new ArrayList<>(lines);
		sorted.sort(Comparator.comparingLong(HistoryLine::at));
		lines = List.copyOf(sorted);
		unreadable = List.copyOf(unreadable);
	}

	/** Reads every {@code *.history} file of a directory. */
	static History read(Path dir) throws IOException {
		List<Path> files;
		try (Stream<Path> list = Files.list(dir)) {
			files = list.filter((p) -> p.getFileName().toString().endsWith(".history")).sorted().toList();
		}
		List<HistoryLine> lines = new ArrayList<>();
		List<String> unreadable = new ArrayList<>();
		for (Path file : files) {
			List<String> text = Files.readAllLines(file, StandardCharsets.UTF_8);
			for (int i = 0; i < text.size(); i++) {
				add(text.get(i), file.getFileName() + ":" + (i + 1), lines, unreadable);
			}
		}
		return new History(lines, unreadable);
	}

	/** A history from lines given in the text form of the files (for tests), all from "test.history". */
	static History of(String... text) {
		List<HistoryLine> lines = new ArrayList<>();
		List<String> unreadable = new ArrayList<>();
		for (int i = 0; i < text.length; i++) {
			add(text[i], "test.history:" + (i + 1), lines, unreadable);
		}
		return new History(lines, unreadable);
	}

	private static void add(String text, String where, List<HistoryLine> lines, List<String> unreadable) {
		if (text.isBlank()) {
			return;
		}
		try {
			lines.add(HistoryLine.parse(text, where));
		}
		catch (IllegalArgumentException ex) {
			unreadable.add(where + ": " + text);
		}
	}

}
