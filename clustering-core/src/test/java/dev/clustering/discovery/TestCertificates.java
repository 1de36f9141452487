package dev.clustering.discovery;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.util.Base64;

/**
 * Key pairs and trust stores for the TLS tests' servers and clients: keytool (always there with
 * the JDK) makes each self-signed key pair, for {@code 127.0.0.1} and {@code localhost} (the name a
 * client may see once it has looked the address up), stored as PKCS12 under {@link #PASSWORD}.
 * Test material for loopback servers only.
 */
public final class TestCertificates {

	/** The password of every store written here. */
	public static final String PASSWORD = "changeit";

	private TestCertificates() {
	}

	/**
	 * Writes a new self-signed key pair for 127.0.0.1 and localhost.
	 * @param store the PKCS12 file to write
	 * @param alias the entry's name, also its certificate's common name
	 * @return the store, loaded
	 * @throws IOException if keytool fails
	 */
	public static KeyStore selfSigned(Path store, String alias) throws IOException {
		try {
			Process keytool = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "keytool").toString(),
					"-genkeypair", "-alias", alias, "-keyalg", "EC", "-groupname", "secp256r1", "-dname", "CN=" + alias,
					"-ext", "SAN=ip:127.0.0.1,dns:localhost", "-validity", "2", "-storetype", "PKCS12", "-keystore",
					store.toString(), "-storepass", PASSWORD, "-keypass", PASSWORD)
				.redirectErrorStream(true)
				.start();
			String output = new String(keytool.getInputStream().readAllBytes());
			if (keytool.waitFor() != 0) {
				throw new IOException("keytool failed: " + output);
			}
			KeyStore keys = KeyStore.getInstance("PKCS12");
			try (InputStream in = Files.newInputStream(store)) {
				keys.load(in, PASSWORD.toCharArray());
			}
			return keys;
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new IOException("interrupted", ex);
		}
		catch (GeneralSecurityException ex) {
			throw new IOException(ex);
		}
	}

	/**
	 * Writes a new self-signed key pair for 127.0.0.1 and localhost as PEM files, for servers that
	 * read PEM (etcd, Consul).
	 * @param directory where to write {@code <alias>.p12}, {@code <alias>-cert.pem} and
	 * {@code <alias>-key.pem}
	 * @param alias the key pair's name
	 * @return the certificate's file (the key's is beside it)
	 * @throws IOException if keytool fails or the files cannot be written
	 */
	public static Path selfSignedPem(Path directory, String alias) throws IOException {
		KeyStore keys = selfSigned(directory.resolve(alias + ".p12"), alias);
		Path certificate = directory.resolve(alias + "-cert.pem");
		try {
			Files.writeString(certificate, pem("CERTIFICATE", keys.getCertificate(alias).getEncoded()));
			Files.writeString(directory.resolve(alias + "-key.pem"),
					pem("PRIVATE KEY", keys.getKey(alias, PASSWORD.toCharArray()).getEncoded()));
		}
		catch (GeneralSecurityException ex) {
			throw new IOException(ex);
		}
		return certificate;
	}

	private static String pem(String type, byte[] der) {
		return "-----BEGIN " + type + "-----\n"
				+ Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(der)
				+ "\n-----END " + type + "-----\n";
	}

	/**
	 * Writes a trust store that holds one certificate.
	 * @param store the PKCS12 file to write
	 * @param alias the entry's name
	 * @param certificate the certificate to trust
	 * @throws IOException if it cannot be written
	 */
	public static void trustStore(Path store, String alias, Certificate certificate) throws IOException {
		try (OutputStream out = Files.newOutputStream(store)) {
			KeyStore trust = KeyStore.getInstance("PKCS12");
			trust.load(null, null);
			trust.setCertificateEntry(alias, certificate);
			trust.store(out, PASSWORD.toCharArray());
		}
		catch (GeneralSecurityException ex) {
			throw new IOException(ex);
		}
	}

}
