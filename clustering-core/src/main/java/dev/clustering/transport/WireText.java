package dev.clustering.transport;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.regex.Pattern;

import io.netty.util.NetUtil;

/**
 * The one grammar for what a peer may send as text: node names, hosts, and other strings. Checked
 * when a frame is decoded, so nothing a peer sends can forge a log line or grow past a limit.
 * <ul>
 * <li>A node name is {@code part@host}: the part is 1 to 64 of {@code A-Z a-z 0-9 . _ -}, starting
 * with a letter, digit or underscore; the host an IPv4 literal, an IPv6 literal in brackets, or a
 * DNS name (labels of letters, digits and hyphens, at most 253 characters).</li>
 * <li>Every other string is strict UTF-8 (malformed bytes are an error, never replaced) without
 * control characters, at most {@link #MAX_STRING_BYTES} bytes.</li>
 * </ul>
 */
public final class WireText {

	/** Longest string on the wire, in UTF-8 bytes (the same limit when encoding and decoding). */
	public static final int MAX_STRING_BYTES = 4096;

	/** Longest name part. */
	public static final int MAX_NAME_PART = 64;

	private static final Pattern NAME_PART = Pattern.compile("[A-Za-z0-9_][A-Za-z0-9._-]{0,63}");

	private static final Pattern DNS_NAME = Pattern
		.compile("(?=.{1,253}$)[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?(\\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*\\.?");

	private static final Pattern DIGITS_AND_DOTS = Pattern.compile("[0-9.]+");

	private WireText() {
	}

	/**
	 * Whether a text is a valid name part (the part of a node name before {@code @}).
	 * @param part the text
	 * @return whether it follows the grammar
	 */
	public static boolean isNamePart(String part) {
		return part != null && NAME_PART.matcher(part).matches();
	}

	/**
	 * Whether a text is a valid full node name, {@code part@host}.
	 * @param name the text
	 * @return whether it follows the grammar
	 */
	public static boolean isNodeName(String name) {
		if (name == null) {
			return false;
		}
		int at = name.indexOf('@');
		if (at <= 0 || at != name.lastIndexOf('@')) {
			return false;
		}
		String host = name.substring(at + 1);
		if (host.startsWith("[") && host.endsWith("]")) {
			return isNamePart(name.substring(0, at)) && NetUtil.isValidIpV6Address(host.substring(1, host.length() - 1));
		}
		return isNamePart(name.substring(0, at)) && isHost(host) && host.indexOf(':') < 0;
	}

	/**
	 * Whether a text is a valid host: an IP literal (IPv6 without brackets) or a DNS name. Decided
	 * without any look-up.
	 * @param host the text
	 * @return whether it is a host
	 */
	public static boolean isHost(String host) {
		if (host == null || host.isEmpty()) {
			return false;
		}
		if (host.indexOf(':') >= 0) {
			return NetUtil.isValidIpV6Address(host);
		}
		if (DIGITS_AND_DOTS.matcher(host).matches()) {
			// looks like an IPv4 literal: it must be one, never a name to look up (999.1.2.3)
			return NetUtil.isValidIpV4Address(host);
		}
		return DNS_NAME.matcher(host).matches();
	}

	/**
	 * Decodes strict UTF-8 and checks for control characters.
	 * @param bytes the bytes
	 * @return the text
	 * @throws IllegalArgumentException if the bytes are not valid UTF-8, or hold a control character
	 */
	public static String decode(byte[] bytes) {
		if (bytes.length > MAX_STRING_BYTES) {
			throw new IllegalArgumentException("string longer than " + MAX_STRING_BYTES + " bytes");
		}
		CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
			.onMalformedInput(CodingErrorAction.REPORT)
			.onUnmappableCharacter(CodingErrorAction.REPORT);
		String text;
		try {
			CharBuffer chars = decoder.decode(ByteBuffer.wrap(bytes));
			text = chars.toString();
		}
		catch (CharacterCodingException ex) {
			throw new IllegalArgumentException("string is not valid UTF-8");
		}
		checkNoControl(text);
		return text;
	}

	/**
	 * Encodes a string for the wire.
	 * @param text the string
	 * @return its UTF-8 bytes
	 * @throws IllegalArgumentException if it is longer than the limit or holds a control character
	 */
	public static byte[] encode(String text) {
		checkNoControl(text);
		byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
		if (bytes.length > MAX_STRING_BYTES) {
			throw new IllegalArgumentException("string longer than " + MAX_STRING_BYTES + " bytes");
		}
		return bytes;
	}

	/**
	 * A text made safe for one log line: control characters escaped, length capped. For values that
	 * did not come through the decoder (socket descriptions, exception messages).
	 * @param text any text
	 * @return the text with {@code \n}, {@code \r}, and other control characters escaped
	 */
	public static String forLog(Object text) {
		String value = String.valueOf(text);
		StringBuilder safe = new StringBuilder(Math.min(value.length(), 512));
		for (int i = 0; i < value.length() && safe.length() < 512; i++) {
			char c = value.charAt(i);
			if (isControl(c)) {
				safe.append(String.format("\\u%04x", (int) c));
			}
			else {
				safe.append(c);
			}
		}
		return safe.toString();
	}

	private static void checkNoControl(String text) {
		for (int i = 0; i < text.length(); i++) {
			if (isControl(text.charAt(i))) {
				throw new IllegalArgumentException("string holds a control character");
			}
		}
	}

	private static boolean isControl(char c) {
		// C0, DEL, C1, and the Unicode line and paragraph separators, which some log viewers break on
		return c < 0x20 || (c >= 0x7f && c <= 0x9f) || c == '\u2028' || c == '\u2029';
	}

}
