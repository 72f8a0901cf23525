package dev.sluice.envoy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.linecorp.armeria.client.ClientFactory;
import com.linecorp.armeria.client.grpc.GrpcClients;
import dev.sluice.config.ConfigLoader;
import dev.sluice.config.GrpcTlsConfig;
import dev.sluice.core.BucketStore;
import dev.sluice.core.ManualClock;
import io.envoyproxy.envoy.service.ratelimit.v3.RateLimitResponse.Code;
import io.envoyproxy.envoy.service.ratelimit.v3.RateLimitServiceGrpc;
import io.grpc.StatusRuntimeException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.time.Duration;
import java.util.Base64;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code server.grpc-tls}: the rate-limit service over HTTP/2 with TLS, from a self-signed
 * certificate made in the test (the JDK's keytool, PEM written from the key store), asked by a
 * gRPC client that trusts that certificate; a cleartext client gets no answer.
 */
class GrpcTlsTest {

  @TempDir
  Path dir;

  /** Makes a self-signed certificate for 127.0.0.1 and localhost; returns {cert.pem, key.pem}. */
  static Path[] selfSigned(Path dir) throws Exception {
    Path store = dir.resolve("tls.p12");
    Process keytool = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "keytool").toString(),
        "-genkeypair", "-keystore", store.toString(), "-storetype", "PKCS12", "-storepass", "changeit",
        "-alias", "sluice", "-keyalg", "EC", "-groupname", "secp256r1", "-validity", "2",
        "-dname", "CN=sluice-test", "-ext", "SAN=ip:127.0.0.1,dns:localhost")
        .redirectErrorStream(true).start();
    String output = new String(keytool.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(keytool.waitFor(60, TimeUnit.SECONDS)).as("keytool finished").isTrue();
    assertThat(keytool.exitValue()).as("keytool: " + output).isZero();
    KeyStore ks = KeyStore.getInstance("PKCS12");
    try (InputStream in = Files.newInputStream(store)) {
      ks.load(in, "changeit".toCharArray());
    }
    PrivateKey key = (PrivateKey) ks.getKey("sluice", "changeit".toCharArray());
    Certificate cert = ks.getCertificate("sluice");
    Base64.Encoder pem = Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII));
    Path certFile = Files.writeString(dir.resolve("cert.pem"), "-----BEGIN CERTIFICATE-----\n"
        + pem.encodeToString(cert.getEncoded()) + "\n-----END CERTIFICATE-----\n");
    Path keyFile = Files.writeString(dir.resolve("key.pem"), "-----BEGIN PRIVATE KEY-----\n"
        + pem.encodeToString(key.getEncoded()) + "\n-----END PRIVATE KEY-----\n");
    return new Path[] {certFile, keyFile};
  }

  @Test
  void aClientTrustingTheCertificateIsAnswered() throws Exception {
    Path[] pem = selfSigned(dir);
    // Read as a config file would have it: server.grpc-tls {cert, key}.
    GrpcTlsConfig tls = ConfigLoader.parse("""
        server:
          grpc-tls: { cert: "%s", key: "%s" }
        tiers:
          t:
            per-client: {burst: 1, rate: 1/s}
        """.formatted(pem[0], pem[1]), "tls.yaml").server().grpcTls();
    Path limits = Files.createDirectory(dir.resolve("limits"));
    Files.writeString(limits.resolve("shop.yaml"), EnvoyConfigReaderTest.SHOP);
    ManualClock clock = new ManualClock();
    try (EnvoyRateLimitServer server = EnvoyRateLimitServer.start(limits, "127.0.0.1", 0, Duration.ofMinutes(1),
            spec -> BucketStore.local(spec, clock), tls);
        ClientFactory trusting = ClientFactory.builder().tlsCustomizer(b -> b.trustManager(pem[0].toFile())).build()) {
      var client = GrpcClients.builder("https://127.0.0.1:" + server.port()).factory(trusting)
          .build(RateLimitServiceGrpc.RateLimitServiceBlockingStub.class);
      assertThat(client.shouldRateLimit(RateLimitServiceTest.request(0, RateLimitServiceTest.d("tenant", "t1"))))
          .isEqualTo(RateLimitServiceTest.response(Code.OK, RateLimitServiceTest.limited(Code.OK, 60,
              io.envoyproxy.envoy.service.ratelimit.v3.RateLimitResponse.RateLimit.Unit.MINUTE, "", 59,
              Duration.ofSeconds(1))));
      // A short response timeout: a cleartext client gets no gRPC answer from a TLS port.
      var cleartext = GrpcClients.builder("http://127.0.0.1:" + server.port()).responseTimeoutMillis(2_000)
          .build(RateLimitServiceGrpc.RateLimitServiceBlockingStub.class);
      assertThatThrownBy(() -> cleartext.shouldRateLimit(
          RateLimitServiceTest.request(0, RateLimitServiceTest.d("tenant", "t1"))))
          .isInstanceOf(StatusRuntimeException.class);
    }
  }

  @Test
  void aKeyThatDoesNotLoadIsAClearError() throws Exception {
    Path[] pem = selfSigned(dir);
    Path limits = Files.createDirectory(dir.resolve("limits"));
    Files.writeString(limits.resolve("shop.yaml"), EnvoyConfigReaderTest.SHOP);
    Path badKey = Files.writeString(dir.resolve("bad.pem"),
        "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n");
    ManualClock clock = new ManualClock();
    assertThatThrownBy(() -> EnvoyRateLimitServer.start(limits, "127.0.0.1", 0, Duration.ofMinutes(1),
        spec -> BucketStore.local(spec, clock), new GrpcTlsConfig(pem[0], badKey)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("server.grpc-tls: " + pem[0] + ", " + badKey + ": cannot load the certificate and key");
  }
}
