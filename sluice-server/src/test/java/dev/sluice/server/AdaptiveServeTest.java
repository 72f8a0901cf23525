package dev.sluice.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.adaptive.ControlLoop;
import dev.sluice.core.Clock;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The control loop inside {@code sluice serve}, over real sockets: a real upstream answering
 * slowly (a scheduled delay) drives latency AIMD down, which lowers the applied global refill rate;
 * in shadow mode only the proposed rate moves. Intervals are 100 ms so a test takes a second or two.
 */
@Timeout(60)
class AdaptiveServeTest {

  private static final String GLOBAL = "sluice_refill_rate";

  static String config(String upstream, boolean enabled, boolean shadow) {
    return """
        upstream: { url: "%s" }
        tiers:
          free:
            per-client: { burst: 100000, rate: 100000/s }
        global: { burst: 400, rate: 200/s }
        adaptive:
          enabled: %s
          shadow: %s
          interval: 100ms
          controllers: [latency-aimd]
          latency-aimd: { period: 100ms, low: 10ms, high: 30ms, decrease: 0.7, min-rate: 20/s, max-rate: 400/s }
          limits: { min-rate: 20/s, max-rate: 400/s }
        """.formatted(upstream, enabled, shadow);
  }

  @Test
  void slowUpstreamLowersTheAppliedRefillRate() {
    try (TestUpstream upstream = new TestUpstream();
        Harness sluice = Harness.start(config(upstream.url(), true, false), Clock.system());
        Traffic traffic = new Traffic(sluice, "/delay/80")) {
      Harness.await(Duration.ofSeconds(20), "the global refill rate to fall below 150/s",
          () -> metric(sluice, GLOBAL, "tier", "_global", "level", "global") < 150);
      // The server records an upstream latency before the client thread counts the answer: wait for it.
      Harness.await(Duration.ofSeconds(20), "a client to count an answer", () -> traffic.answered() > 0);
      assertThat(sluice.server.store().spec().global().rate().perSecond()).isLessThan(200.0);
      // A step with too few samples abstains and reports NaN for its proposal, so the proposals are
      // read from one scrape in which both controllers proposed (a condition, not a moment in time).
      Harness.await(Duration.ofSeconds(20), "both proposals below 200/s in one scrape", () -> {
        PrometheusText m = PrometheusText.parse(sluice.adminGet("/metrics").body());
        return m.value("sluice_controller_proposed_rate", "controller", "latency-aimd", "tier", "global") < 200
            && m.value("sluice_controller_proposed_rate", "controller", "composed", "tier", "global") < 200;
      });
      // No capacity controller among [latency-aimd]: its concurrency limit is exported as NaN.
      assertThat(sluice.adminGet("/metrics").body()).contains("sluice_controller_concurrency_limit NaN");
    }
  }

  @Test
  void shadowModeMovesTheProposedRateButNotTheAppliedOne() {
    try (TestUpstream upstream = new TestUpstream();
        Harness sluice = Harness.start(config(upstream.url(), true, true), Clock.system());
        Traffic traffic = new Traffic(sluice, "/delay/80")) {
      Harness.await(Duration.ofSeconds(20), "the composed proposal to fall below 150/s",
          () -> metric(sluice, "sluice_controller_proposed_rate", "controller", "composed", "tier", "global") < 150);
      // The server records an upstream latency before the client thread counts the answer: wait for it.
      Harness.await(Duration.ofSeconds(20), "a client to count an answer", () -> traffic.answered() > 0);
      assertThat(metric(sluice, GLOBAL, "tier", "_global", "level", "global")).isEqualTo(200.0);
      assertThat(sluice.server.store().spec().global().rate().perSecond()).isEqualTo(200.0);
    }
  }

