package dev.clustering.discovery.etcd;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

import dev.clustering.membership.LocalNode;
import dev.clustering.membership.NodeAddress;

/**
 * What a node registers under its key, as JSON:
 * {@code {"name":"app@10.0.0.1","address":"10.0.0.1:9401","metadata":{"zone":"a"}}}. Written and
 * read here, with no JSON library: the value is small and flat. Unknown fields are ignored, so a
 * newer node may add some.
 *
 * @param name the node's name
 * @param address where its cluster transport listens
 * @param metadata what it tells others about itself
 */
public record NodeRecord(String name, NodeAddress address, Map<String, String> metadata) {

	public NodeRecord {
		Objects.requireNonNull(name, "name");
		Objects.requireNonNull(address, "address");
		metadata = Map.copyOf(metadata);
	}

	/**
	 * The record of this node.
	 * @param node this node
	 * @return its record
	 */
	public static NodeRecord of(LocalNode node) {
		return new NodeRecord(node.name(), node.address(), node.metadata());
	}

	/**
	 * The record as JSON, metadata sorted by key.
	 * @return the JSON text
	 */
	public String toJson() {
		StringBuilder json = new StringBuilder("{\"name\":");
		quote(json, this.name);
		json.append(",\"address\":");
		quote(json, this.address.toString());
		json.append(",\"metadata\":{");
		boolean first = true;
		for (Map.Entry<String, String> entry : new TreeMap<>(this.metadata).entrySet()) {
			if (!first) {
				json.append(',');
			}
			first = false;
			quote(json, entry.getKey());
			json.append(':');
			quote(json, entry.getValue());
		}
		return json.append("}}").toString();
	}

	/**
	 * Reads a record.
	 * @param json the JSON text
	 * @return the record
	 * @throws IllegalArgumentException if it is not JSON, or lacks a name or a valid address
	 */
	public static NodeRecord parse(String json) {
		Parser parser = new Parser(json);
		Map<String, Object> fields = parser.document();
		if (!(fields.get("name") instanceof String name) || name.isBlank()) {
			throw new IllegalArgumentException("no \"name\" in " + json);
		}
		if (!(fields.get("address") instanceof String address)) {
			throw new IllegalArgumentException("no \"address\" in " + json);
		}
		Map<String, String> metadata = new LinkedHashMap<>();
		if (fields.get("metadata") instanceof Map<?, ?> map) {
			map.forEach((key, value) -> {
				if (value instanceof String text) {
					metadata.put((String) key, text);
				}
			});
		}
		return new NodeRecord(name, NodeAddress.parse(address), metadata);
	}

	private static void quote(StringBuilder json, String text) {
		json.append('"');
		for (int i = 0; i < text.length(); i++) {
			char c = text.charAt(i);
			switch (c) {
				case '"' -> json.append("\\\"");
				case '\\' -> json.append("\\\\");
				case '\n' -> json.append("\\n");
				case '\r' -> json.append("\\r");
				case '\t' -> json.append("\\t");
				default -> {
					if (c < 0x20) {
						json.append(String.format("\\u%04x", (int) c));
					}
					else {
						json.append(c);
					}
				}
			}
		}
		json.append('"');
	}

	/** Just enough JSON: objects, strings, and other values skipped as {@code null}. */
	private static final class Parser {

		private final String text;

		private int at;

		Parser(String text) {
			this.text = Objects.requireNonNull(text, "json");
		}

		Map<String, Object> document() {
			Object value = value();
			space();
			if (this.at != this.text.length() || !(value instanceof Map<?, ?>)) {
				throw error("a single JSON object");
			}
			@SuppressWarnings("unchecked")
			Map<String, Object> object = (Map<String, Object>) value;
			return object;
		}

		private Object value() {
			space();
			if (this.at >= this.text.length()) {
				throw error("a value");
			}
			char c = this.text.charAt(this.at);
			if (c == '{') {
				return object();
			}
			if (c == '"') {
				return string();
			}
			if (c == '[') {
				array();
				return null;
			}
			// numbers, true, false, null: not used by a record, skipped
			int start = this.at;
			while (this.at < this.text.length() && ",}] \t\r\n".indexOf(this.text.charAt(this.at)) < 0) {
				this.at++;
			}
			if (this.at == start) {
				throw error("a value");
			}
			return null;
		}

		private Map<String, Object> object() {
			Map<String, Object> object = new LinkedHashMap<>();
			this.at++;
			space();
			if (peek('}')) {
				return object;
			}
			do {
				space();
				if (!peekChar('"')) {
					throw error("a field name");
				}
				String key = string();
				space();
				expect(':');
				object.put(key, value());
				space();
			}
			while (peek(','));
			expect('}');
			return object;
		}

		private void array() {
			this.at++;
			space();
			if (peek(']')) {
				return;
			}
			do {
				value();
				space();
			}
			while (peek(','));
			expect(']');
		}

		private String string() {
			StringBuilder out = new StringBuilder();
			this.at++;
			while (this.at < this.text.length()) {
				char c = this.text.charAt(this.at++);
				if (c == '"') {
					return out.toString();
				}
				if (c != '\\') {
					out.append(c);
					continue;
				}
				if (this.at >= this.text.length()) {
					break;
				}
				char escaped = this.text.charAt(this.at++);
				switch (escaped) {
					case 'n' -> out.append('\n');
					case 'r' -> out.append('\r');
					case 't' -> out.append('\t');
					case 'b' -> out.append('\b');
					case 'f' -> out.append('\f');
					case 'u' -> {
						if (this.at + 4 > this.text.length()) {
							throw error("four hex digits");
						}
						try {
							out.append((char) Integer.parseInt(this.text.substring(this.at, this.at + 4), 16));
						}
						catch (NumberFormatException ex) {
							throw error("four hex digits");
						}
						this.at += 4;
					}
					default -> out.append(escaped);
				}
			}
			throw error("the end of a string");
		}

		private void space() {
			while (this.at < this.text.length() && Character.isWhitespace(this.text.charAt(this.at))) {
				this.at++;
			}
		}

		private boolean peekChar(char c) {
			return this.at < this.text.length() && this.text.charAt(this.at) == c;
		}

		private boolean peek(char c) {
			if (peekChar(c)) {
				this.at++;
				return true;
			}
			return false;
		}

		private void expect(char c) {
			if (!peek(c)) {
				throw error("'" + c + "'");
			}
		}

		private IllegalArgumentException error(String expected) {
			return new IllegalArgumentException("not a node record: expected " + expected + " at " + this.at + " in "
					+ this.text);
		}

	}

}
