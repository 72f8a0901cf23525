package dev.sluice.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.core.Clock;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * The edge as a bound on concurrency, end to end over real sockets: Sluice (the server {@code
 * sluice serve} runs) in front of an upstream with a fixed pool of workers that counts the requests
 * it sees at once. With a concurrency level of N, a burst of more clients than N never puts more
 * than N requests on the upstream; after the pool halves and a reload lowers the level to N/2, the
 * upstream never sees more than N/2 once the requests above it have finished. Conditions are
 * awaited with deadlines; no assertion depends on timing.
 */
class ConcurrencyLevelServeTest {

  static final int N = 8;
  static final Duration WAIT = Duration.ofSeconds(30);

  static String config(String upstream, int level) {
    return """
        upstream: { url: "%s", timeout: 10s }
        global:
          concurrency: %d
        tiers:
          api:
            per-client: { burst: 100000, rate: 100000/s }
        """.formatted(upstream, level);
  }

  static HttpRequest get(Harness sluice, int client) {
    return HttpRequest.newBuilder(URI.create(sluice.edge("/work"))).header("X-Client-ID", "c" + client)
        .timeout(WAIT).build();
  }

  /**
   * Sends one request from each of {@code clients} at once while the upstream holds every
   * response: exactly {@code level} reach it, all others get 429 {@code in-flight}; then lets the
   * upstream answer and checks the admitted ones get 200.
   */
  static void burstAgainstAHeldUpstream(Harness sluice, PoolUpstream upstream, int clients, int level)
      throws Exception {
    upstream.hold();
    List<CompletableFuture<HttpResponse<String>>> sent = new ArrayList<>();
    for (int i = 0; i < clients; i++) {
      sent.add(sluice.http.sendAsync(get(sluice, i), HttpResponse.BodyHandlers.ofString()));
    }
    Harness.await(WAIT, level + " requests on the upstream and the other " + (clients - level) + " refused",
        () -> upstream.seen() == level && sent.stream().filter(f -> f.isDone() && f.join().statusCode() == 429)
            .count() == clients - level);
    assertThat(upstream.maxSeen()).isEqualTo(level);
    for (CompletableFuture<HttpResponse<String>> f : sent) {
      if (f.isDone()) {
        assertThat(f.join().body()).contains("urn:sluice:problem:in-flight");
      }
    }
    upstream.release();
    int ok = 0;
    for (CompletableFuture<HttpResponse<String>> f : sent) {
      if (f.get(WAIT.toSeconds(), TimeUnit.SECONDS).statusCode() == 200) {
        ok++;
      }
    }
    assertThat(ok).isEqualTo(level);
  }

  /**
   * {@code clients} clients each get {@code each} requests through, retrying every 429 at once,
   * while the upstream works on each for a moment; returns how many 429s they met.
   */
  static int sustainedBurst(Harness sluice, int clients, int each) throws Exception {
    AtomicInteger refused = new AtomicInteger();
    ExecutorService pool = Executors.newFixedThreadPool(clients);
    try {
      List<Future<?>> done = new ArrayList<>();
      for (int c = 0; c < clients; c++) {
        int client = c;
        done.add(pool.submit(() -> {
          for (int ok = 0; ok < each; ) {
            int status = sluice.http.send(get(sluice, client), HttpResponse.BodyHandlers.ofString()).statusCode();
            if (status == 200) {
              ok++;
            } else {
              assertThat(status).isEqualTo(429);
              refused.incrementAndGet();
            }
          }
          return null;
        }));
      }
      for (Future<?> f : done) {
        f.get(WAIT.toSeconds(), TimeUnit.SECONDS);
      }
    } finally {
      pool.shutdownNow();
    }
    return refused.get();
  }

  @Test
  void theUpstreamNeverSeesMoreThanTheLevelAndFollowsItWhenThePoolHalves() throws Exception {
    try (PoolUpstream upstream = new PoolUpstream(N);
        Harness sluice = Harness.start(config(upstream.url(), N), Clock.system())) {
      // A burst of 3N clients against N workers.
      burstAgainstAHeldUpstream(sluice, upstream, 3 * N, N);
      upstream.serviceTime(Duration.ofMillis(2));
      sustainedBurst(sluice, 3 * N, 10);
      assertThat(upstream.maxSeen()).as("at most N, and N was reached").isEqualTo(N);

      // The pool halves while N requests are in flight; a reload lowers the level to N/2.
      upstream.serviceTime(Duration.ZERO);
      upstream.hold();
      List<CompletableFuture<HttpResponse<String>>> inFlight = new ArrayList<>();
      for (int i = 0; i < N; i++) {
        inFlight.add(sluice.http.sendAsync(get(sluice, i), HttpResponse.BodyHandlers.ofString()));
      }
      Harness.await(WAIT, N + " requests on the upstream", () -> upstream.seen() == N);
      upstream.workers(N / 2);
      HttpResponse<String> reload = sluice.putConfig(Harness.withServer(config(upstream.url(), N / 2)));
      assertThat(reload.statusCode()).as(reload.body()).isEqualTo(200);
      assertThat(sluice.send(HttpRequest.newBuilder(URI.create(sluice.edge("/work"))).header("X-Client-ID", "late"))
          .statusCode()).as("N above the new level are still in flight").isEqualTo(429);
      upstream.release();
      for (CompletableFuture<HttpResponse<String>> f : inFlight) {
        assertThat(f.get(WAIT.toSeconds(), TimeUnit.SECONDS).statusCode()).isEqualTo(200);
      }
      Harness.await(WAIT, "the requests above the new level to finish", () -> upstream.seen() == 0
          && sluice.server.edgeRequestsActive() == 0);

      // From now on at most N/2.
      upstream.resetMax();
      burstAgainstAHeldUpstream(sluice, upstream, 3 * N, N / 2);
      upstream.serviceTime(Duration.ofMillis(2));
      sustainedBurst(sluice, 3 * N, 10);
      assertThat(upstream.maxSeen()).as("at most N/2, and N/2 was reached").isEqualTo(N / 2);
      PrometheusText m = PrometheusText.parse(sluice.adminGet("/metrics").body());
      assertThat(m.value("sluice_in_flight_limit", "tier", "_global", "level", "global")).isEqualTo(N / 2.0);
      assertThat(m.value("sluice_permits_expired_total")).isEqualTo(0.0);
    }
  }
}
