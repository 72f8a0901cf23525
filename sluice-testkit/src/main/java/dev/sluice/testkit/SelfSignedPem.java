package dev.sluice.testkit;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.util.Base64;
import java.util.concurrent.TimeUnit;

/**
 * A self-signed certificate for {@code 127.0.0.1} and {@code localhost} as PEM files, for tests of
 * TLS ports: made by the JDK's own {@code keytool} (an EC P-256 key, valid two days), then written
 * from its PKCS#12 store as a PEM certificate and an unencrypted PKCS#8 PEM key. Immutable.
 *
 * @param cert the PEM certificate, which a client trusts to reach the server
 * @param key the PEM private key
 */
public record SelfSignedPem(Path cert, Path key) {

  private static final char[] PASSWORD = "changeit".toCharArray();

  /** Makes a new certificate and key in {@code dir} ({@code cert.pem}, {@code key.pem}). */
  public static SelfSignedPem create(Path dir) {
    try {
      Path store = dir.resolve("tls.p12");
      Process keytool = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "keytool").toString(),
          "-genkeypair", "-keystore", store.toString(), "-storetype", "PKCS12", "-storepass", new String(PASSWORD),
          "-alias", "sluice", "-keyalg", "EC", "-groupname", "secp256r1", "-validity", "2",
          "-dname", "CN=sluice-test", "-ext", "SAN=ip:127.0.0.1,dns:localhost")
          .redirectErrorStream(true).start();
      String output = new String(keytool.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (!keytool.waitFor(60, TimeUnit.SECONDS) || keytool.exitValue() != 0) {
        keytool.destroyForcibly();
        throw new IllegalStateException("keytool -genkeypair failed: " + output);
      }
      KeyStore ks = KeyStore.getInstance("PKCS12");
      try (InputStream in = Files.newInputStream(store)) {
        ks.load(in, PASSWORD);
      }
      PrivateKey key = (PrivateKey) ks.getKey("sluice", PASSWORD);
      Base64.Encoder pem = Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII));
      Path certFile = Files.writeString(dir.resolve("cert.pem"), "-----BEGIN CERTIFICATE-----\n"
          + pem.encodeToString(ks.getCertificate("sluice").getEncoded()) + "\n-----END CERTIFICATE-----\n");
      Path keyFile = Files.writeString(dir.resolve("key.pem"), "-----BEGIN PRIVATE KEY-----\n"
          + pem.encodeToString(key.getEncoded()) + "\n-----END PRIVATE KEY-----\n");
      return new SelfSignedPem(certFile, keyFile);
    } catch (IOException e) {
      throw new UncheckedIOException("making a self-signed certificate in " + dir, e);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("reading the key store keytool wrote", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while keytool ran", e);
    }
  }
}
