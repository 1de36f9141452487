package dev.clustering.autoconfigure;

import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.annotation.JsonProperty;

import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.service.annotation.GetExchange;
import org.springframework.web.service.annotation.HttpExchange;
import org.springframework.web.service.annotation.PutExchange;

/**
 * The Consul calls Spring Cloud Consul's {@code ConsulClient} lacks: sessions, and KV reads with
 * lock holders and acquire/release, as a declarative HTTP interface on the same {@code RestClient}.
 * The ACL token travels as a default header of that client.
 */
@HttpExchange("/v1")
interface ConsulSessions {

	@PutExchange("/session/create")
	ResponseEntity<Created> createSession(@RequestBody NewSession session);

	@PutExchange("/session/renew/{id}")
	ResponseEntity<List<Map<String, Object>>> renewSession(@PathVariable String id);

	@PutExchange("/session/destroy/{id}")
	ResponseEntity<Boolean> destroySession(@PathVariable String id);

	@PutExchange("/kv/{key}")
	ResponseEntity<Boolean> acquire(@PathVariable String key, @RequestParam String acquire, @RequestBody String value);

	@PutExchange("/kv/{key}")
	ResponseEntity<Boolean> release(@PathVariable String key, @RequestParam String release);

	@GetExchange("/kv/{key}")
	ResponseEntity<List<Entry>> read(@PathVariable String key, @RequestParam long index, @RequestParam String wait);

	/**
	 * A session to create.
	 * @param name its name
	 * @param ttl its TTL, such as {@code 10s}
	 * @param lockDelay its lock delay, such as {@code 0s}
	 * @param behavior {@code release}
	 * @param checks the checks bound to it
	 */
	record NewSession(@JsonProperty("Name") String name, @JsonProperty("TTL") String ttl,
			@JsonProperty("LockDelay") String lockDelay, @JsonProperty("Behavior") String behavior,
			@JsonProperty("Checks") List<String> checks) {
	}

	/**
	 * A created session.
	 * @param id its id
	 */
	record Created(@JsonProperty("ID") String id) {
	}

	/**
	 * A key as Consul lists it.
	 * @param key the key
	 * @param value its value, base64
	 * @param session the session holding its lock, if any
	 * @param modifyIndex the index of its last change
	 */
	record Entry(@JsonProperty("Key") String key, @JsonProperty("Value") String value,
			@JsonProperty("Session") String session, @JsonProperty("ModifyIndex") Long modifyIndex) {
	}

}
