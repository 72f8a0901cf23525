package dev.sluice.envoy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.linecorp.armeria.client.ClientFactory;
import com.linecorp.armeria.client.grpc.GrpcClients;
import dev.sluice.config.ConfigLoader;
import dev.sluice.config.GrpcTlsConfig;
import dev.sluice.core.BucketStore;
import dev.sluice.core.ManualClock;
import dev.sluice.testkit.SelfSignedPem;
import io.envoyproxy.envoy.service.ratelimit.v3.RateLimitResponse.Code;
import io.envoyproxy.envoy.service.ratelimit.v3.RateLimitServiceGrpc;
import io.grpc.StatusRuntimeException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code server.grpc-tls}: the rate-limit service over HTTP/2 with TLS, from a self-signed
 * certificate made in the test ({@link SelfSignedPem}: the JDK's keytool), asked by a
 * gRPC client that trusts that certificate; a cleartext client gets no answer.
 */
class GrpcTlsTest {

  @TempDir
  Path dir;

  /** Makes a self-signed certificate for 127.0.0.1; returns {cert.pem, key.pem}. */
  static Path[] selfSigned(Path dir) {
    SelfSignedPem pem = SelfSignedPem.create(dir);
    return new Path[] {pem.cert(), pem.key()};
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
