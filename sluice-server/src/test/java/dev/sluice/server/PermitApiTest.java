package dev.sluice.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.sluice.core.ManualClock;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The permit flow of the decision API over real sockets, on a manual clock: {@code /v1/decisions}
 * hands out a permit id when a concurrency level applies, {@code /v1/feedback} releases it (per
 * item; a stale one is no error, bad syntax is a 400), and an unreported permit expires, counted in
 * {@code sluice_permits_expired_total}.
 */
class PermitApiTest {

  ManualClock clock;
  Harness sluice;

  @BeforeEach
  void start() {
    clock = new ManualClock(-5_000_000_000L);
    sluice = Harness.start("""
        global:
          permit-timeout: 10s
        tiers:
          gw:
            per-client: { burst: 1000, rate: 1000/s }
            concurrency: 1
          plain:
            per-client: { burst: 1000, rate: 1000/s }
        """, clock);
  }

  @AfterEach
  void stop() {
    sluice.close();
  }

  JsonNode decide(String body) {
    HttpResponse<String> res = sluice.post(sluice.edge("/v1/decisions"), body);
    assertThat(res.statusCode()).isEqualTo(200);
    return Harness.json(res);
  }

  HttpResponse<String> feedback(String body) {
    return sluice.post(sluice.edge("/v1/feedback"), body);
  }

  static String report(String permit) {
    return "{\"key\":\"a\",\"latencyMs\":12.5,\"status\":200,\"permit\":" + permit + "}";
  }

  double metric(String name, String... labels) {
    Double v = PrometheusText.parse(sluice.adminGet("/metrics").body()).value(name, labels);
    return v == null ? Double.NaN : v;
  }

  @Test
  void aDecisionUnderAConcurrencyLevelCarriesAPermitThatFeedbackReleasesOnce() {
    JsonNode first = decide("{\"key\":\"a\",\"tier\":\"gw\"}");
    assertThat(first.get("allowed").asBoolean()).isTrue();
    assertThat(first.get("permit").isTextual()).as("a string, never a JSON number").isTrue();
    String permit = first.get("permit").asText();
    assertThat(permit).matches("[1-9][0-9]{0,18}");
    assertThat(metric("sluice_in_flight", "tier", "gw", "level", "tier")).isEqualTo(1.0);

    JsonNode full = decide("{\"key\":\"b\",\"tier\":\"gw\"}");
    assertThat(full.get("allowed").asBoolean()).isFalse();
    assertThat(full.get("reason").asText()).isEqualTo("in_flight");
    assertThat(full.get("deniedBy").asText()).isEqualTo("tier");
    assertThat(full.get("permit").isNull()).isTrue();

    HttpResponse<String> released = feedback(report("\"" + permit + "\""));
    assertThat(released.statusCode()).isEqualTo(202);
    assertThat(released.body()).isEqualTo("{\"accepted\":1,\"released\":1}");
    HttpResponse<String> again = feedback(report("\"" + permit + "\""));
    assertThat(again.statusCode()).isEqualTo(202);
    assertThat(again.body()).as("already released: accepted, not released").isEqualTo("{\"accepted\":1,\"released\":0}");
    assertThat(metric("sluice_in_flight", "tier", "gw", "level", "tier")).isEqualTo(0.0);
    assertThat(metric("sluice_permits_released_total")).isEqualTo(1.0);

    JsonNode next = decide("{\"key\":\"b\",\"tier\":\"gw\"}");
    assertThat(next.get("allowed").asBoolean()).isTrue();
    assertThat(next.get("permit").asText()).isNotEqualTo(permit);
  }

  @Test
  void withoutAConcurrencyLevelThePermitIsNull() {
    JsonNode d = decide("{\"key\":\"a\",\"tier\":\"plain\"}");
    assertThat(d.get("allowed").asBoolean()).isTrue();
    assertThat(d.has("permit")).isTrue();
    assertThat(d.get("permit").isNull()).isTrue();
    assertThat(feedback(report("null")).body()).isEqualTo("{\"accepted\":1,\"released\":0}");
    assertThat(metric("sluice_in_flight", "tier", "plain", "level", "tier")).isNaN();
    assertThat(metric("sluice_in_flight_limit", "tier", "plain", "level", "tier")).isNaN();
    assertThat(metric("sluice_in_flight_limit", "tier", "gw", "level", "tier")).isEqualTo(1.0);
    assertThat(metric("sluice_in_flight", "tier", "_global", "level", "global")).isNaN();
  }

  @Test
  void aBatchReportsPerItemAndUnknownPermitsAreNoError() {
    String permit = decide("{\"key\":\"a\",\"tier\":\"gw\"}").get("permit").asText();

    HttpResponse<String> res = feedback("[" + report("\"" + permit + "\"") + "," + report("\"12345\"") + ","
        + report("\"0\"") + ",{\"key\":\"c\",\"latencyMs\":1,\"status\":503}]");

    assertThat(res.statusCode()).isEqualTo(202);
    assertThat(res.body()).isEqualTo("{\"accepted\":4,\"released\":1}");
    assertThat(decide("{\"key\":\"b\",\"tier\":\"gw\"}").get("allowed").asBoolean()).isTrue();
  }

  @Test
  void aBadPermitIsA400AndReleasesNothing() {
    String permit = decide("{\"key\":\"a\",\"tier\":\"gw\"}").get("permit").asText();
    List<String> bad = List.of(permit, "\"\"", "\"-1\"", "\"0x1f\"", "\"12a\"", "\"99999999999999999999\"",
        "\"9223372036854775808\"", "true", "{}", "4.5e10");
    for (String value : bad) {
      HttpResponse<String> res = feedback("[" + report("\"" + permit + "\"") + "," + report(value) + "]");

      assertThat(res.statusCode()).as(value).isEqualTo(400);
      JsonNode problem = Harness.json(res);
      List<String> pointers = new ArrayList<>();
      problem.get("errors").forEach(e -> pointers.add(e.get("pointer").asText()));
      assertThat(pointers).as(value).containsExactly("/1/permit");
    }
    assertThat(decide("{\"key\":\"b\",\"tier\":\"gw\"}").get("allowed").asBoolean())
        .as("no 400 released the permit").isFalse();
    assertThat(feedback(report("\"" + permit + "\"")).body()).isEqualTo("{\"accepted\":1,\"released\":1}");
  }

  @Test
  void anUnreportedPermitExpiresAndIsCounted() {
    String permit = decide("{\"key\":\"a\",\"tier\":\"gw\"}").get("permit").asText();
    assertThat(metric("sluice_permits_expired_total")).isEqualTo(0.0);

    clock.advance(Duration.ofSeconds(10).toNanos());

    Harness.await(Duration.ofSeconds(10), "the permit to expire without any decision",
        () -> metric("sluice_permits_expired_total") == 1.0);
    assertThat(metric("sluice_in_flight", "tier", "gw", "level", "tier")).isEqualTo(0.0);
    assertThat(feedback(report("\"" + permit + "\"")).body()).as("too late: it expired")
        .isEqualTo("{\"accepted\":1,\"released\":0}");
    assertThat(decide("{\"key\":\"b\",\"tier\":\"gw\"}").get("allowed").asBoolean()).isTrue();
    assertThat(metric("sluice_permits_released_total")).isEqualTo(0.0);
  }
}
