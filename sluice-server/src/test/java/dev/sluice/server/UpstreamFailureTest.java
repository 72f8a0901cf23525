package dev.sluice.server;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.spi.ILoggingEvent;
import com.fasterxml.jackson.databind.JsonNode;
import dev.sluice.core.Clock;
import java.io.IOException;
import java.io.InputStream;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * An upstream that is down, too slow or answers garbage: 502 and 504 with problem bodies that name
 * a request id and nothing internal, counted as errors; the cause goes to the log at WARN.
 */
class UpstreamFailureTest {

  /** Thread-safe: event loops append while the test reads. */
  @RegisterExtension
  final RootLog logged = new RootLog();

  /** Returns the WARN events that carry {@code requestId}. */
  List<ILoggingEvent> warningsFor(String requestId) {
    return logged.all().stream().filter(e -> e.getLevel() == Level.WARN && e.getKeyValuePairs() != null
        && e.getKeyValuePairs().stream().anyMatch(kv -> kv.key.equals("requestId") && requestId.equals(kv.value)))
        .toList();
  }

  static String value(ILoggingEvent e, String key) {
    return e.getKeyValuePairs().stream().filter(kv -> kv.key.equals(key)).map(kv -> String.valueOf(kv.value))
        .findFirst().orElse(null);
  }

  static final String TIERS = """
      tiers:
        sandbox:
          per-client: { burst: 100, rate: 100/s }
      """;

