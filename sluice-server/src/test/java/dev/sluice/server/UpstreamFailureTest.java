package dev.sluice.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.sluice.core.Clock;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.Test;

/** An upstream that is down or too slow: 502 and 504 with problem bodies, counted as errors. */
class UpstreamFailureTest {

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
      assertThat(res.headers().firstValue("ratelimit")).isPresent();
      Harness.await(java.time.Duration.ofSeconds(5), "the error to be counted", () -> {
        PrometheusText m = PrometheusText.parse(sluice.adminGet("/metrics").body());
        Double errors = m.value("sluice_upstream_errors_total", "kind", "connect");
        return errors != null && errors == 1.0;
      });
      PrometheusText m = PrometheusText.parse(sluice.adminGet("/metrics").body());
      assertThat(m.value("sluice_upstream_responses_total", "class", "5xx")).isEqualTo(1.0);
      assertThat(sluice.server.signals().takeInterval().status5xx()).isEqualTo(1);
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
      Harness.await(java.time.Duration.ofSeconds(5), "the timeout to be counted", () -> {
        Double n = PrometheusText.parse(sluice.adminGet("/metrics").body())
            .value("sluice_upstream_errors_total", "kind", "timeout");
        return n != null && n == 1.0;
      });
      UpstreamSignals.Interval interval = sluice.server.signals().takeInterval();
      assertThat(interval.status5xx()).isEqualTo(1);
      assertThat(interval.p99Millis()).isGreaterThanOrEqualTo(250);
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
}
