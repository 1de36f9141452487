package dev.clustering.discovery.dns;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

import org.junit.jupiter.api.Test;
import org.xbill.DNS.AAAARecord;
import org.xbill.DNS.ARecord;
import org.xbill.DNS.CNAMERecord;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.SRVRecord;
import org.xbill.DNS.Section;
import org.xbill.DNS.TXTRecord;
import org.xbill.DNS.Type;
import org.xbill.DNS.WireParseException;

import static dev.clustering.discovery.dns.FakeDnsResolver.ip;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.groups.Tuple.tuple;

/**
 * {@link DnsjavaResolver} with canned responses instead of sockets: answers, truncation, failures
 * and malformed responses.
 */
class DnsjavaResolverTests {

	private static final InetSocketAddress NS1 = new InetSocketAddress("10.53.0.1", 53);

	private static final InetSocketAddress NS2 = new InetSocketAddress("10.53.0.2", 5353);

	private final List<String> sent = new ArrayList<>();

	private DnsjavaResolver resolver(Exchange... byServer) {
		List<InetSocketAddress> servers = (byServer.length == 1) ? List.of(NS1) : List.of(NS1, NS2);
		return new DnsjavaResolver(servers, Duration.ofMillis(500), (ns, query, tcp, timeout) -> {
			this.sent.add(ns.getPort() + (tcp ? "/tcp" : "/udp"));
			return byServer[servers.indexOf(ns)].answer(query, tcp);
		});
	}

	private static Exchange answering(Function<Message, Message> answer) {
		return (query, tcp) -> answer.apply(query);
	}

	static Message response(Message query, int rcode, Record... answers) {
		Message response = new Message(query.getHeader().getID());
		response.getHeader().setFlag(Flags.QR);
		response.getHeader().setRcode(rcode);
		response.addRecord(query.getQuestion(), Section.QUESTION);
		for (Record record : answers) {
			response.addRecord(record, Section.ANSWER);
		}
		return response;
	}

	static Name name(String text) {
		return Name.fromConstantString(text.endsWith(".") ? text : text + ".");
	}

	static ARecord a(String owner, String ip) {
		return new ARecord(name(owner), DClass.IN, 0, ip(ip));
	}

	static AAAARecord aaaa(String owner, String ip) {
		return new AAAARecord(name(owner), DClass.IN, 0, ip(ip));
	}

	@Test
	void addressesOfTheAskedTypeAreRead() throws Exception {
		DnsjavaResolver resolver = resolver(answering((q) -> (q.getQuestion().getType() == Type.A)
				? response(q, Rcode.NOERROR, a("app.test", "10.0.0.1"), a("app.test", "10.0.0.2"))
				: response(q, Rcode.NOERROR, aaaa("app.test", "fd00::1"))));
		assertThat(resolver.addresses("app.test", RecordType.A)).containsExactly(ip("10.0.0.1"), ip("10.0.0.2"));
		assertThat(resolver.addresses("app.test.", RecordType.AAAA)).containsExactly(ip("fd00::1"));
	}

	@Test
	void nxdomainAndEmptyAnswersAreEmpty() throws Exception {
		assertThat(resolver(answering((q) -> response(q, Rcode.NXDOMAIN))).addresses("gone.test", RecordType.A))
			.isEmpty();
		assertThat(resolver(answering((q) -> response(q, Rcode.NOERROR))).addresses("app.test", RecordType.A))
			.isEmpty();
		assertThat(resolver(answering((q) -> response(q, Rcode.NXDOMAIN))).services("gone.test")).isEmpty();
	}

	@Test
	void truncatedUdpAnswerIsAskedAgainOverTcp() throws Exception {
		DnsjavaResolver resolver = resolver((query, tcp) -> {
			if (tcp) {
				return response(query, Rcode.NOERROR, a("app.test", "10.0.0.1"), a("app.test", "10.0.0.2"));
			}
			Message partial = response(query, Rcode.NOERROR, a("app.test", "10.0.0.1"));
			partial.getHeader().setFlag(Flags.TC);
			return partial;
		});
		assertThat(resolver.addresses("app.test", RecordType.A)).containsExactly(ip("10.0.0.1"), ip("10.0.0.2"));
		assertThat(this.sent).containsExactly("53/udp", "53/tcp");
	}