  @Test
  void anUpstreamThatRefusesConnectionsGives502AndCountsAnError() throws IOException {
    int closedPort;
    try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      closedPort = s.getLocalPort();
    }
    try (Harness sluice = Harness.start("upstream: { url: \"http://127.0.0.1:" + closedPort + "\" }\n" + TIERS,
        Clock.system())) {
      HttpResponse<String> res = sluice.get(sluice.edge("/anything"), "X-Client-ID", "c");

      assertThat(res.statusCode()).isEqualTo(502);
      JsonNode problem = Harness.json(res);
      assertThat(problem.get("type").asText()).isEqualTo("urn:sluice:problem:upstream-unavailable");
      assertThat(problem.get("detail").asText()).isEqualTo("the upstream could not be reached");
      assertThat(res.body()).doesNotContain("Exception", "127.0.0.1", "refused");
      String id = res.headers().firstValue("x-request-id").orElseThrow();
      assertThat(problem.get("requestId").asText()).isEqualTo(id);
      assertThat(res.headers().firstValue("ratelimit")).isPresent();
      Harness.await(Duration.ofSeconds(5), "the cause to be logged", () -> !warningsFor(id).isEmpty());
      assertThat(value(warningsFor(id).get(0), "cause")).contains("Connection refused");
      assertThat(logged.all()).noneMatch(e -> e.getLevel() == Level.ERROR);
      Harness.await(java.time.Duration.ofSeconds(5), "the error to be counted", () -> {
        PrometheusText m = PrometheusText.parse(sluice.adminGet("/metrics").body());
        Double errors = m.value("sluice_upstream_errors_total", "kind", "connect");
        return errors != null && errors == 1.0;
      });
      PrometheusText m = PrometheusText.parse(sluice.adminGet("/metrics").body());
      assertThat(m.value("sluice_upstream_responses_total", "class", "5xx")).isEqualTo(1.0);
    }
  }

  @Test
  void anUpstreamSlowerThanTheTimeoutGives504() {
    try (TestUpstream upstream = new TestUpstream();
        Harness sluice = Harness.start("upstream: { url: \"" + upstream.url() + "\", timeout: 300ms }\n" + TIERS,
            Clock.system())) {
      HttpResponse<String> res = sluice.get(sluice.edge("/slow"), "X-Client-ID", "c");

      assertThat(res.statusCode()).isEqualTo(504);
      assertThat(Harness.json(res).get("type").asText()).isEqualTo("urn:sluice:problem:upstream-timeout");
      String id = res.headers().firstValue("x-request-id").orElseThrow();
      assertThat(Harness.json(res).get("requestId").asText()).isEqualTo(id);
      Harness.await(Duration.ofSeconds(5), "the timeout to be logged", () -> !warningsFor(id).isEmpty());
      Harness.await(java.time.Duration.ofSeconds(5), "the timeout to be counted", () -> {
        Double n = PrometheusText.parse(sluice.adminGet("/metrics").body())
            .value("sluice_upstream_errors_total", "kind", "timeout");
        return n != null && n == 1.0;
      });
      PrometheusText m = PrometheusText.parse(sluice.adminGet("/metrics").body());
      assertThat(m.value("sluice_upstream_responses_total", "class", "5xx")).isEqualTo(1.0);
      assertThat(m.value("sluice_upstream_latency_seconds_count")).isEqualTo(1.0);
      assertThat(m.value("sluice_upstream_latency_seconds_max")).isGreaterThanOrEqualTo(0.25);
    }
  }

  @Test
  void withoutAnUpstreamProxiedRoutesAre404AndDecisionsStillWork() {
    try (Harness sluice = Harness.start(TIERS, Clock.system())) {
      HttpResponse<String> res = sluice.get(sluice.edge("/anything"), "X-Client-ID", "c");

      assertThat(res.statusCode()).isEqualTo(404);
      assertThat(Harness.json(res).get("type").asText()).isEqualTo("urn:sluice:problem:no-upstream");
      assertThat(sluice.post(sluice.edge("/v1/decisions"), "{\"key\":\"c\"}").statusCode()).isEqualTo(200);
    }
  }

  /** Sends {@code GET /x} to {@code sluice} on a raw socket, and a follow-up on the same connection. */
  static List<RawHttp.Response> getTwice(Harness sluice) throws IOException {
    try (Socket s = new Socket("127.0.0.1", sluice.server.edgePort())) {
      s.setSoTimeout(10_000);
      String get = "GET /x HTTP/1.1\r\nHost: x\r\nX-Client-ID: c\r\n\r\n";
      s.getOutputStream().write(get.getBytes(StandardCharsets.ISO_8859_1));
      InputStream in = s.getInputStream();
      RawHttp.Response first = RawHttp.read(in, false);
      s.getOutputStream().write(get.getBytes(StandardCharsets.ISO_8859_1));
      RawHttp.Response second = RawHttp.read(in, false);
      return java.util.Arrays.asList(first, second);
    }
  }

  @Test
  void garbageFromTheUpstreamGivesExactlyOne502AndTheConnectionIsDiscarded() throws IOException {
    for (String garbage : List.of("not http\r\n\r\n", "HTTP/1.1 99999 Nope\r\nContent-Length: 0\r\n\r\n")) {
      try (ScriptedUpstream upstream = new ScriptedUpstream();
          Harness sluice = Harness.start("upstream: { url: \"" + upstream.url() + "\" }\n" + TIERS, Clock.system())) {
        upstream.script(List.of(ScriptedUpstream.Answer.of(garbage)));

        List<RawHttp.Response> res = getTwice(sluice);

        assertThat(res.get(0).status()).as(garbage).isEqualTo(502);
        assertThat(res.get(0).body()).contains("urn:sluice:problem:upstream-unavailable");
        assertThat(res.get(1).status()).as("the next response is the follow-up's").isEqualTo(200);
        assertThat(res.get(1).body()).isEqualTo("ok");
        assertThat(upstream.received).extracting(ScriptedUpstream.Received::connection).containsExactly(1, 2);
        Harness.await(Duration.ofSeconds(5), "the garbled connection to be closed", () -> upstream.ended.contains(1));
        Harness.await(Duration.ofSeconds(5), "no upstream connection busy",
            () -> sluice.server.upstreamConnectionsBusy() == 0);
      }
    }
  }

  @Test
  void anUpstreamHeadOverTheLimitGives502() throws IOException {
    try (ScriptedUpstream upstream = new ScriptedUpstream();
        Harness sluice = Harness.start("upstream: { url: \"" + upstream.url() + "\" }\n" + TIERS, Clock.system())) {
      upstream.script(List.of(ScriptedUpstream.Answer.of("HTTP/1.1 200 OK\r\nX-Huge: " + "z".repeat(100_000)
          + "\r\nContent-Length: 2\r\n\r\nok")));

      List<RawHttp.Response> res = getTwice(sluice);

      assertThat(res.get(0).status()).isEqualTo(502);
      assertThat(res.get(1).status()).isEqualTo(200);
      Harness.await(Duration.ofSeconds(5), "no request active", () -> sluice.server.edgeRequestsActive() == 0);
    }
  }
}
