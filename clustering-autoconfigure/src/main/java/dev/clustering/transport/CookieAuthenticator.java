package dev.clustering.transport;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * HMAC-SHA256 challenge-response on the shared cookie. Each side sends a fresh nonce; each proves
 * it knows the cookie by a MAC over both nonces, both names and its role, so a proof can be
 * neither replayed on another connection nor reflected back. The cookie itself never leaves the
 * process and is not kept in any string.
 */
public final class CookieAuthenticator {

	// Used when no cookie is configured; such nodes accept loopback peers only.
	private static final byte[] NO_COOKIE = "clustering/no-cookie".getBytes(StandardCharsets.UTF_8);

	private final SecretKeySpec key;

	private final boolean cookieConfigured;

	private final SecureRandom random = new SecureRandom();

	/**
	 * Creates an authenticator.
	 * @param cookie the shared secret, or {@code null}/empty for none
	 */
	public CookieAuthenticator(char[] cookie) {
		this.cookieConfigured = cookie != null && cookie.length > 0;
		byte[] secret = this.cookieConfigured ? utf8(cookie) : NO_COOKIE.clone();
		this.key = new SecretKeySpec(secret, "HmacSHA256");
		java.util.Arrays.fill(secret, (byte) 0);
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
	 * The acceptor's proof.
	 * @param initiatorNonce the initiator's nonce
	 * @param acceptorNonce the acceptor's nonce
	 * @param initiator the initiator's node name
	 * @param acceptor the acceptor's node name
	 * @return the MAC
	 */
	public byte[] acceptorProof(byte[] initiatorNonce, byte[] acceptorNonce, String initiator, String acceptor) {
		return mac("acceptor", initiatorNonce, acceptorNonce, initiator, acceptor);
	}

	/**
	 * The initiator's proof.
	 * @param initiatorNonce the initiator's nonce
	 * @param acceptorNonce the acceptor's nonce
	 * @param initiator the initiator's node name
	 * @param acceptor the acceptor's node name
	 * @return the MAC
	 */
	public byte[] initiatorProof(byte[] initiatorNonce, byte[] acceptorNonce, String initiator, String acceptor) {
		return mac("initiator", initiatorNonce, acceptorNonce, initiator, acceptor);
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

	private static byte[] utf8(char[] chars) {
		java.nio.ByteBuffer encoded = StandardCharsets.UTF_8.encode(java.nio.CharBuffer.wrap(chars));
		byte[] bytes = new byte[encoded.remaining()];
		encoded.get(bytes);
		if (encoded.hasArray()) {
			java.util.Arrays.fill(encoded.array(), (byte) 0);
		}
		return bytes;
	}

	private byte[] mac(String role, byte[] initiatorNonce, byte[] acceptorNonce, String initiator, String acceptor) {
		try {
			Mac mac = Mac.getInstance("HmacSHA256");
			mac.init(this.key);
			mac.update(role.getBytes(StandardCharsets.UTF_8));
			mac.update((byte) 0);
			mac.update(initiatorNonce);
			mac.update(acceptorNonce);
			mac.update(initiator.getBytes(StandardCharsets.UTF_8));
			mac.update((byte) 0);
			mac.update(acceptor.getBytes(StandardCharsets.UTF_8));
			return mac.doFinal();
		}
		catch (GeneralSecurityException ex) {
			throw new IllegalStateException("HmacSHA256 is not available", ex);
		}
	}

	@Override
	public String toString() {
		return "CookieAuthenticator[cookie=" + (this.cookieConfigured ? "******" : "none") + "]";
	}

}