  @Test
  void reloadRebuildsTheLoopWithTheNewSettings() {
    try (TestUpstream upstream = new TestUpstream();
        Harness sluice = Harness.start(config(upstream.url(), true, false), Clock.system());
        Traffic traffic = new Traffic(sluice, "/delay/80")) {
      ControlLoop first = sluice.server.controlLoop();
      assertThat(first).isNotNull();
      Harness.await(Duration.ofSeconds(20), "the global refill rate to fall",
          () -> sluice.server.store().spec().global().rate().perSecond() < 150);

      // The server records an upstream latency before the client thread counts the answer: wait for it.
      Harness.await(Duration.ofSeconds(20), "a client to count an answer", () -> traffic.answered() > 0);
      assertThat(sluice.putConfig(Harness.withServer(config(upstream.url(), false, false))).statusCode())
          .isEqualTo(200);
      assertThat(sluice.server.controlLoop()).isNull();
      assertThat(sluice.server.store().spec().global().rate().perSecond()).isEqualTo(200.0);
      assertThat(sluice.adminGet("/metrics").body()).doesNotContain("sluice_controller_proposed_rate{")
          .doesNotContain("sluice_controller_concurrency_limit");

      assertThat(sluice.putConfig(Harness.withServer(config(upstream.url(), true, true))).statusCode())
          .isEqualTo(200);
      ControlLoop shadow = sluice.server.controlLoop();
      assertThat(shadow).isNotNull().isNotSameAs(first);
      Harness.await(Duration.ofSeconds(20), "the shadow loop to propose a lower rate",
          () -> shadow.lastStep() != null && shadow.lastStep().composedRate() < 150);
      assertThat(sluice.server.store().spec().global().rate().perSecond()).isEqualTo(200.0);
    }
  }

  /**
   * With a Redis store the loop moves the limits the store enforces (no local limiter beside it)
   * and reads the aggregate bucket's tokens from Redis for its signals.
   */
  @Test
  void withRedisTheLoopMovesAndReadsTheRedisStore() {
    try (dev.sluice.testkit.RedisProcess redis = dev.sluice.testkit.RedisProcess.start();
        TestUpstream upstream = new TestUpstream();
        Harness sluice = Harness.start(config(upstream.url(), true, false) + """
            store:
              type: redis
              redis: { uri: "%s", namespace: adaptive-test }
              timeout: 2s
              leasing: { enabled: false }
            """.formatted(redis.uri()), Clock.system());
        Traffic traffic = new Traffic(sluice, "/delay/80")) {
      assertThat(sluice.server.store().mode()).isEqualTo("redis");
      Harness.await(Duration.ofSeconds(20), "the global rate Redis enforces to fall below 150/s",
          () -> sluice.server.store().spec().global().rate().perSecond() < 150);
      ControlLoop loop = sluice.server.controlLoop();
      assertThat(loop.lastStep().signals().tierTokens()).as("tokens read from Redis").containsKey("global");
      assertThat(metric(sluice, GLOBAL, "tier", "_global", "level", "global")).isLessThan(150.0);
      Harness.await(Duration.ofSeconds(20), "a client to count an answer", () -> traffic.answered() > 0);
    }
  }

  private static double metric(Harness sluice, String name, String... labels) {
    Double v = PrometheusText.parse(sluice.adminGet("/metrics").body()).value(name, labels);
    return v == null || v.isNaN() ? Double.POSITIVE_INFINITY : v;
  }

  /** Four clients sending requests one after another until closed. */
  private static final class Traffic implements AutoCloseable {
    private final AtomicBoolean stop = new AtomicBoolean();
    private final AtomicInteger answered = new AtomicInteger();
    private final List<Thread> threads = new ArrayList<>();

    Traffic(Harness sluice, String path) {
      HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
      for (int t = 0; t < 4; t++) {
        String client = "client-" + t;
        threads.add(Thread.ofPlatform().daemon().start(() -> {
          while (!stop.get()) {
            try {
              http.send(HttpRequest.newBuilder(URI.create(sluice.edge(path))).header("X-Client-ID", client)
                  .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.discarding());
              answered.incrementAndGet();
            } catch (IOException e) {
              if (stop.get()) {
                return;
              }
            } catch (InterruptedException e) {
              return;
            }
          }
        }));
      }
    }

    /** Returns how many requests were answered so far. */
    int answered() {
      return answered.get();
    }

    @Override
    public void close() {
      stop.set(true);
      for (Thread t : threads) {
        try {
          t.join(Duration.ofSeconds(10));
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return;
        }
      }
    }
  }
}
