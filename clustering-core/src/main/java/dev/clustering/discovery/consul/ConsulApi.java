package dev.clustering.discovery.consul;

import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The few Consul HTTP calls the {@code consul} strategy makes (the seam between the strategy and
 * its HTTP client). Every call either answers or throws {@link IOException}: an unreachable agent,
 * an error status, or an answer that cannot be read. Implementations are thread-safe; blocking
 * queries return after at most about their wait.
 */
public interface ConsulApi {

	/**
	 * Registers a service instance with a TTL check on the agent.
	 * @param registration what to register
	 * @throws IOException if the agent refused or could not be reached
	 */
	void register(Registration registration) throws IOException;

	/**
	 * Deregisters a service instance from the agent.
	 * @param serviceId the instance's id
	 * @throws IOException if the agent refused or could not be reached
	 */
	void deregister(String serviceId) throws IOException;

	/**
	 * Marks a TTL check passing.
	 * @param checkId the check
	 * @return {@code false} if the agent does not know the check (register again)
	 * @throws IOException if the agent could not be reached or answered otherwise
	 */
	boolean passCheck(String checkId) throws IOException;

	/**
	 * The service's instances whose checks all pass, as a blocking query.
	 * @param service the service name
	 * @param index the index of the previous answer, or 0 for an answer at once
	 * @param wait how long Consul may hold the query while nothing changes
	 * @return the instances and the answer's index
	 * @throws IOException if the query failed
	 */
	Indexed<List<Instance>> passingInstances(String service, long index, Duration wait) throws IOException;

	/**
	 * Creates a session on the agent's node.
	 * @param name the session's name
	 * @param ttl its time to live (Consul accepts 10s to 24h)
	 * @param lockDelay how long Consul keeps a lock this session held from being acquired again
	 * after the session is invalidated
	 * @param checks the checks that invalidate the session when they turn critical
	 * @return the session's id
	 * @throws IOException if it could not be created
	 */
	String createSession(String name, Duration ttl, Duration lockDelay, List<String> checks) throws IOException;

	/**
	 * Renews a session.
	 * @param sessionId the session
	 * @return {@code false} if the session is gone (invalidated)
	 * @throws IOException if the agent could not be reached or answered otherwise
	 */
	boolean renewSession(String sessionId) throws IOException;

	/**
	 * Destroys a session, releasing its locks.
	 * @param sessionId the session
	 * @throws IOException if the agent could not be reached or answered otherwise
	 */
	void destroySession(String sessionId) throws IOException;

	/**
	 * Acquires a key's lock for a session, writing a value.
	 * @param key the key
	 * @param sessionId the session
	 * @param value the value to write
	 * @return whether the lock is now the session's
	 * @throws IOException if the call failed
	 */
	boolean acquire(String key, String sessionId, String value) throws IOException;

	/**
	 * Releases a key's lock held by a session.
	 * @param key the key
	 * @param sessionId the session
	 * @throws IOException if the call failed
	 */
	void release(String key, String sessionId) throws IOException;

	/**
	 * Reads a key, as a blocking query.
	 * @param key the key
	 * @param index the index of the previous answer, or 0 for an answer at once
	 * @param wait how long Consul may hold the query while nothing changes
	 * @return the key, if it exists, and the answer's index
	 * @throws IOException if the query failed
	 */
	Indexed<Optional<KeyValue>> readKey(String key, long index, Duration wait) throws IOException;

	/**
	 * A service instance to register.
	 * @param id the instance's id (the node's name)
	 * @param name the service's name
	 * @param address the address it is reached at
	 * @param port its cluster port
	 * @param tags its tags
	 * @param meta its metadata
	 * @param checkTtl the TTL of its check: critical unless passed this often
	 * @param deregisterCriticalAfter how long Consul keeps it once its check is critical
	 */
	record Registration(String id, String name, String address, int port, List<String> tags, Map<String, String> meta,
			Duration checkTtl, Duration deregisterCriticalAfter) {

		public Registration {
			tags = List.copyOf(tags);
			meta = Map.copyOf(meta);
		}

		/**
		 * The id Consul gives the single check registered with a service.
		 * @return {@code service:<id>}
		 */
		public String checkId() {
			return "service:" + this.id;
		}

	}

	/**
	 * An instance as Consul lists it (anything may be here: it is checked before use).
	 * @param id the instance's id
	 * @param address the instance's address, or the address of its node if it has none
	 * @param port its port, or {@code null}
	 * @param meta its metadata
	 */
	record Instance(String id, String address, Integer port, Map<String, String> meta) {
	}

	/**
	 * A key's value and lock holder.
	 * @param value the value, or {@code null}
	 * @param session the session holding its lock, or {@code null}
	 * @param modifyIndex the index of its last change
	 */
	record KeyValue(String value, String session, long modifyIndex) {
	}

	/**
	 * An answer to a blocking query.
	 * @param <T> what was read
	 * @param value what was read
	 * @param index the answer's index, for the next query
	 */
	record Indexed<T>(T value, long index) {
	}

}
