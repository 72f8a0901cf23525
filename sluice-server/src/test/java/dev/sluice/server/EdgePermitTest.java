package dev.sluice.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.sluice.core.Clock;
import java.io.IOException;
import java.io.InputStream;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Proxied requests under concurrency levels, over real sockets: the permit is held while the
 * request is served and released exactly once however the exchange ends (response, 502, 504, the
 * client closing mid-response or before it), seen through {@code sluice_in_flight} and {@code
 * sluice_permits_released_total}; a full level answers 429 {@code in-flight}.
 */
class EdgePermitTest {

  static final Duration WAIT = Duration.ofSeconds(10);

  static String config(String upstream, String timeout, int tierLevel) {
    return """
        upstream: { url: "%s", timeout: %s }
        global:
          concurrency: 10
        tiers:
          t:
            per-client: { burst: 1000, rate: 1000/s }
            concurrency: %d
        """.formatted(upstream, timeout, tierLevel);
  }

  static PrometheusText metrics(Harness sluice) {
    return PrometheusText.parse(sluice.adminGet("/metrics").body());
  }

  /** Returns the cost in flight at tier {@code t}'s level and the global one, as scraped. */
  static double[] inFlight(Harness sluice) {
    PrometheusText m = metrics(sluice);
    return new double[] {m.value("sluice_in_flight", "tier", "t", "level", "tier"),
        m.value("sluice_in_flight", "tier", "_global", "level", "global")};
  }

  /** Waits until both levels hold {@code cost} in flight. */
  static void awaitInFlight(Harness sluice, double cost) {
    Harness.await(WAIT, cost + " in flight at both levels", () -> {
      double[] f = inFlight(sluice);
      return f[0] == cost && f[1] == cost;
    });
  }

  /**
   * Waits until the one permit taken is back: nothing in flight, released once, none expired, and
   * the exchange ended.
   */
  static void assertReleasedExactlyOnce(Harness sluice) {
    awaitInFlight(sluice, 0);
    Harness.await(WAIT, "the exchange to end", () -> sluice.server.edgeRequestsActive() == 0);
    PrometheusText m = metrics(sluice);
    assertThat(m.value("sluice_permits_released_total")).isEqualTo(1.0);
    assertThat(m.value("sluice_permits_expired_total")).isEqualTo(0.0);
    assertThat(inFlight(sluice)).containsExactly(0.0, 0.0);
  }

  @Test
  void aResponseReleasesThePermit() {
    try (PoolUpstream upstream = new PoolUpstream(2);
        Harness sluice = Harness.start(config(upstream.url(), "5s", 2), Clock.system())) {
      assertThat(sluice.get(sluice.edge("/x")).statusCode()).isEqualTo(200);

      assertReleasedExactlyOnce(sluice);
      PrometheusText m = metrics(sluice);
      assertThat(m.value("sluice_in_flight_limit", "tier", "t", "level", "tier")).isEqualTo(2.0);
      assertThat(m.value("sluice_in_flight_limit", "tier", "_global", "level", "global")).isEqualTo(10.0);
    }
  }

