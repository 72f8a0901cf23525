package dev.sluice.envoy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.linecorp.armeria.client.grpc.GrpcClients;
import dev.sluice.adaptive.ControlLoop;
import dev.sluice.adaptive.SignalCollector;
import dev.sluice.config.ConfigLoader;
import dev.sluice.config.SluiceConfig;
import dev.sluice.core.BucketStore;
import dev.sluice.core.ManualClock;
import io.envoyproxy.envoy.service.ratelimit.v3.RateLimitResponse;
import io.envoyproxy.envoy.service.ratelimit.v3.RateLimitResponse.Code;
import io.envoyproxy.envoy.service.ratelimit.v3.RateLimitResponse.RateLimit.Unit;
import io.envoyproxy.envoy.service.ratelimit.v3.RateLimitServiceGrpc;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code rate_limit.adaptive: true}: a real control loop on a manual clock moves the edge's global
 * rate; the adaptive rule's bucket follows by the same factor, the other rule stays as configured.
 * Over a real loopback gRPC connection.
 */
class AdaptiveRuleTest {

  static final String EDGE = """
      tiers:
        free:
          per-client: { burst: 10, rate: 10/s }
      global: { burst: 200, rate: 100/s }
      adaptive:
        enabled: true
        interval: 1s
        controllers: [static]
        static: { rate: 50/s }
        limits: { min-rate: 10/s, max-rate: 150/s, ramp-down-per-second: 0.5 }
      """;

  static final String LIMITS = """
      domain: shop
      descriptors:
        - key: user
          rate_limit: {unit: minute, requests_per_unit: 60, adaptive: true}
        - key: ip
          rate_limit: {unit: minute, requests_per_unit: 60}
      """;

  @TempDir
  Path dir;

  final ManualClock clock = new ManualClock();
  SluiceConfig config;
  BucketStore edge;
  ControlLoop loop;
  EnvoyRateLimitServer server;
  RateLimitServiceGrpc.RateLimitServiceBlockingStub client;

  @BeforeEach
  void start() throws Exception {
    config = ConfigLoader.parse(EDGE, "edge.yaml");
    edge = BucketStore.local(config.limiterSpec(), clock);
    loop = ControlLoop.create(edge, clock, SignalCollector.create(config.adaptive(), clock.nanoTime()),
        config.adaptive());
    Files.writeString(dir.resolve("shop.yaml"), LIMITS);
    server = EnvoyRateLimitServer.start(dir, 0, clock, Duration.ofMinutes(10));
    server.followEdge(() -> EdgeScale.of(config.limiterSpec(), edge.spec(), config.adaptive()));
    client = GrpcClients.newClient("http://127.0.0.1:" + server.port(),
        RateLimitServiceGrpc.RateLimitServiceBlockingStub.class);
  }

  @AfterEach
  void stop() {
    server.close();
  }

  RateLimitResponse.DescriptorStatus one(String key, String value) {
    return client.shouldRateLimit(RateLimitServiceTest.request(0, RateLimitServiceTest.d(key, value))).getStatuses(0);
  }

  @Test
  void aLoopMoveScalesTheAdaptiveRuleOnly() {
    // As configured: 60/min, one token back per second.
    assertThat(one("user", "u1")).isEqualTo(
        RateLimitServiceTest.limited(Code.OK, 60, Unit.MINUTE, "", 59, Duration.ofSeconds(1)));
    assertThat(server.adaptNow()).as("nothing moved yet").isFalse();

    clock.advance(Duration.ofSeconds(1));
    loop.step();
    assertThat(edge.spec().global().rate().perSecond()).as("the loop halved the edge's rate").isEqualTo(50.0);
    assertThat(server.adaptNow()).isTrue();
    assertThat(server.adaptiveFactor()).isEqualTo(0.5);

    // The adaptive rule refills at half its rate (burst unchanged); the other rule as configured.
    assertThat(one("user", "u2")).isEqualTo(
        RateLimitServiceTest.limited(Code.OK, 30, Unit.MINUTE, "", 59, Duration.ofSeconds(2)));
    assertThat(one("ip", "i1")).isEqualTo(
        RateLimitServiceTest.limited(Code.OK, 60, Unit.MINUTE, "", 59, Duration.ofSeconds(1)));
  }

  @Test
  void aReloadKeepsTheFactorAndTheBoundHolds() throws Exception {
    clock.advance(Duration.ofSeconds(1));
    loop.step();
    server.adaptNow();
    Files.writeString(dir.resolve("shop.yaml"), LIMITS.replace("requests_per_unit: 60, adaptive", "requests_per_unit: 120, adaptive"));
    server.reload();
    assertThat(one("user", "u3")).isEqualTo(
        RateLimitServiceTest.limited(Code.OK, 60, Unit.MINUTE, "", 119, Duration.ofSeconds(1)));

    // A factor past the loop's ceiling (max-rate 150/s over the configured 100/s) is held at 1.5.
    server.followEdge(() -> new EdgeScale(4, 1.5));
    assertThat(server.adaptiveFactor()).isEqualTo(1.5);
    assertThat(one("user", "u4").getCurrentLimit().getRequestsPerUnit()).isEqualTo(180);
    // Adaptation off (or in shadow mode): as configured.
    assertThat(EdgeScale.of(config.limiterSpec(), edge.spec(),
        ConfigLoader.parse(EDGE.replace("enabled: true", "enabled: false"), "off.yaml").adaptive()))
        .isEqualTo(EdgeScale.NONE);
    assertThatThrownBy(() -> new EdgeScale(Double.NaN, 2)).isInstanceOf(IllegalArgumentException.class)
        .hasMessage("factor: NaN (expected: > 0 and finite)");
  }
}
