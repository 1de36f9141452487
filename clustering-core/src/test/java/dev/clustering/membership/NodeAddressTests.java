package dev.clustering.membership;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

class NodeAddressTests {

	@Test
	void parsesHostAndPort() {
		assertThat(NodeAddress.parse("127.0.0.1:9401")).isEqualTo(new NodeAddress("127.0.0.1", 9401));
		assertThat(NodeAddress.parse(" Node-1.Example:80 ").host()).isEqualTo("node-1.example");
	}

	@Test
	void ipv6IsWrittenInBracketsAndNormalised() {
		NodeAddress address = NodeAddress.parse("[0:0:0:0:0:0:0:1]:9401");
		assertThat(address).isEqualTo(NodeAddress.parse("[::1]:9401"));
		assertThat(address.toString()).isEqualTo("[::1]:9401");
		assertThat(LocalNode.nodeName("abc", address.host())).isEqualTo("abc@[::1]");
		assertThat(NodeAddress.parse("[2001:DB8:0:0:1:0:0:1]:1").host()).isEqualTo("2001:db8::1:0:0:1");
		assertThat(NodeAddress.parse("[fe80:0:0:0:0:0:0:0]:1").host()).isEqualTo("fe80::");
		assertThat(NodeAddress.parse("[1:2:3:4:5:6:7:8]:1").host()).isEqualTo("1:2:3:4:5:6:7:8");
		assertThat(NodeAddress.parse("[1:0:3:4:5:6:7:8]:1").host()).isEqualTo("1:0:3:4:5:6:7:8");
	}

	@Test
	void rejectsWhatIsNotHostPort() {
		assertThatIllegalArgumentException().isThrownBy(() -> NodeAddress.parse("127.0.0.1"));
		assertThatIllegalArgumentException().isThrownBy(() -> NodeAddress.parse("host:http"));
		assertThatIllegalArgumentException().isThrownBy(() -> NodeAddress.parse("::1:9401"));
		assertThatIllegalArgumentException().isThrownBy(() -> NodeAddress.parse("host:70000"));
		assertThatIllegalArgumentException().isThrownBy(() -> NodeAddress.parse("999.1.1.1:80"));
	}

}
