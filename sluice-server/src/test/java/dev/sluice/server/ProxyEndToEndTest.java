package dev.sluice.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.sluice.core.ManualClock;
import dev.sluice.server.admission.Identity;
import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Sluice as a reverse proxy over real sockets: a real upstream, Sluice in front on a manual clock
 * (so bucket math is exact), and the JDK's HTTP client.
 */
class ProxyEndToEndTest {

  static TestUpstream upstream;
  static ManualClock clock;
  static Harness sluice;

  @BeforeAll
  static void start() {
    upstream = new TestUpstream();
    clock = new ManualClock(123_456_789L);
    sluice = Harness.start("""
        upstream:
          url: %s
          timeout: 5s
        identity:
          tier-header: X-Tier
          trusted-proxies: [127.0.0.1]
          clients:
            gold-client: premium
        tiers:
          sandbox:
            per-client: { burst: 3, rate: 1/s }
          slow:
            per-client: { burst: 3, rate: 2/s }
          premium:
            per-client: { burst: 100, rate: 100/s }
        costs:
          - { method: POST, path: "/echo/heavy/**", cost: 10 }
        """.formatted(upstream.url()), clock);
  }

  @AfterAll
  static void stop() {
    sluice.close();
    upstream.close();
  }

  @Test
  void forwardsMethodPathQueryHeadersAndBody() {
    HttpResponse<String> res = sluice.post(sluice.edge("/echo/a/b?x=1&y=two%2Fthree"), "{\"hello\":1}",
        "X-Client-ID", "gold-client", "X-Custom", "kept");

    assertThat(res.statusCode()).isEqualTo(200);
    Map<String, Object> echo = TestUpstream.echo(res.body());
    assertThat(echo).containsEntry("method", "POST").containsEntry("path", "/echo/a/b?x=1&y=two%2Fthree")
        .containsEntry("body", "{\"hello\":1}");
    @SuppressWarnings("unchecked")
    Map<String, Object> headers = (Map<String, Object>) echo.get("headers");
    assertThat(headers).containsEntry("x-custom", "kept").containsEntry("x-client-id", "gold-client")
        .containsEntry("x-forwarded-for", "127.0.0.1").containsEntry("x-forwarded-proto", "http")
        .containsEntry("host", upstream.url().substring("http://".length()));
    assertThat(res.headers().firstValue("ratelimit").orElseThrow()).isEqualTo("\"premium\";r=99;t=1");
    assertThat(res.headers().firstValue("ratelimit-policy").orElseThrow()).isEqualTo("\"premium\";q=100;w=1");
  }

  @Test
  void dropsHopByHopHeadersBothWays() throws IOException {
    String request = "GET /echo/hop HTTP/1.1\r\nHost: localhost\r\nX-Client-ID: hop-client\r\n"
        + "Connection: close, X-Hop\r\nX-Hop: secret\r\nKeep-Alive: timeout=5\r\nX-Keep: yes\r\n\r\n";
    String response;
    try (Socket s = new Socket("127.0.0.1", sluice.server.edgePort())) {
      s.setSoTimeout(10_000);
      OutputStream out = s.getOutputStream();
      out.write(request.getBytes(StandardCharsets.US_ASCII));
      out.flush();
      response = EdgeProtocolTest.readResponse(s.getInputStream());
    }
    assertThat(response).startsWith("HTTP/1.1 200");
    String body = response.substring(response.indexOf("\r\n\r\n") + 4);
    body = body.substring(body.indexOf('{'), body.lastIndexOf('}') + 1);
    @SuppressWarnings("unchecked")
    Map<String, Object> headers = (Map<String, Object>) TestUpstream.echo(body).get("headers");
    assertThat(headers).containsEntry("x-keep", "yes").doesNotContainKeys("x-hop", "keep-alive", "connection");
  }

