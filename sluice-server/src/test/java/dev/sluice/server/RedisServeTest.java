package dev.sluice.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.core.Clock;
import dev.sluice.redis.StoreStats;
import dev.sluice.testkit.RedisProcess;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Two {@code sluice serve} nodes sharing buckets through one real Redis ({@link RedisProcess};
 * a missing redis-server fails the test, it is never skipped): a concurrent burst spread over both
 * nodes, through the decision API and the proxy, admits no more than the one shared limit allows.
 */
@Timeout(60)
class RedisServeTest {

  private static final long BURST = 40;
  private static final double RATE = 2;
  private static final double OVER_ADMISSION = 0.01;
  private static final double LEASE_PERIOD_SECONDS = 1;

  static String config(String upstream, String redis) {
    return """
        upstream: { url: "%s" }
        tiers:
          free:
            per-client: { burst: %d, rate: %s/s }
        store:
          type: redis
          redis: { uri: "%s", namespace: serve-test }
          timeout: 2s
          failure-mode: fail-closed
          leasing: { enabled: true, period: 1s, over-admission: %s, min-lease: 8 }
          heartbeat: 200ms
        """.formatted(upstream, BURST, (long) RATE, redis, OVER_ADMISSION);
  }

  @Test
  void burstAcrossTwoNodesStaysWithinTheSharedLimit() throws Exception {
    try (RedisProcess redis = RedisProcess.start();
        TestUpstream upstream = new TestUpstream();
        Harness a = Harness.start(config(upstream.url(), redis.uri()), Clock.system());
        Harness b = Harness.start(config(upstream.url(), redis.uri()), Clock.system())) {
      AtomicInteger admitted = new AtomicInteger();
      AtomicInteger denied = new AtomicInteger();
      List<String> unexpected = java.util.Collections.synchronizedList(new ArrayList<>());
      Clock clock = Clock.system();
      long start = clock.nanoTime();
      ExecutorService pool = Executors.newFixedThreadPool(8);
      try {
        List<Future<?>> done = new ArrayList<>();
        for (int t = 0; t < 8; t++) {
          Harness node = t % 2 == 0 ? a : b;
          boolean proxy = t % 4 < 2;
          done.add(pool.submit(() -> {
            for (int i = 0; i < 25; i++) {
              HttpResponse<String> r = proxy
                  ? node.send(HttpRequest.newBuilder(URI.create(node.edge("/echo/x"))).header("X-Client-ID", "alice"))
                  : node.post(node.edge("/v1/decisions"), "{\"key\":\"alice\"}");
              boolean allowed = proxy ? r.statusCode() == 200 : r.statusCode() == 200 && r.body().contains("\"allowed\":true");
              boolean refused = proxy ? r.statusCode() == 429 : r.statusCode() == 200 && r.body().contains("\"allowed\":false");
              if (allowed) {
                admitted.incrementAndGet();
              } else if (refused) {
                denied.incrementAndGet();
              } else {
                unexpected.add(r.statusCode() + " " + r.body());
              }
            }
          }));
        }
        for (Future<?> f : done) {
          f.get(50, TimeUnit.SECONDS);
        }
      } finally {
        pool.shutdownNow();
      }
      double seconds = (clock.nanoTime() - start) / 1e9;
      double leaseSlack = Math.ceil(OVER_ADMISSION * (BURST + RATE * LEASE_PERIOD_SECONDS));
      assertThat(unexpected).isEmpty();
      assertThat(admitted.get() + denied.get()).isEqualTo(200);
      assertThat((double) admitted.get())
          .as("admitted in %.2f s across two nodes", seconds)
          .isLessThanOrEqualTo(BURST + RATE * seconds + leaseSlack)
          .isGreaterThanOrEqualTo(BURST);
      for (Harness node : List.of(a, b)) {
        StoreStats stats = ((dev.sluice.redis.RedisBucketStore) node.server.store()).stats();
        assertThat(stats.mode()).isEqualTo("redis");
        assertThat(stats.fallbackDecisions()).isZero();
        PrometheusText m = PrometheusText.parse(node.adminGet("/metrics").body());
        assertThat(m.value("sluice_store_mode", "mode", "redis", "store", "edge")).isEqualTo(1.0);
        assertThat(m.value("sluice_store_mode", "mode", "fail-closed", "store", "edge")).isEqualTo(0.0);
        assertThat(m.value("sluice_store_errors_total", "store", "edge")).isEqualTo((double) stats.errors());
        HttpResponse<String> bucket = node.adminGet("/admin/buckets/alice");
        assertThat(bucket.statusCode()).isEqualTo(200);
        assertThat(Harness.json(bucket).get("levels").get(0).get("tokens").asLong())
            .as("tokens in the shared bucket, read from Redis").isLessThan(BURST);
      }
    }
  }

  /**
   * The bucket gauges of a Redis-mode node read Redis: what another node spent shows on this
   * node's {@code sluice_bucket_tokens}, although this node decided nothing (a local limiter beside
   * the store would report full buckets).
   */
  @Test
  void bucketGaugesReportWhatRedisHoldsOnEveryNode() throws Exception {
    String config = """
        tiers:
          free:
            per-client: { burst: 1000, rate: 1/m }
            aggregate: { burst: 500, rate: 1/m }
        global: { burst: 100, rate: 1/m }
        store:
          type: redis
          redis: { uri: "%s", namespace: gauge-test }
          timeout: 2s
          failure-mode: fail-closed
          leasing: { enabled: false }
        """;
    try (RedisProcess redis = RedisProcess.start();
        Harness a = Harness.start(config.formatted(redis.uri()), Clock.system());
        Harness b = Harness.start(config.formatted(redis.uri()), Clock.system())) {
      PrometheusText idle = PrometheusText.parse(b.adminGet("/metrics").body());
      assertThat(idle.value("sluice_bucket_tokens", "tier", "_global", "level", "global")).isEqualTo(100.0);
      for (int i = 0; i < 30; i++) {
        HttpResponse<String> r = a.post(a.edge("/v1/decisions"), "{\"key\":\"k" + i + "\"}");
        assertThat(r.body()).contains("\"allowed\":true");
      }
      PrometheusText m = PrometheusText.parse(b.adminGet("/metrics").body());
      // Refill is one token a minute, so at most one came back while the test ran.
      assertThat(m.value("sluice_bucket_tokens", "tier", "_global", "level", "global")).isBetween(70.0, 71.0);
      assertThat(m.value("sluice_bucket_tokens", "tier", "free", "level", "tier")).isBetween(470.0, 471.0);
      assertThat(m.value("sluice_refill_rate", "tier", "_global", "level", "global")).isCloseTo(1 / 60.0,
          org.assertj.core.api.Assertions.within(1e-9));
      redis.kill();
      PrometheusText down = PrometheusText.parse(b.adminGet("/metrics").body());
      assertThat(down.value("sluice_bucket_tokens", "tier", "_global", "level", "global"))
          .as("tokens are unknown while Redis does not answer").isNaN();
    }
  }
}
