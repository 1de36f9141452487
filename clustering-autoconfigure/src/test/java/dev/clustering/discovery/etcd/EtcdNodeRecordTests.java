package dev.clustering.discovery.etcd;

import java.util.Map;

import org.junit.jupiter.api.Test;

import dev.clustering.membership.LocalNode;
import dev.clustering.membership.NodeAddress;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

/**
 * The JSON a node registers: written and read back, and what is refused.
 */
class EtcdNodeRecordTests {

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

}
