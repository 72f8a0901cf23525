package dev.sluice.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.sluice.core.ManualClock;
import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@code GET /admin/stream} and the dashboard's assets over real sockets: the page, script and
 * style are served without a token under a strict content security policy; the stream needs the
 * admin token, is {@code text/event-stream}, and its snapshots count exactly what the edge decided
 * (a client with a burst of 20 sends 30 requests on a stopped clock: 20 admitted, 10 denied), with
 * the upstream's percentiles and the client among the top clients.
 */
@Timeout(60)
class DashboardStreamTest {

  @Test
  void theStreamCountsWhatTheEdgeDecided() throws Exception {
    try (TestUpstream upstream = new TestUpstream();
        Harness sluice = Harness.start("""
            upstream: { url: "%s" }
            tiers:
              free:
                per-client: { burst: 20, rate: 20/s }
            global: { burst: 1000, rate: 1000/s }
            """.formatted(upstream.url()), new ManualClock())) {
      HttpResponse<String> page = sluice.get(sluice.admin("/dashboard"));
      assertThat(page.statusCode()).isEqualTo(200);
      assertThat(page.headers().firstValue("content-type")).hasValueSatisfying(v -> assertThat(v).startsWith("text/html"));
      assertThat(page.headers().firstValue("content-security-policy")).hasValueSatisfying(
          v -> assertThat(v).contains("default-src 'none'", "script-src 'self'", "connect-src 'self'"));
      assertThat(page.body()).contains("/dashboard/app.js", "id=\"login\"").doesNotContain("http://", "https://");
      HttpResponse<String> script = sluice.get(sluice.admin("/dashboard/app.js"));
      assertThat(script.statusCode()).isEqualTo(200);
      assertThat(script.body()).contains("/admin/stream", "Authorization").doesNotContain("EventSource(");
      assertThat(sluice.get(sluice.admin("/dashboard/app.css")).statusCode()).isEqualTo(200);

      assertThat(sluice.get(sluice.admin("/admin/stream")).statusCode()).isEqualTo(401);
      assertThat(sluice.get(sluice.admin("/admin/stream"), "Authorization", "Bearer wrong").statusCode()).isEqualTo(401);

      HttpResponse<InputStream> stream = sluice.http.send(HttpRequest.newBuilder(URI.create(sluice.admin("/admin/stream")))
          .header("Authorization", "Bearer " + Harness.TOKEN).build(), HttpResponse.BodyHandlers.ofInputStream());
      assertThat(stream.statusCode()).isEqualTo(200);
      assertThat(stream.headers().firstValue("content-type")).hasValueSatisfying(
          v -> assertThat(v).startsWith("text/event-stream"));
      BlockingQueue<JsonNode> snapshots = new LinkedBlockingQueue<>();
      Thread reader = new Thread(() -> read(stream.body(), snapshots), "sse-reader");
      reader.setDaemon(true);
      reader.start();
      try {
        JsonNode first = snapshots.poll(10, TimeUnit.SECONDS);
        assertThat(first).as("a snapshot within 10 s").isNotNull();
        assertThat(first.get("tiers").has("free")).isTrue();
        assertThat(first.get("global").get("rate").asDouble()).isEqualTo(1000.0);
        assertThat(first.get("anomaly").get("enabled").asBoolean()).isFalse();
        assertThat(first.get("control").get("policy").asText()).isEqualTo("static");

        for (int i = 0; i < 30; i++) {
          sluice.get(sluice.edge("/echo/x"), "X-Client-ID", "alice");
        }
        List<JsonNode> seen = new ArrayList<>();
        long deadline = System.nanoTime() + 10_000_000_000L;
        JsonNode last = first;
        while (last.get("tiers").get("free").get("admittedTotal").asLong()
            + last.get("tiers").get("free").get("deniedTotal").asLong() < 30) {
          last = snapshots.poll(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
          assertThat(last).as("a snapshot counting all 30 requests within 10 s").isNotNull();
          seen.add(last);
        }
        JsonNode free = last.get("tiers").get("free");
        assertThat(free.get("admittedTotal").asLong()).isEqualTo(20);
        assertThat(free.get("deniedTotal").asLong()).isEqualTo(10);
        assertThat(free.get("clientRate").asDouble()).isEqualTo(20.0);
        long aliceTokens = 0;
        long responses = 0;
        double offered = 0;
        for (JsonNode s : seen) {
          for (JsonNode c : s.get("clients")) {
            if (c.get("key").asText().equals("alice")) {
              aliceTokens += c.get("tokens").asLong();
            }
          }
          long n = s.get("upstream").get("count").asLong();
          responses += n;
          if (n > 0) {
            assertThat(s.get("upstream").get("p95").asDouble()).isPositive();
            assertThat(s.get("upstream").get("p99").asDouble())
                .isGreaterThanOrEqualTo(s.get("upstream").get("p95").asDouble());
          }
          offered += s.get("tiers").get("free").get("offered").asDouble() * s.get("seconds").asDouble();
        }
        assertThat(aliceTokens).as("alice's tokens over the snapshots").isEqualTo(30);
        assertThat(responses).as("upstream responses over the snapshots").isEqualTo(20);
        assertThat(offered).as("offered rate × interval over the snapshots").isCloseTo(30.0,
            org.assertj.core.data.Offset.offset(1e-6));
      } finally {
        stream.body().close();
      }
    }
  }

  /** Reads server-sent events, handing on the JSON of each {@code snapshot} event. */
  private static void read(InputStream in, BlockingQueue<JsonNode> out) {
    try (BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
      String event = null;
      for (String line; (line = r.readLine()) != null; ) {
        if (line.startsWith("event: ")) {
          event = line.substring(7);
        } else if (line.startsWith("data: ") && "snapshot".equals(event)) {
          out.add(Harness.JSON.readTree(line.substring(6)));
        }
      }
    } catch (java.io.IOException e) {
      // the test closed the stream
    }
  }

  @Test
  void streamsEndWhenTheServerStops() throws Exception {
    Harness sluice = Harness.start("""
        tiers:
          free:
            per-client: { burst: 20, rate: 20/s }
        """, new ManualClock());
    HttpResponse<InputStream> stream = sluice.http.send(HttpRequest.newBuilder(URI.create(sluice.admin("/admin/stream")))
        .header("Authorization", "Bearer " + Harness.TOKEN).build(), HttpResponse.BodyHandlers.ofInputStream());
    assertThat(stream.statusCode()).isEqualTo(200);
    sluice.close(); // the class's timeout fails a stop held by the open stream
    assertThat(stream.body().readAllBytes()).isNotNull(); // the stream ends rather than hanging
  }
}