	@Test
	void answerTruncatedEvenOverTcpIsAFailureNotAShortList() {
		DnsjavaResolver resolver = resolver((query, tcp) -> {
			Message partial = response(query, Rcode.NOERROR, a("app.test", "10.0.0.1"));
			partial.getHeader().setFlag(Flags.TC);
			return partial;
		});
		assertThatExceptionOfType(DnsLookupException.class)
			.isThrownBy(() -> resolver.addresses("app.test", RecordType.A))
			.withMessageContaining("app.test/A failed")
			.withMessageContaining("truncated the answer even over TCP");
	}

	@Test
	void servfailRefusedAndTimeoutsAreFailures() {
		assertThatExceptionOfType(DnsLookupException.class)
			.isThrownBy(() -> resolver(answering((q) -> response(q, Rcode.SERVFAIL))).addresses("a.test", RecordType.A))
			.withMessageContaining("SERVFAIL");
		assertThatExceptionOfType(DnsLookupException.class)
			.isThrownBy(() -> resolver(answering((q) -> response(q, Rcode.REFUSED))).services("a.test"))
			.withMessageContaining("REFUSED");
		assertThatExceptionOfType(DnsLookupException.class)
			.isThrownBy(() -> resolver((q, tcp) -> {
				throw new IOException("Timed out while trying to resolve a.test./A");
			}).addresses("a.test", RecordType.A))
			.withMessageContaining("10.53.0.1:53 Timed out");
	}

	@Test
	void garbageIsAFailure() {
		assertThatExceptionOfType(DnsLookupException.class)
			.isThrownBy(() -> resolver((q, tcp) -> {
				throw new WireParseException("invalid DNS header - too short");
			}).addresses("a.test", RecordType.A))
			.withMessageContaining("too short");
	}

	@Test
	void answerToAnotherQuestionIsAFailure() {
		DnsjavaResolver resolver = resolver(answering((q) -> {
			Message other = Message.newQuery(Record.newRecord(name("other.test"), Type.A, DClass.IN));
			return response(other, Rcode.NOERROR, a("other.test", "10.0.0.9"));
		}));
		assertThatExceptionOfType(DnsLookupException.class)
			.isThrownBy(() -> resolver.addresses("app.test", RecordType.A))
			.withMessageContaining("answered another question");
	}

	@Test
	void queryEchoedBackIsAFailure() {
		assertThatExceptionOfType(DnsLookupException.class)
			.isThrownBy(() -> resolver(answering((q) -> q)).addresses("app.test", RecordType.A))
			.withMessageContaining("sent a query instead of a response");
	}

	@Test
	void nextNameserverIsAskedWhenOneFails() throws Exception {
		DnsjavaResolver resolver = resolver(answering((q) -> response(q, Rcode.SERVFAIL)),
				answering((q) -> response(q, Rcode.NOERROR, a("app.test", "10.0.0.1"))));
		assertThat(resolver.addresses("app.test", RecordType.A)).containsExactly(ip("10.0.0.1"));
		assertThat(this.sent).containsExactly("53/udp", "5353/udp");
	}

	@Test
	void everyNameserversFailureIsReported() {
		DnsjavaResolver resolver = resolver(answering((q) -> response(q, Rcode.SERVFAIL)),
				answering((q) -> response(q, Rcode.REFUSED)));
		assertThatExceptionOfType(DnsLookupException.class)
			.isThrownBy(() -> resolver.addresses("app.test", RecordType.A))
			.withMessage("app.test/A failed: 10.53.0.1:53 answered SERVFAIL; 10.53.0.2:5353 answered REFUSED");
	}

	@Test
	void recordsOfOtherTypesOrOwnersAreIgnored() throws Exception {
		DnsjavaResolver resolver = resolver(answering((q) -> response(q, Rcode.NOERROR, a("app.test", "10.0.0.1"),
				aaaa("app.test", "fd00::1"), a("stray.test", "10.0.0.66"),
				new TXTRecord(name("app.test"), DClass.IN, 0, "hello"))));
		assertThat(resolver.addresses("app.test", RecordType.A)).containsExactly(ip("10.0.0.1"));
	}

