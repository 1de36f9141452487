package dev.clustering.discovery;

import java.util.Map;

import org.junit.jupiter.api.Test;

import dev.clustering.membership.LocalNode;
import dev.clustering.membership.NodeAddress;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

/**
 * The JSON a node registers: written and read back, and what is refused.
 */
class NodeRecordTests {

	@Test
	void writesNameAddressAndSortedMetadata() {
		NodeRecord record = new NodeRecord("app@10.0.0.1", new NodeAddress("10.0.0.1", 9401),
				Map.of("zone", "b", "az", "1"));
		assertThat(record.toJson())
			.isEqualTo("{\"name\":\"app@10.0.0.1\",\"address\":\"10.0.0.1:9401\",\"metadata\":{\"az\":\"1\",\"zone\":\"b\"}}");
	}

	@Test
	void readsBackWhatItWrites() {
		NodeRecord record = NodeRecord.of(new LocalNode("app@[::1]", new NodeAddress("::1", 9401), 7L,
				Map.of("quote\"back\\slash", "line\nbreak\ttab\u0001", "unicode", "é€😀")));
		assertThat(NodeRecord.parse(record.toJson())).isEqualTo(record);
		assertThat(record.toJson()).contains("\"address\":\"[::1]:9401\"", "\\u0001");
	}

	@Test
	void ignoresUnknownFieldsAndNonTextMetadata() {
		NodeRecord record = NodeRecord.parse(" { \"version\" : 2, \"name\":\"app@h\", \"tags\": [1, {\"a\": null}],"
				+ " \"address\":\"h:1\", \"metadata\": {\"n\": 1, \"ok\": true, \"s\": \"v\", \"o\": {}}, \"x\": null } ");
		assertThat(record).isEqualTo(new NodeRecord("app@h", new NodeAddress("h", 1), Map.of("s", "v")));
	}

	@Test
	void readsEscapes() {
		assertThat(NodeRecord.parse("{\"name\":\"a\\u0040h\",\"address\":\"h:1\"}").name()).isEqualTo("a@h");
	}

	@Test
	void refusesWhatIsNotARecord() {
		assertThatIllegalArgumentException().isThrownBy(() -> NodeRecord.parse("not json"));
		assertThatIllegalArgumentException().isThrownBy(() -> NodeRecord.parse("[]"));
		assertThatIllegalArgumentException().isThrownBy(() -> NodeRecord.parse("{\"name\":\"a@h\"}"))
			.withMessageContaining("address");
		assertThatIllegalArgumentException().isThrownBy(() -> NodeRecord.parse("{\"address\":\"h:1\"}"))
			.withMessageContaining("name");
		assertThatIllegalArgumentException().isThrownBy(() -> NodeRecord.parse("{\"name\":\"a@h\",\"address\":\"h\"}"));
		assertThatIllegalArgumentException().isThrownBy(() -> NodeRecord.parse("{\"name\":\"a@h\",\"address\":\"h:1\"} x"));
		assertThatIllegalArgumentException().isThrownBy(() -> NodeRecord.parse("{\"name\":\"a@h"));
		assertThatIllegalArgumentException().isThrownBy(() -> NodeRecord.parse("{\"name\":\"\\u00\"}"));
		assertThatIllegalArgumentException().isThrownBy(() -> NodeRecord.parse(""));
	}

	@Test
	void refusesDeepNestingWithoutOverflowingTheStack() {
		assertThatIllegalArgumentException()
			.isThrownBy(() -> NodeRecord.parse("[".repeat(100_000) + "]".repeat(100_000)));
		// within the document length, so that the depth is what refuses it
		String deep = "[".repeat(20_000) + "]".repeat(20_000);
		assertThatIllegalArgumentException().isThrownBy(() -> NodeRecord.parse(deep))
			.withMessageContaining("nesting depth");
		assertThatIllegalArgumentException()
			.isThrownBy(() -> NodeRecord.parse("{\"name\":\"a@h\",\"address\":\"h:1\",\"x\":" + deep + "}"))
			.withMessageContaining("nesting depth");
		String objects = "{\"a\":".repeat(10_000) + "1" + "}".repeat(10_000);
		assertThatIllegalArgumentException().isThrownBy(() -> NodeRecord.parse(objects))
			.withMessageContaining("nesting depth");
	}

	@Test
	void refusesHugeStringsAndDocuments() {
		String huge = "x".repeat(100_000);
		assertThatIllegalArgumentException()
			.isThrownBy(() -> NodeRecord.parse("{\"name\":\"" + huge + "\",\"address\":\"h:1\"}"))
			.withMessageContaining("length");
		assertThatIllegalArgumentException()
			.isThrownBy(() -> NodeRecord.parse("{\"name\":\"a@h\",\"address\":\"h:1\",\"" + huge + "\":1}"))
			.withMessageContaining("length");
		StringBuilder big = new StringBuilder("{\"name\":\"a@h\",\"address\":\"h:1\",\"metadata\":{");
		for (int i = 0; i < 100; i++) {
			big.append(i == 0 ? "" : ",").append("\"k").append(i).append("\":\"").append("v".repeat(1000)).append('"');
		}
		assertThatIllegalArgumentException().isThrownBy(() -> NodeRecord.parse(big.append("}}").toString()))
			.withMessageContaining("length");
	}

	@Test
	void refusesFieldsOfTheWrongType() {
		assertThatIllegalArgumentException().isThrownBy(() -> NodeRecord.parse("{\"name\":1,\"address\":\"h:1\"}"))
			.withMessageContaining("\"name\"");
		assertThatIllegalArgumentException()
			.isThrownBy(() -> NodeRecord.parse("{\"name\":\"a@h\",\"address\":[\"h:1\"]}"))
			.withMessageContaining("\"address\"");
		assertThatIllegalArgumentException()
			.isThrownBy(() -> NodeRecord.parse("{\"name\":\"a@h\",\"address\":\"h:1\",\"metadata\":\"zone=a\"}"))
			.withMessageContaining("\"metadata\"");
	}

	@Test
	void refusesTrailingGarbageDuplicateFieldsAndOtherRoots() {
		String record = "{\"name\":\"a@h\",\"address\":\"h:1\"}";
		assertThatIllegalArgumentException().isThrownBy(() -> NodeRecord.parse(record + "{}"));
		assertThatIllegalArgumentException().isThrownBy(() -> NodeRecord.parse(record + " ]"));
		assertThatIllegalArgumentException().isThrownBy(() -> NodeRecord.parse(record + record));
		assertThatIllegalArgumentException()
			.isThrownBy(() -> NodeRecord.parse("{\"name\":\"a@h\",\"name\":\"b@h\",\"address\":\"h:1\"}"));
		for (String root : new String[] { "\"a@h\"", "1", "true", "null", "[" + record + "]" }) {
			assertThatIllegalArgumentException().isThrownBy(() -> NodeRecord.parse(root))
				.withMessageContaining("object");
		}
		assertThatIllegalArgumentException().isThrownBy(() -> NodeRecord.parse(null));
	}

}
