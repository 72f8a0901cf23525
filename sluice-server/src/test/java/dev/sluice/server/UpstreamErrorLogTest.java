package dev.sluice.server;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import dev.sluice.core.ManualClock;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Upstream failures are logged at WARN at most {@code --upstream-error-log-limit} times a second;
 * the rest are counted, and every client still gets its request id.
 */
class UpstreamErrorLogTest {

  /** Thread-safe: event loops append while the test reads. */
  @RegisterExtension
  final RootLog logged = new RootLog();

  List<String> loggedIds() {
    return logged.all().stream().filter(e -> e.getLevel() == Level.WARN && e.getKeyValuePairs() != null)
        .map(e -> UpstreamFailureTest.value(e, "requestId")).filter(id -> id != null).toList();
  }

  @Test
  void nPlusKFailuresInOneSecondLogNAndCountKAndTheNextSecondLogsAgain() throws IOException {
    int closedPort;
    try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      closedPort = s.getLocalPort();
    }
    ManualClock clock = new ManualClock();
    try (Harness sluice = Harness.start(Harness.options("upstream: { url: \"http://127.0.0.1:" + closedPort
        + "\" }\n" + UpstreamFailureTest.TIERS, clock).upstreamErrorLogPerSecond(3))) {
      List<String> ids = new ArrayList<>();
      for (int i = 0; i < 5; i++) {
        HttpResponse<String> res = sluice.get(sluice.edge("/down"), "X-Client-ID", "c");
        assertThat(res.statusCode()).isEqualTo(502);
        String id = res.headers().firstValue("x-request-id").orElseThrow();
        assertThat(Harness.json(res).get("requestId").asText()).isEqualTo(id);
        ids.add(id);
      }
      // The WARN is written before the reply, so it is in the log by the time the response is read.
      assertThat(loggedIds()).containsExactlyElementsOf(ids.subList(0, 3));
      assertThat(suppressed(sluice)).isEqualTo(2.0);

      clock.advance(Duration.ofSeconds(1));
      String next = sluice.get(sluice.edge("/down"), "X-Client-ID", "c").headers().firstValue("x-request-id")
          .orElseThrow();
      assertThat(loggedIds()).hasSize(4).last().isEqualTo(next);
      assertThat(suppressed(sluice)).isEqualTo(2.0);
    }
  }

  static double suppressed(Harness sluice) {
    Double n = PrometheusText.parse(sluice.adminGet("/metrics").body())
        .value("sluice_upstream_error_log_suppressed_total");
    return n == null ? 0 : n;
  }
}
