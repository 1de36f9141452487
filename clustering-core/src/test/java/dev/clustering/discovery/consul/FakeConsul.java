package dev.clustering.discovery.consul;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One Consul agent and its catalog in memory, for the {@code consul} strategy's unit tests.
 * Thread-safe: every call holds the fake's monitor, blocking queries wait on it.
 * <ul>
 * <li>Services, each with one TTL check ({@code service:<id>}) that starts passing (as the HTTP
 * client registers it) and can be made critical; an instance can also be put in as Consul would
 * list it, whatever it holds.</li>
 * <li>Sessions bound to checks ({@code serfHealth} always passes): a check that turns critical or
 * goes away invalidates them, which releases their locks (behaviour {@code release}) and holds
 * those locks back for the session's lock delay; an explicit release does not.</li>
 * <li>KV keys with a value, a lock holder and a {@code ModifyIndex} from a counter that grows on
 * every change of the KV store.</li>
 * <li>Blocking queries ({@code index} not 0) wait while the index they name is still the current
 * one, up to their wait: an index that changes either way answers at once (an index that went
 * back, as after an agent lost its state, included).</li>
 * <li>{@link #unreachable(boolean)}: every call throws {@link IOException}, and queries held now
 * are answered with one, as a connection dropped by a dead agent.</li>
 * </ul>
 * Session TTLs are not enforced: a test ends a session explicitly.
 */
final class FakeConsul implements ConsulApi {

	private final Map<String, Service> services = new LinkedHashMap<>();

	private final Map<String, Session> sessions = new HashMap<>();

	private final Map<String, Entry> keys = new HashMap<>();

	private final Map<String, Long> lockDelays = new HashMap<>();

	private final Map<String, AtomicInteger> calls = new ConcurrentHashMap<>();

	private final List<Registration> registrations = new CopyOnWriteArrayList<>();

	private final List<String> createdSessions = new CopyOnWriteArrayList<>();

	private final List<Long> instanceQueryIndexes = new CopyOnWriteArrayList<>();

	private final AtomicInteger refusedRenewals = new AtomicInteger();

	private long servicesIndex = 1;

	private long kvIndex = 1;

	private boolean unreachable;

	private long passes;

	private long lastPassNanos;

	private boolean failPasses;

	private CountDownLatch sessionGate;

	private CountDownLatch sessionRequested;

	// ConsulApi

	@Override
	public synchronized void register(Registration registration) throws IOException {
		enter("register");
		Service previous = this.services.get(registration.id());
		Service service = new Service(registration.name(),
				new Instance(registration.id(), registration.address(), registration.port(), registration.meta()),
				registration.checkId());
		service.passing = (previous == null) || previous.passing;
		this.services.put(registration.id(), service);
		this.registrations.add(registration);
		servicesChanged();
	}

	@Override
	public synchronized void deregister(String serviceId) throws IOException {
		enter("deregister");
		removeService(serviceId);
	}

	@Override
	public synchronized boolean passCheck(String checkId) throws IOException {
		enter("passCheck");
		if (this.failPasses) {
			throw new IOException("Consul refused to pass check " + checkId + ": 500 internal error");
		}
		Service service = serviceOfCheck(checkId);
		if (service == null) {
			return false;
		}
		if (!service.passing) {
			service.passing = true;
			servicesChanged();
		}
		this.passes++;
		this.lastPassNanos = System.nanoTime();
		return true;
	}

	@Override
	public synchronized Indexed<List<Instance>> passingInstances(String service, long index, Duration wait)
			throws IOException {
		enter("passingInstances");
		this.instanceQueryIndexes.add(index);
		block(() -> this.servicesIndex, index, wait);
		List<Instance> passing = new ArrayList<>();
		for (Service candidate : this.services.values()) {
			if (candidate.name.equals(service) && candidate.passing) {
				passing.add(candidate.instance);
			}
		}
		return new Indexed<>(List.copyOf(passing), this.servicesIndex);
	}

	@Override
	public String createSession(String name, Duration ttl, Duration lockDelay, List<String> checks)
			throws IOException {
		CountDownLatch gate;
		synchronized (this) {
			enter("createSession");
			gate = this.sessionGate;
			if (this.sessionRequested != null) {
				this.sessionRequested.countDown();
			}
		}
		if (gate != null) {
			// the request is on its way: an interrupt does not stop it (nor Apache's blocking client)
			boolean interrupted = false;
			while (true) {
				try {
					gate.await();
					break;
				}
				catch (InterruptedException ex) {
					interrupted = true;
				}
			}
			if (interrupted) {
				Thread.currentThread().interrupt();
			}
		}
		synchronized (this) {
			reachable();
			for (String check : checks) {
				if (check.equals("serfHealth")) {
					continue;
				}
				Service service = serviceOfCheck(check);
				if (service == null) {
					throw new IOException("Consul refused to create a session: 500 Missing check '" + check
							+ "' registration");
				}
				if (!service.passing) {
					throw new IOException("Consul refused to create a session: 500 Check '" + check
							+ "' is in critical state");
				}
			}
			String id = UUID.randomUUID().toString();
			this.sessions.put(id, new Session(name, lockDelay, List.copyOf(checks)));
			this.createdSessions.add(id);
			return id;
		}
	}

	@Override
	public synchronized boolean renewSession(String sessionId) throws IOException {
		enter("renewSession");
		if (this.sessions.containsKey(sessionId)) {
			return true;
		}
		this.refusedRenewals.incrementAndGet();
		return false;
	}

	@Override
	public synchronized void destroySession(String sessionId) throws IOException {
		enter("destroySession");
		invalidate(sessionId);
	}

	@Override
	public synchronized boolean acquire(String key, String sessionId, String value) throws IOException {
		enter("acquire");
		if (!this.sessions.containsKey(sessionId)) {
			throw new IOException("Consul refused to acquire " + key + ": 500 invalid session \"" + sessionId + "\"");
		}
		Entry entry = this.keys.get(key);
		if (entry != null && entry.session != null) {
			if (!entry.session.equals(sessionId)) {
				return false;
			}
			this.keys.put(key, new Entry(value, sessionId, nextKvIndex()));
			return true;
		}
		Long heldBack = this.lockDelays.get(key);
		if (heldBack != null && System.nanoTime() - heldBack < 0) {
			return false;
		}
		this.keys.put(key, new Entry(value, sessionId, nextKvIndex()));
		return true;
	}

	@Override
	public synchronized void release(String key, String sessionId) throws IOException {
		enter("release");
		Entry entry = this.keys.get(key);
		if (entry != null && sessionId.equals(entry.session)) {
			this.keys.put(key, new Entry(entry.value, null, nextKvIndex()));
		}
	}

	@Override
	public synchronized Indexed<Optional<KeyValue>> readKey(String key, long index, Duration wait) throws IOException {
		enter("readKey");
		block(() -> this.kvIndex, index, wait);
		Entry entry = this.keys.get(key);
		Optional<KeyValue> value = (entry != null)
				? Optional.of(new KeyValue(entry.value, entry.session, entry.modifyIndex)) : Optional.empty();
		return new Indexed<>(value, this.kvIndex);
	}

	// what a test does to the agent

	/**
	 * Makes the agent unreachable, or reachable again.
	 * @param unreachable whether every call fails
	 */
	synchronized void unreachable(boolean unreachable) {
		this.unreachable = unreachable;
		notifyAll();
	}

	/**
	 * Makes check passes fail with an error status (the agent answers everything else).
	 * @param fail whether they fail
	 */
	synchronized void failPasses(boolean fail) {
		this.failPasses = fail;
	}

	/**
	 * A check's TTL ran out: it turns critical, and the sessions bound to it are invalidated.
	 * @param checkId the check
	 */
	synchronized void turnCritical(String checkId) {
		Service service = serviceOfCheck(checkId);
		if (service != null && service.passing) {
			service.passing = false;
			servicesChanged();
			invalidateBoundTo(checkId);
		}
	}

	/**
	 * The agent lost its state (restarted without its data): the service and its check are gone.
	 * @param serviceId the service
	 */
	synchronized void forget(String serviceId) {
		removeService(serviceId);
	}

	/**
	 * Puts in an instance as Consul would list it, its check passing.
	 * @param service the service's name
	 * @param instance the instance
	 */
	synchronized void putInstance(String service, Instance instance) {
		Service entry = new Service(service, instance, "service:" + instance.id());
		entry.passing = true;
		this.services.put(instance.id(), entry);
		servicesChanged();
	}

	/**
	 * The services' index goes back, as after an agent lost its Raft state.
	 * @param index the new index
	 */
	synchronized void rewindServicesIndex(long index) {
		this.servicesIndex = index;
		notifyAll();
	}

	/**
	 * Invalidates a session, as Consul does when its TTL runs out.
	 * @param sessionId the session
	 */
	synchronized void invalidateSession(String sessionId) {
		invalidate(sessionId);
	}

	/**
	 * Creates a session for someone else (a process this test does not run).
	 * @return the session's id
	 */
	synchronized String foreignSession() {
		String id = UUID.randomUUID().toString();
		this.sessions.put(id, new Session("foreign", Duration.ZERO, List.of("serfHealth")));
		return id;
	}

	/**
	 * Moves the KV index on, so that the next change of a key gets the index after this one.
	 * @param index the index
	 */
	synchronized void advanceKvIndexTo(long index) {
		this.kvIndex = Math.max(this.kvIndex, index);
	}

	/**
	 * Holds every session creation until the returned gate opens.
	 * @return opens the gate
	 */
	synchronized CountDownLatch holdSessionCreation() {
		this.sessionGate = new CountDownLatch(1);
		this.sessionRequested = new CountDownLatch(1);
		return this.sessionGate;
	}

	/**
	 * Counts down when a session creation held by {@link #holdSessionCreation()} has been asked for.
	 * @return the latch
	 */
	synchronized CountDownLatch sessionRequested() {
		return this.sessionRequested;
	}

	// what a test reads

	synchronized Optional<KeyValue> key(String key) {
		Entry entry = this.keys.get(key);
		return (entry != null) ? Optional.of(new KeyValue(entry.value, entry.session, entry.modifyIndex))
				: Optional.empty();
	}

	synchronized boolean hasService(String serviceId) {
		return this.services.containsKey(serviceId);
	}

	synchronized boolean isPassing(String serviceId) {
		Service service = this.services.get(serviceId);
		return service != null && service.passing;
	}

	synchronized boolean hasSession(String sessionId) {
		return this.sessions.containsKey(sessionId);
	}

	synchronized Set<String> sessions() {
		return new HashSet<>(this.sessions.keySet());
	}

	/** Every registration the agent was sent, in order. */
	List<Registration> registrations() {
		return this.registrations;
	}

	/** Every session created, in order. */
	List<String> createdSessions() {
		return this.createdSessions;
	}

	/** The index of every query of the passing instances, in order. */
	List<Long> instanceQueryIndexes() {
		return this.instanceQueryIndexes;
	}

	/**
	 * The passes the agent took, and when it took the last.
	 * @return how many, and the {@link System#nanoTime()} of the last
	 */
	synchronized long[] passes() {
		return new long[] { this.passes, this.lastPassNanos };
	}

	/** How many renewals were answered "no such session". */
	int refusedRenewals() {
		return this.refusedRenewals.get();
	}

	/**
	 * How many times a call was made, answered or not.
	 * @param method the call's name in {@link ConsulApi}
	 * @return the count
	 */
	int calls(String method) {
		AtomicInteger count = this.calls.get(method);
		return (count != null) ? count.get() : 0;
	}

	// the catalog

	private void enter(String method) throws IOException {
		this.calls.computeIfAbsent(method, (name) -> new AtomicInteger()).incrementAndGet();
		reachable();
	}

	private void reachable() throws IOException {
		if (this.unreachable) {
			throw new IOException("Consul could not be reached: Connection refused");
		}
	}

	private interface Index {

		long current();

	}

	// a blocking query: holds the monitor's waiters until the index changes, the wait passes or the
	// agent goes away
	private void block(Index index, long seen, Duration wait) throws IOException {
		if (seen == 0) {
			return;
		}
		long deadline = System.nanoTime() + wait.toNanos();
		try {
			while (index.current() == seen) {
				long left = deadline - System.nanoTime();
				if (left <= 0) {
					return;
				}
				long millis = Math.max(1, left / 1_000_000);
				wait(millis);
				reachable();
			}
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new InterruptedIOException("interrupted while Consul held the query");
		}
	}

	private Service serviceOfCheck(String checkId) {
		for (Service service : this.services.values()) {
			if (service.checkId.equals(checkId)) {
				return service;
			}
		}
		return null;
	}

	private void removeService(String serviceId) {
		Service removed = this.services.remove(serviceId);
		if (removed != null) {
			servicesChanged();
			invalidateBoundTo(removed.checkId);
		}
	}

	private void invalidateBoundTo(String checkId) {
		List<String> bound = new ArrayList<>();
		this.sessions.forEach((id, session) -> {
			if (session.checks.contains(checkId)) {
				bound.add(id);
			}
		});
		bound.forEach(this::invalidate);
	}

	private void invalidate(String sessionId) {
		Session session = this.sessions.remove(sessionId);
		if (session == null) {
			return;
		}
		for (Map.Entry<String, Entry> held : new ArrayList<>(this.keys.entrySet())) {
			if (sessionId.equals(held.getValue().session)) {
				this.keys.put(held.getKey(), new Entry(held.getValue().value, null, nextKvIndex()));
				if (!session.lockDelay.isZero()) {
					this.lockDelays.put(held.getKey(), System.nanoTime() + session.lockDelay.toNanos());
				}
			}
		}
	}

	private void servicesChanged() {
		this.servicesIndex++;
		notifyAll();
	}

	private long nextKvIndex() {
		this.kvIndex++;
		notifyAll();
		return this.kvIndex;
	}

	/**
	 * Writes a key as anyone could (a value no node wrote, a lock held by a foreign session).
	 * @param key the key
	 * @param value the value
	 * @param sessionId the lock holder, or {@code null}
	 * @return the key's new ModifyIndex
	 */
	synchronized long writeKey(String key, String value, String sessionId) {
		long index = nextKvIndex();
		this.keys.put(key, new Entry(value, sessionId, index));
		return index;
	}

	private static final class Service {

		final String name;

		final Instance instance;

		final String checkId;

		boolean passing;

		Service(String name, Instance instance, String checkId) {
			this.name = name;
			this.instance = instance;
			this.checkId = checkId;
		}

	}

	private record Session(String name, Duration lockDelay, List<String> checks) {
	}

	private record Entry(String value, String session, long modifyIndex) {
	}

}