  @Test
  void throttledResponsesCarryHeadersThatMatchTheBucketMath() {
    String[] who = {"X-Client-ID", "math-client"};
    for (int i = 0; i < 3; i++) {
      HttpResponse<String> ok = sluice.get(sluice.edge("/echo/m"), who);
      assertThat(ok.statusCode()).isEqualTo(200);
      assertThat(ok.headers().firstValue("ratelimit").orElseThrow()).isEqualTo("\"sandbox\";r=" + (2 - i) + ";t=" + (i + 1));
    }
    HttpResponse<String> denied = sluice.get(sluice.edge("/echo/m"), who);

    assertThat(denied.statusCode()).isEqualTo(429);
    // Burst 3 at 1/s, all spent at one instant: one token returns in exactly 1 s, full in 3 s.
    assertThat(denied.headers().firstValue("retry-after")).hasValue("1");
    assertThat(denied.headers().firstValue("ratelimit-policy")).hasValue("\"sandbox\";q=3;w=3");
    assertThat(denied.headers().firstValue("ratelimit")).hasValue("\"sandbox\";r=0;t=3");
    assertThat(denied.headers().firstValue("content-type")).hasValue("application/problem+json; charset=utf-8");
    JsonNode problem = Harness.json(denied);
    assertThat(problem.get("status").asInt()).isEqualTo(429);
    assertThat(problem.get("type").asText()).isEqualTo("urn:sluice:problem:rate-limited");
    assertThat(problem.get("level").asText()).isEqualTo("client");
    assertThat(problem.get("tier").asText()).isEqualTo("sandbox");
    assertThat(problem.get("retryAfterMs").asLong()).isEqualTo(1000);
    assertThat(problem.get("detail").asText()).contains("client limit");

    clock.advance(Duration.ofMillis(999));
    assertThat(sluice.get(sluice.edge("/echo/m"), who).statusCode()).isEqualTo(429);
    clock.advance(Duration.ofMillis(1));
    assertThat(sluice.get(sluice.edge("/echo/m"), who).statusCode()).isEqualTo(200);
  }

  @Test
  void retryAfterRoundsUpToWholeSeconds() {
    String[] who = {"X-Client-ID", "half-client", "X-Tier", "slow"};
    for (int i = 0; i < 3; i++) {
      assertThat(sluice.get(sluice.edge("/echo/h"), who).statusCode()).isEqualTo(200);
    }
    HttpResponse<String> denied = sluice.get(sluice.edge("/echo/h"), who);

    assertThat(denied.statusCode()).isEqualTo(429);
    assertThat(denied.headers().firstValue("retry-after")).hasValue("1");
    assertThat(Harness.json(denied).get("retryAfterMs").asLong()).isEqualTo(500);
    assertThat(denied.headers().firstValue("ratelimit-policy")).hasValue("\"slow\";q=3;w=2");
    assertThat(denied.headers().firstValue("ratelimit")).hasValue("\"slow\";r=0;t=2");
  }

  @Test
  void aCostAboveTheBurstIsDeniedWithoutRetryAfter() {
    HttpResponse<String> res = sluice.post(sluice.edge("/echo/heavy/x"), "{}", "X-Client-ID", "heavy-client");

    assertThat(res.statusCode()).isEqualTo(429);
    assertThat(res.headers().firstValue("retry-after")).isEmpty();
    JsonNode problem = Harness.json(res);
    assertThat(problem.get("type").asText()).isEqualTo("urn:sluice:problem:cost-exceeds-burst");
    assertThat(problem.get("retryAfterMs").isNull()).isTrue();
    assertThat(problem.get("cost").asInt()).isEqualTo(10);
    assertThat(problem.get("detail").asText()).contains("can never be admitted");
    assertThat(sluice.post(sluice.edge("/echo/heavy/x"), "{}", "X-Client-ID", "gold-client").statusCode())
        .isEqualTo(200);
  }

  @Test
  void identifiesClientsByHeaderApiKeyOrForwardedAddress() {
    assertThat(sluice.get(sluice.edge("/echo/id"), "X-API-Key", "secret-key").statusCode()).isEqualTo(200);
    String apiKeyId = Identity.apiKeyId("secret-key");
    assertThat(apiKeyId).startsWith("apikey:").hasSize(7 + 24).doesNotContain("secret");
    assertThat(sluice.server.store().levels(apiKeyId, "sandbox").toCompletableFuture().join().get(0).tokens()).isEqualTo(2);

    // 127.0.0.1 is a trusted proxy, so the forwarded client is the key.
    assertThat(sluice.get(sluice.edge("/echo/id"), "X-Forwarded-For", "203.0.113.9, 10.1.1.1").statusCode())
        .isEqualTo(200);
    assertThat(sluice.server.store().levels("10.1.1.1", "sandbox").toCompletableFuture().join().get(0).tokens()).isEqualTo(2);
  }

  @Test
  void anUnknownTierHeaderIsABadRequestAndChangesNoBucket() {
    HttpResponse<String> res = sluice.get(sluice.edge("/echo/t"), "X-Client-ID", "tier-client", "X-Tier", "nope");

    assertThat(res.statusCode()).isEqualTo(400);
    assertThat(Harness.json(res).get("detail").asText()).contains("unknown tier \"nope\"");
    assertThat(sluice.server.store().levels("tier-client", "sandbox").toCompletableFuture().join().get(0).tokens()).isEqualTo(3);
  }
}