  @Test
  void anUpstreamThatCannotBeReachedReleasesThePermit() throws IOException {
    int closedPort;
    try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      closedPort = s.getLocalPort();
    }
    try (Harness sluice = Harness.start(config("http://127.0.0.1:" + closedPort, "5s", 2), Clock.system())) {
      assertThat(sluice.get(sluice.edge("/x")).statusCode()).isEqualTo(502);

      assertReleasedExactlyOnce(sluice);
    }
  }

  @Test
  void anUpstreamTimeoutReleasesThePermit() {
    try (PoolUpstream upstream = new PoolUpstream(2);
        Harness sluice = Harness.start(config(upstream.url(), "300ms", 2), Clock.system())) {
      upstream.hold();
      HttpResponse<String> res = sluice.get(sluice.edge("/x"));

      assertThat(res.statusCode()).isEqualTo(504);
      assertReleasedExactlyOnce(sluice);
    }
  }

  @Test
  void aClientClosingMidResponseReleasesThePermit() throws IOException {
    try (ScriptedUpstream upstream = new ScriptedUpstream();
        Harness sluice = Harness.start(config(upstream.url(), "5s", 2), Clock.system())) {
      upstream.script(List.of(ScriptedUpstream.Answer.of(
          "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 1000\r\n\r\npartial")));
      try (Socket s = new Socket("127.0.0.1", sluice.server.edgePort())) {
        s.setSoTimeout(10_000);
        s.getOutputStream().write("GET /x HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
        InputStream in = s.getInputStream();
        assertThat(RawHttp.readHead(in, 1 << 16)).startsWith("HTTP/1.1 200");
        assertThat(new String(in.readNBytes(7), StandardCharsets.ISO_8859_1)).isEqualTo("partial");
        awaitInFlight(sluice, 1); // held while the response is relayed
      }

      assertReleasedExactlyOnce(sluice);
    }
  }

  @Test
  void aClientClosingBeforeTheResponseReleasesThePermit() throws IOException {
    try (PoolUpstream upstream = new PoolUpstream(2);
        Harness sluice = Harness.start(config(upstream.url(), "5s", 2), Clock.system())) {
      upstream.hold();
      try (Socket s = new Socket("127.0.0.1", sluice.server.edgePort())) {
        s.getOutputStream().write("GET /x HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
        Harness.await(WAIT, "the upstream to see the request", () -> upstream.seen() == 1);
        awaitInFlight(sluice, 1);
      }

      assertReleasedExactlyOnce(sluice);
    }
  }

  @Test
  void aFullLevelAnswers429InFlightWithTheRateLimitFields() throws Exception {
    try (PoolUpstream upstream = new PoolUpstream(2);
        Harness sluice = Harness.start(config(upstream.url(), "5s", 1), Clock.system())) {
      upstream.hold();
      CompletableFuture<HttpResponse<String>> first = sluice.http.sendAsync(
          HttpRequest.newBuilder(URI.create(sluice.edge("/x"))).header("X-Client-ID", "a").build(),
          HttpResponse.BodyHandlers.ofString());
      Harness.await(WAIT, "the first request to reach the upstream", () -> upstream.seen() == 1);

      HttpResponse<String> second = sluice.get(sluice.edge("/x"), "X-Client-ID", "b");

      assertThat(second.statusCode()).isEqualTo(429);
      assertThat(second.headers().firstValue("content-type").orElseThrow()).startsWith("application/problem+json");
      assertThat(second.headers().firstValue("retry-after").orElseThrow()).isEqualTo("1");
      assertThat(second.headers().firstValue("ratelimit-policy").orElseThrow()).isEqualTo("\"t\";q=1000;w=1");
      assertThat(second.headers().firstValue("ratelimit").orElseThrow()).isEqualTo("\"t\";r=0;t=0");
      JsonNode problem = Harness.json(second);
      assertThat(problem.get("type").asText()).isEqualTo("urn:sluice:problem:in-flight");
      assertThat(problem.get("status").asInt()).isEqualTo(429);
      assertThat(problem.get("tier").asText()).isEqualTo("t");
      assertThat(problem.get("level").asText()).isEqualTo("tier");
      assertThat(problem.get("cost").asInt()).isEqualTo(1);
      assertThat(problem.get("retryAfterMs").asLong()).isEqualTo(1);
      assertThat(upstream.seen()).isEqualTo(1);
      PrometheusText m = metrics(sluice);
      assertThat(m.value("sluice_denials_total", "tier", "t", "level", "tier")).isEqualTo(1.0);

      upstream.release();
      assertThat(first.get(10, TimeUnit.SECONDS).statusCode()).isEqualTo(200);
      awaitInFlight(sluice, 0);
      assertThat(sluice.get(sluice.edge("/x"), "X-Client-ID", "b").statusCode()).isEqualTo(200);
    }
  }
}
