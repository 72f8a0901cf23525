package dev.sluice.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.sluice.core.ManualClock;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** {@code POST /v1/decisions} and {@code POST /v1/feedback} over real sockets, on a manual clock. */
class DecisionApiTest {

  static ManualClock clock;
  static Harness sluice;

  @BeforeAll
  static void start() {
    clock = new ManualClock(-5_000_000_000L);
    sluice = Harness.start(Harness.options("""
        identity:
          clients: { vip: premium }
        tiers:
          free:
            per-client: { burst: 2, rate: 1/s }
            aggregate: { burst: 1000, rate: 500/s }
          premium:
            per-client: { burst: 10, rate: 5/s }
        costs:
          - { method: POST, path: "/llm/**", cost: 3 }
        """, clock).maxDecisionBodyBytes(4096));
  }

  @AfterAll
  static void stop() {
    sluice.close();
  }

  HttpResponse<String> decide(String body) {
    return sluice.post(sluice.edge("/v1/decisions"), body);
  }

  long tokens(String key, String tier) {
    return sluice.server.store().levels(key, tier).toCompletableFuture().join().get(0).tokens();
  }

  @Test
  void aSingleDecisionAnswersWithTheBucketState() {
    HttpResponse<String> res = decide("{\"key\":\"alice\"}");

    assertThat(res.statusCode()).isEqualTo(200);
    JsonNode d = Harness.json(res);
    assertThat(d.get("allowed").asBoolean()).isTrue();
    assertThat(d.get("remaining").asLong()).isEqualTo(1);
    assertThat(d.get("retryAfterMs").asLong()).isZero();
    assertThat(d.get("resetAfterMs").asLong()).isEqualTo(1000);
    assertThat(d.get("deniedBy").isNull()).isTrue();
    assertThat(d.get("tier").asText()).isEqualTo("free");
    assertThat(d.get("limit").get("level").asText()).isEqualTo("client");
    assertThat(d.get("limit").get("burst").asLong()).isEqualTo(2);
    assertThat(d.get("limit").get("rate").asText()).isEqualTo("1/s");
    assertThat(res.headers().firstValue("ratelimit")).hasValue("\"free\";r=1;t=1");

    decide("{\"key\":\"alice\"}");
    JsonNode denied = Harness.json(decide("{\"key\":\"alice\"}"));
    assertThat(denied.get("allowed").asBoolean()).isFalse();
    assertThat(denied.get("deniedBy").asText()).isEqualTo("client");
    assertThat(denied.get("retryAfterMs").asLong()).isEqualTo(1000);
    assertThat(denied.get("reason").asText()).isEqualTo("exhausted");
  }

  @Test
  void costsComeFromTheBodyOrTheCostRulesAndTiersFromTheBodyOrTheClientMap() {
    JsonNode ruled = Harness.json(decide("{\"key\":\"vip\",\"method\":\"POST\",\"path\":\"/llm/x\"}"));
    assertThat(ruled.get("tier").asText()).isEqualTo("premium");
    assertThat(ruled.get("cost").asInt()).isEqualTo(3);
    assertThat(ruled.get("remaining").asLong()).isEqualTo(7);

    JsonNode given = Harness.json(decide("{\"key\":\"bob\",\"tier\":\"premium\",\"cost\":4}"));
    assertThat(given.get("tier").asText()).isEqualTo("premium");
    assertThat(given.get("remaining").asLong()).isEqualTo(6);

    JsonNode never = Harness.json(decide("{\"key\":\"carol\",\"cost\":3}"));
    assertThat(never.get("allowed").asBoolean()).isFalse();
    assertThat(never.get("retryAfterMs").isNull()).isTrue();
    assertThat(never.get("reason").asText()).isEqualTo("cost_exceeds_burst");
  }

  @Test
  void aBatchIsDecidedInOrder() {
    HttpResponse<String> res = decide("[{\"key\":\"dave\"},{\"key\":\"dave\"},{\"key\":\"dave\"},{\"key\":\"erin\"}]");

    assertThat(res.statusCode()).isEqualTo(200);
    JsonNode a = Harness.json(res);
    assertThat(a.isArray()).isTrue();
    List<Boolean> allowed = new ArrayList<>();
    a.forEach(d -> allowed.add(d.get("allowed").asBoolean()));
    assertThat(allowed).containsExactly(true, true, false, true);
  }

