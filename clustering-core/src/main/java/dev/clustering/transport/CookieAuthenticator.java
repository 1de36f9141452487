package dev.clustering.transport;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import javax.crypto.Mac;
import javax.crypto.SecretKeyFactory;
import javax.crypto.spec.PBEKeySpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * HMAC-SHA256 challenge-response on the shared cookie.
 * <ul>
 * <li>The MAC key is derived from the cookie once, with a deliberately slow key derivation
 * (PBKDF2-HMAC-SHA256, {@value #ITERATIONS} iterations), so that a proof seen on the wire costs an
 * attacker that much work per guess of the cookie.</li>
 * <li>The dialling side proves first: the accepting side, which anyone can reach, sends nothing
 * derived from the cookie until the dialler has proved it knows it.</li>
 * <li>Each proof is a MAC over the exact bytes of both hellos (versions, names, addresses, both
 * fresh nonces), the prover's role and its incarnation, and the acceptor's also over the
 * initiator's proof: a proof can be neither replayed on another connection, reflected back, nor
 * spliced into another exchange.</li>
 * </ul>
 * The cookie itself never leaves the process and is not kept in any string.
 */
public final class CookieAuthenticator {

	/** PBKDF2 iterations: about a third of a second on a small machine, paid once per process. */
	static final int ITERATIONS = 600_000;

	// Used when no cookie is configured; such nodes accept loopback peers only.
	private static final byte[] NO_COOKIE = "clustering/no-cookie".getBytes(StandardCharsets.UTF_8);

	private static final byte[] SALT = "clustering/cookie/v2".getBytes(StandardCharsets.UTF_8);

	// one derivation per cookie per process: nodes of one test or benchmark JVM share it
	private static final Map<String, byte[]> DERIVED = new ConcurrentHashMap<>();

	private final SecretKeySpec key;

	private final boolean cookieConfigured;

	private final SecureRandom random = new SecureRandom();

	/**
	 * Creates an authenticator, deriving the key (slow, once).
	 * @param cookie the shared secret, or {@code null}/empty for none
	 */
	public CookieAuthenticator(char[] cookie) {
		this.cookieConfigured = cookie != null && cookie.length > 0;
		byte[] secret = this.cookieConfigured ? utf8(cookie) : NO_COOKIE.clone();
		byte[] derived = derive(secret);
		this.key = new SecretKeySpec(derived, "HmacSHA256");
		Arrays.fill(secret, (byte) 0);
		Arrays.fill(derived, (byte) 0);
	}

	/**
	 * Whether a real cookie was configured.
	 * @return whether peers are authenticated by a shared secret
	 */
	public boolean isCookieConfigured() {
		return this.cookieConfigured;
	}

	/**
	 * A fresh random nonce.
	 * @return {@link FrameCodec#NONCE_LENGTH} random bytes
	 */
	public byte[] newNonce() {
		byte[] nonce = new byte[FrameCodec.NONCE_LENGTH];
		this.random.nextBytes(nonce);
		return nonce;
	}

	/**
	 * A fresh random incarnation number for a process.
	 * @return a random positive number
	 */
	public long newIncarnation() {
		return this.random.nextLong() & Long.MAX_VALUE;
	}

	/**
	 * The initiator's proof.
	 * @param hello the exact bytes of the initiator's hello
	 * @param challenge the exact bytes of the acceptor's challenge
	 * @param incarnation the initiator's incarnation
	 * @return the MAC
	 */
	public byte[] initiatorProof(byte[] hello, byte[] challenge, long incarnation) {
		return mac("initiator", hello, challenge, incarnation, null);
	}

	/**
	 * The acceptor's proof, bound to the initiator's.
	 * @param hello the exact bytes of the initiator's hello
	 * @param challenge the exact bytes of the acceptor's challenge
	 * @param incarnation the acceptor's incarnation
	 * @param initiatorProof the initiator's proof
	 * @return the MAC
	 */
	public byte[] acceptorProof(byte[] hello, byte[] challenge, long incarnation, byte[] initiatorProof) {
		return mac("acceptor", hello, challenge, incarnation, initiatorProof);
	}

	/**
	 * Compares two proofs in constant time.
	 * @param expected the proof computed here
	 * @param received the proof received
	 * @return whether they match
	 */
	public static boolean matches(byte[] expected, byte[] received) {
		return MessageDigest.isEqual(expected, received);
	}

	private static byte[] derive(byte[] secret) {
		String cacheKey;
		try {
			cacheKey = Arrays.toString(MessageDigest.getInstance("SHA-256").digest(secret));
		}
		catch (GeneralSecurityException ex) {
			throw new IllegalStateException("SHA-256 is not available", ex);
		}
		return DERIVED.computeIfAbsent(cacheKey, (k) -> pbkdf2(secret)).clone();
	}

	private static byte[] pbkdf2(byte[] secret) {
		// PBEKeySpec takes chars; ISO-8859-1 maps each byte to one char, so every byte of the UTF-8
		// cookie counts (PBKDF2 then encodes the chars back as UTF-8 bytes, consistently everywhere)
		char[] chars = new char[secret.length];
		for (int i = 0; i < secret.length; i++) {
			chars[i] = (char) (secret[i] & 0xff);
		}
		PBEKeySpec spec = new PBEKeySpec(chars, SALT, ITERATIONS, 256);
		try {
			return SecretKeyFactory.getInstance("PBKDF2WithHmacSHA256").generateSecret(spec).getEncoded();
		}
		catch (GeneralSecurityException ex) {
			throw new IllegalStateException("PBKDF2WithHmacSHA256 is not available", ex);
		}
		finally {
			spec.clearPassword();
			Arrays.fill(chars, '\0');
		}
	}

	private static byte[] utf8(char[] chars) {
		ByteBuffer encoded = StandardCharsets.UTF_8.encode(CharBuffer.wrap(chars));
		byte[] bytes = new byte[encoded.remaining()];
		encoded.get(bytes);
		if (encoded.hasArray()) {
			Arrays.fill(encoded.array(), (byte) 0);
		}
		return bytes;
	}

	private byte[] mac(String role, byte[] hello, byte[] challenge, long incarnation, byte[] initiatorProof) {
		try {
			Mac mac = Mac.getInstance("HmacSHA256");
			mac.init(this.key);
			mac.update(role.getBytes(StandardCharsets.UTF_8));
			mac.update((byte) 0);
			lengthPrefixed(mac, hello);
			lengthPrefixed(mac, challenge);
			mac.update(ByteBuffer.allocate(8).putLong(incarnation).array());
			if (initiatorProof != null) {
				lengthPrefixed(mac, initiatorProof);
			}
			return mac.doFinal();
		}
		catch (GeneralSecurityException ex) {
			throw new IllegalStateException("HmacSHA256 is not available", ex);
		}
	}

	private static void lengthPrefixed(Mac mac, byte[] bytes) {
		mac.update(ByteBuffer.allocate(4).putInt(bytes.length).array());
		mac.update(bytes);
	}

	@Override
	public String toString() {
		return "CookieAuthenticator[cookie=" + (this.cookieConfigured ? "******" : "none") + "]";
	}

}
