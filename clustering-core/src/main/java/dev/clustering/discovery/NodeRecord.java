package dev.clustering.discovery;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

import tools.jackson.core.JacksonException;
import tools.jackson.core.StreamReadConstraints;
import tools.jackson.core.StreamReadFeature;
import tools.jackson.core.json.JsonFactory;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

import dev.clustering.membership.LocalNode;
import dev.clustering.membership.NodeAddress;

/**
 * What a node registers in a registry (etcd, ZooKeeper), as JSON:
 * {@code {"name":"app@10.0.0.1","address":"10.0.0.1:9401","metadata":{"zone":"a"}}}. Anyone who
 * may write under the prefix can put any value there, so a record is read under tight limits
 * (nesting depth, string and document length) and refused with an {@link IllegalArgumentException}
 * when it breaks one, is not a single JSON object, or has a field of the wrong type. Unknown fields
 * and metadata values that are not text are ignored, so a newer node may add some.
 *
 * @param name the node's name
 * @param address where its cluster transport listens
 * @param metadata what it tells others about itself
 */
public record NodeRecord(String name, NodeAddress address, Map<String, String> metadata) {

	/** Deepest nesting read; a record needs 2. */
	static final int MAX_DEPTH = 16;

	/** Longest string or field name read, in characters. */
	static final int MAX_STRING = 4096;

	/** Longest record read, in characters. */
	static final int MAX_DOCUMENT = 64 * 1024;

	private static final JsonMapper JSON = JsonMapper
		.builder(JsonFactory.builder()
			.streamReadConstraints(StreamReadConstraints.builder()
				.maxNestingDepth(MAX_DEPTH)
				.maxStringLength(MAX_STRING)
				.maxNameLength(MAX_STRING)
				.maxNumberLength(64)
				.maxDocumentLength(MAX_DOCUMENT)
				.build())
			.enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
			.build())
		.enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
		.build();

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
		ObjectNode json = JSON.createObjectNode();
		json.put("name", this.name);
		json.put("address", this.address.toString());
		ObjectNode metadata = json.putObject("metadata");
		new TreeMap<>(this.metadata).forEach(metadata::put);
		return JSON.writeValueAsString(json);
	}

	/**
	 * Reads a record.
	 * @param json the JSON text
	 * @return the record
	 * @throws IllegalArgumentException if it is not a single JSON object within the limits, or lacks
	 * a name or a valid address, or has a field of the wrong type
	 */
	public static NodeRecord parse(String json) {
		if (json == null) {
			throw new IllegalArgumentException("not a node record: no value");
		}
		if (json.length() > MAX_DOCUMENT) {
			// Jackson checks the document length as it reads more input, not on a string in hand
			throw new IllegalArgumentException("not a node record: its length " + json.length() + " exceeds the "
					+ MAX_DOCUMENT + " characters a record may have");
		}
		JsonNode root;
		try {
			root = JSON.readTree(json);
		}
		catch (JacksonException ex) {
			throw new IllegalArgumentException("not a node record: " + ex.getOriginalMessage(), ex);
		}
		if (root == null || !root.isObject()) {
			throw new IllegalArgumentException("not a node record: expected a JSON object, found "
					+ ((root != null) ? root.getNodeType() : "nothing"));
		}
		String name = text(root, "name");
		if (name.isBlank()) {
			throw new IllegalArgumentException("not a node record: \"name\" is blank");
		}
		String address = text(root, "address");
		Map<String, String> metadata = new LinkedHashMap<>();
		JsonNode fields = root.get("metadata");
		if (fields != null && !fields.isNull()) {
			if (!fields.isObject()) {
				throw new IllegalArgumentException("not a node record: \"metadata\" is " + fields.getNodeType()
						+ ", not an object");
			}
			fields.properties().forEach((entry) -> {
				if (entry.getValue().isString()) {
					metadata.put(entry.getKey(), entry.getValue().stringValue());
				}
			});
		}
		return new NodeRecord(name, NodeAddress.parse(address), metadata);
	}

	private static String text(JsonNode record, String field) {
		JsonNode value = record.get(field);
		if (value == null || !value.isString()) {
			throw new IllegalArgumentException("not a node record: no \"" + field + "\" text field"
					+ ((value != null) ? " (it is " + value.getNodeType() + ")" : ""));
		}
		return value.stringValue();
	}

}