  @ParameterizedTest
  @ValueSource(strings = {
      "{\"key\":\"victim\"",
      "not json",
      "",
      "[]",
      "42",
      "{\"tier\":\"free\"}",
      "{\"key\":\"\"}",
      "{\"key\":7}",
      "{\"key\":\"victim\",\"cost\":-1}",
      "{\"key\":\"victim\",\"cost\":0}",
      "{\"key\":\"victim\",\"cost\":1.5}",
      "{\"key\":\"victim\",\"cost\":\"2\"}",
      "{\"key\":\"victim\",\"cost\":99999999999}",
      "{\"key\":\"victim\",\"tier\":\"gold\"}",
      "{\"key\":\"victim\",\"colour\":\"red\"}",
      "{\"key\":\"victim\",\"key\":\"other\"}",
      "{\"key\":\"victim\",\"path\":\"no-slash\"}",
      "{\"key\":\"victim\",\"method\":{}}",
      "{\"key\":\"victim\"} {}",
      "[{\"key\":\"victim\"},{\"key\":\"victim\",\"cost\":-3}]",
      "[{\"key\":\"victim\"},5]"
  })
  void badBodiesGet400WithAProblemAndChangeNoBucket(String body) {
    HttpResponse<String> res = decide(body);

    assertThat(res.statusCode()).as(body).isEqualTo(400);
    assertThat(res.headers().firstValue("content-type")).hasValue("application/problem+json; charset=utf-8");
    JsonNode problem = Harness.json(res);
    assertThat(problem.get("status").asInt()).isEqualTo(400);
    assertThat(problem.get("detail").asText()).isNotEmpty();
    assertThat(tokens("victim", "free")).isEqualTo(2);
    assertThat(tokens("victim", "premium")).isEqualTo(10);
  }

  @Test
  void everyBadFieldIsListedWithItsPointer() {
    JsonNode problem = Harness.json(decide("[{\"key\":\"x\",\"cost\":-1},{\"cost\":2,\"extra\":true}]"));

    List<String> pointers = new ArrayList<>();
    problem.get("errors").forEach(e -> pointers.add(e.get("pointer").asText()));
    assertThat(pointers).containsExactlyInAnyOrder("/0/cost", "/1/key", "/1/extra");
  }

  @Test
  void anOversizeBodyIs413() {
    HttpResponse<String> res = decide("{\"key\":\"victim\",\"path\":\"/" + "a".repeat(5000) + "\"}");

    assertThat(res.statusCode()).isEqualTo(413);
    assertThat(Harness.json(res).get("status").asInt()).isEqualTo(413);
    assertThat(tokens("victim", "free")).isEqualTo(2);
  }

  @Test
  void feedbackFeedsTheUpstreamMeters() {
    double[] before = upstreamMeters();
    HttpResponse<String> res = sluice.post(sluice.edge("/v1/feedback"),
        "[{\"key\":\"f\",\"latencyMs\":12.5,\"status\":200},{\"key\":\"f\",\"latencyMs\":80,\"status\":503}]");

    assertThat(res.statusCode()).isEqualTo(202);
    assertThat(Harness.json(res).get("accepted").asInt()).isEqualTo(2);
    double[] after = upstreamMeters();
    assertThat(after[0] - before[0]).as("latency samples").isEqualTo(2.0);
    assertThat(after[1] - before[1]).as("2xx").isEqualTo(1.0);
    assertThat(after[2] - before[2]).as("5xx").isEqualTo(1.0);
    assertThat(after[3] - before[3]).as("latency sum").isCloseTo(0.0925, org.assertj.core.api.Assertions.within(1e-6));
  }

  /** Returns the upstream latency sample count, 2xx and 5xx response counts and latency sum now. */
  double[] upstreamMeters() {
    PrometheusText m = PrometheusText.parse(sluice.adminGet("/metrics").body());
    return new double[] {orZero(m.value("sluice_upstream_latency_seconds_count")),
        orZero(m.value("sluice_upstream_responses_total", "class", "2xx")),
        orZero(m.value("sluice_upstream_responses_total", "class", "5xx")),
        orZero(m.value("sluice_upstream_latency_seconds_sum"))};
  }

  private static double orZero(Double d) {
    return d == null ? 0 : d;
  }

  @ParameterizedTest
  @ValueSource(strings = {
      "{\"key\":\"f\",\"status\":200}",
      "{\"key\":\"f\",\"latencyMs\":-1,\"status\":200}",
      "{\"key\":\"f\",\"latencyMs\":1,\"status\":99}",
      "{\"key\":\"f\",\"latencyMs\":\"1\",\"status\":200}",
      "{\"latencyMs\":1,\"status\":200}",
      "{\"key\":\"f\",\"latencyMs\":1,\"status\":200,\"tier\":\"gold\"}"
  })
  void badFeedbackIs400AndRecordsNothing(String body) {
    double[] before = upstreamMeters();
    HttpResponse<String> res = sluice.post(sluice.edge("/v1/feedback"), body);

    assertThat(res.statusCode()).as(body).isEqualTo(400);
    assertThat(upstreamMeters()).isEqualTo(before);
  }
}
