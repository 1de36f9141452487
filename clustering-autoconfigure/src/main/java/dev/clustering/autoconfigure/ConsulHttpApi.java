package dev.clustering.autoconfigure;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;

import org.springframework.cloud.consul.ConsulClient;
import org.springframework.cloud.consul.model.http.ConsulHeaders;
import org.springframework.cloud.consul.model.http.agent.NewService;
import org.springframework.cloud.consul.model.http.health.HealthService;
import org.springframework.http.HttpEntity;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.client.RestClientException;
import org.springframework.web.client.RestClientResponseException;

import dev.clustering.discovery.consul.ConsulApi;

/**
 * {@link ConsulApi} on Spring Cloud Consul's {@link ConsulClient} (registration, checks, health
 * queries) and the project's own {@link ConsulSessions} (sessions and the lock), both declarative
 * HTTP interfaces on Spring's {@code RestClient}. Blocking queries go through a client whose read
 * timeout outlasts their wait; every other call through one that gives up within seconds. Every
 * failure becomes an {@link IOException} that says what was asked.
 */
final class ConsulHttpApi implements ConsulApi {

	private final ConsulClient quick;

	private final ConsulClient blocking;

	private final ConsulSessions sessions;

	private final ConsulSessions blockingSessions;

	private final String token;

	ConsulHttpApi(ConsulClient quick, ConsulClient blocking, ConsulSessions sessions, ConsulSessions blockingSessions,
			String token) {
		this.quick = quick;
		this.blocking = blocking;
		this.sessions = sessions;
		this.blockingSessions = blockingSessions;
		this.token = token;
	}

	@Override
	public void register(Registration registration) throws IOException {
		NewService service = new NewService();
		service.setId(registration.id());
		service.setName(registration.name());
		service.setAddress(registration.address());
		service.setPort(registration.port());
		service.setTags(registration.tags());
		service.setMeta(registration.meta());
		NewService.Check check = new NewService.Check();
		check.setTtl(seconds(registration.checkTtl()));
		check.setDeregisterCriticalServiceAfter(seconds(registration.deregisterCriticalAfter()));
		check.setStatus("passing");
		service.setCheck(check);
		call("register " + registration.id(), () -> this.quick.agentServiceRegister(this.token, service));
	}

	@Override
	public void deregister(String serviceId) throws IOException {
		call("deregister " + serviceId, () -> this.quick.agentServiceDeregister(serviceId, this.token));
	}

	@Override
	public boolean passCheck(String checkId) throws IOException {
		try {
			this.quick.agentCheckPass(checkId, null, this.token);
			return true;
		}
		catch (RestClientResponseException ex) {
			String body = ex.getResponseBodyAsString();
			if (ex.getStatusCode().value() == HttpStatus.NOT_FOUND.value() || body.contains("Unknown check")
					|| body.contains("does not have associated TTL")) {
				return false;
			}
			throw failure("pass check " + checkId, ex);
		}
		catch (RestClientException ex) {
			throw failure("pass check " + checkId, ex);
		}
	}

	@Override
	public Indexed<List<Instance>> passingInstances(String service, long index, Duration wait) throws IOException {
		ResponseEntity<List<HealthService>> answer = call("read the passing instances of " + service,
				() -> this.blocking.getHealthServices(service, true, this.token, null,
						new ConsulClient.QueryParams(Math.max(1, wait.toSeconds()), index)));
		List<Instance> instances = new ArrayList<>();
		if (answer.getBody() != null) {
			for (HealthService entry : answer.getBody()) {
				HealthService.Service instance = entry.getService();
				if (instance == null) {
					continue;
				}
				String address = instance.getAddress();
				if ((address == null || address.isEmpty()) && entry.getNode() != null) {
					address = entry.getNode().getAddress();
				}
				instances.add(new Instance(instance.getId(), address, instance.getPort(), instance.getMeta()));
			}
		}
		return new Indexed<>(instances, index(answer));
	}

	@Override
	public String createSession(String name, Duration ttl, Duration lockDelay, List<String> checks) throws IOException {
		ResponseEntity<ConsulSessions.Created> answer = call("create a session", () -> this.sessions
			.createSession(new ConsulSessions.NewSession(name, seconds(ttl), seconds(lockDelay), "release", checks)));
		if (answer.getBody() == null || answer.getBody().id() == null) {
			throw new IOException("Consul created a session without an id");
		}
		return answer.getBody().id();
	}