	@Test
	void cnameChainsAreFollowedInTheAnswerAndAskedAgainWhenCut() throws Exception {
		DnsjavaResolver resolver = resolver(answering((q) -> {
			Name asked = q.getQuestion().getName();
			if (asked.equals(name("app.test"))) {
				// the nameserver followed one hop only
				return response(q, Rcode.NOERROR, new CNAMERecord(name("app.test"), DClass.IN, 0, name("svc.test")),
						new CNAMERecord(name("svc.test"), DClass.IN, 0, name("pods.test")));
			}
			return response(q, Rcode.NOERROR, a("pods.test", "10.0.0.1"), a("pods.test", "10.0.0.2"));
		}));
		assertThat(resolver.addresses("app.test", RecordType.A)).containsExactly(ip("10.0.0.1"), ip("10.0.0.2"));
	}

	@Test
	void cnameLoopIsAFailure() {
		DnsjavaResolver resolver = resolver(answering((q) -> response(q, Rcode.NOERROR,
				new CNAMERecord(name("a.test"), DClass.IN, 0, name("b.test")),
				new CNAMERecord(name("b.test"), DClass.IN, 0, name("a.test")))));
		assertThatExceptionOfType(DnsLookupException.class)
			.isThrownBy(() -> resolver.addresses("a.test", RecordType.A))
			.withMessageContaining("CNAME loop");
	}

	@Test
	void srvRecordsTakeTargetAddressesFromTheAdditionalSection() throws Exception {
		DnsjavaResolver resolver = resolver(answering((q) -> {
			Message response = response(q, Rcode.NOERROR,
					new SRVRecord(name("likes.service.consul"), DClass.IN, 0, 1, 10, 9401, name("n1.node.consul")),
					new SRVRecord(name("likes.service.consul"), DClass.IN, 0, 1, 10, 9402, name("n1.node.consul")),
					new SRVRecord(name("likes.service.consul"), DClass.IN, 0, 1, 10, 9403, name("n2.node.consul")),
					// malformed for our purpose: "not available here" and port 0
					new SRVRecord(name("likes.service.consul"), DClass.IN, 0, 1, 10, 9404, Name.root),
					new SRVRecord(name("likes.service.consul"), DClass.IN, 0, 1, 10, 0, name("n3.node.consul")));
			response.addRecord(a("n1.node.consul", "10.0.0.1"), Section.ADDITIONAL);
			response.addRecord(aaaa("n1.node.consul", "fd00::1"), Section.ADDITIONAL);
			response.addRecord(a("elsewhere.consul", "10.0.0.99"), Section.ADDITIONAL);
			return response;
		}));
		List<ServiceRecord> records = resolver.services("likes.service.consul");
		assertThat(records).extracting(ServiceRecord::target, ServiceRecord::port)
			.containsExactly(tuple("n1.node.consul", 9401),
					tuple("n1.node.consul", 9402),
					tuple("n2.node.consul", 9403));
		assertThat(records.get(0).addresses()).containsExactly(ip("10.0.0.1"), ip("fd00::1"));
		assertThat(records.get(2).addresses()).isEmpty();
	}

	@Test
	void nameserversAreParsed() {
		assertThat(DnsjavaResolver.parseNameserver("127.0.0.1")).isEqualTo(new InetSocketAddress("127.0.0.1", 53));
		assertThat(DnsjavaResolver.parseNameserver(" 127.0.0.1:5353 "))
			.isEqualTo(new InetSocketAddress("127.0.0.1", 5353));
		assertThat(DnsjavaResolver.parseNameserver("[::1]:5353")).isEqualTo(new InetSocketAddress("::1", 5353));
		assertThat(DnsjavaResolver.parseNameserver("[::1]")).isEqualTo(new InetSocketAddress("::1", 53));
		assertThat(DnsjavaResolver.parseNameserver("fd00::53")).isEqualTo(new InetSocketAddress("fd00::53", 53));
		assertThatIllegalArgumentException().isThrownBy(() -> DnsjavaResolver.parseNameserver("dns.example:53"))
			.withMessageContaining("not an IP address");
		assertThatIllegalArgumentException().isThrownBy(() -> DnsjavaResolver.parseNameserver(""));
		assertThatIllegalArgumentException().isThrownBy(() -> DnsjavaResolver.parseNameserver("10.0.0.1:x"));
	}

	@Test
	void invalidNamesAreRefused() {
		assertThatIllegalArgumentException().isThrownBy(() -> DnsjavaResolver.checkName("a..b"));
		assertThatIllegalArgumentException().isThrownBy(() -> DnsjavaResolver.checkName("x".repeat(64) + ".test"));
	}

	@FunctionalInterface
	interface Exchange {

		Message answer(Message query, boolean tcp) throws IOException;

	}

}