	@Override
	public boolean renewSession(String sessionId) throws IOException {
		try {
			ResponseEntity<?> answer = this.sessions.renewSession(sessionId);
			return answer.getBody() != null && !((List<?>) answer.getBody()).isEmpty();
		}
		catch (RestClientResponseException ex) {
			if (ex.getStatusCode().value() == HttpStatus.NOT_FOUND.value()) {
				return false;
			}
			throw failure("renew session " + sessionId, ex);
		}
		catch (RestClientException ex) {
			throw failure("renew session " + sessionId, ex);
		}
	}

	@Override
	public void destroySession(String sessionId) throws IOException {
		call("destroy session " + sessionId, () -> this.sessions.destroySession(sessionId));
	}

	@Override
	public boolean acquire(String key, String sessionId, String value) throws IOException {
		ResponseEntity<Boolean> answer = call("acquire " + key, () -> this.sessions.acquire(key, sessionId, value));
		return Boolean.TRUE.equals(answer.getBody());
	}

	@Override
	public void release(String key, String sessionId) throws IOException {
		call("release " + key, () -> this.sessions.release(key, sessionId));
	}

	@Override
	public Indexed<Optional<KeyValue>> readKey(String key, long index, Duration wait) throws IOException {
		ResponseEntity<List<ConsulSessions.Entry>> answer;
		try {
			answer = this.blockingSessions.read(key, index, Math.max(1, wait.toSeconds()) + "s");
		}
		catch (RestClientResponseException ex) {
			if (ex.getStatusCode().value() == HttpStatus.NOT_FOUND.value()) {
				// no such key: the index still comes with the answer
				Long consulIndex = headerIndex(ex);
				return new Indexed<>(Optional.empty(), (consulIndex != null) ? consulIndex : 0);
			}
			throw failure("read " + key, ex);
		}
		catch (RestClientException ex) {
			throw failure("read " + key, ex);
		}
		Optional<KeyValue> value = Optional.empty();
		if (answer.getBody() != null && !answer.getBody().isEmpty()) {
			ConsulSessions.Entry entry = answer.getBody().get(0);
			value = Optional.of(new KeyValue(decode(entry.value()), entry.session(),
					(entry.modifyIndex() != null) ? entry.modifyIndex() : 0));
		}
		return new Indexed<>(value, index(answer));
	}

	private static String decode(String base64) {
		if (base64 == null) {
			return null;
		}
		try {
			return new String(Base64.getDecoder().decode(base64), StandardCharsets.UTF_8);
		}
		catch (IllegalArgumentException ex) {
			return null;
		}
	}

	private static Long headerIndex(RestClientResponseException ex) {
		if (ex.getResponseHeaders() == null) {
			return null;
		}
		String value = ex.getResponseHeaders().getFirst("X-Consul-Index");
		try {
			return (value != null) ? Long.parseUnsignedLong(value.trim()) : null;
		}
		catch (NumberFormatException bad) {
			return null;
		}
	}

	private static long index(HttpEntity<?> answer) {
		Long index = ConsulHeaders.getConsulIndex(answer);
		return (index != null) ? index : 0;
	}

	private static String seconds(Duration duration) {
		return Math.max(0, duration.toMillis()) + "ms";
	}

	private static <T> T call(String what, Callable<T> call) throws IOException {
		try {
			return call.call();
		}
		catch (RestClientException ex) {
			throw failure(what, ex);
		}
		catch (Exception ex) {
			throw new IOException("Consul: could not " + what + ": " + ex, ex);
		}
	}

	private static IOException failure(String what, RestClientException ex) {
		if (ex instanceof RestClientResponseException response) {
			String body = response.getResponseBodyAsString();
			return new IOException("Consul refused to " + what + ": " + response.getStatusCode().value() + " "
					+ ((body.length() > 200) ? body.substring(0, 200) + "..." : body).trim(), ex);
		}
		return new IOException("Consul could not be reached to " + what + ": " + ex.getMessage(), ex);
	}

}
