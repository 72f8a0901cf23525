package dev.sluice.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.sluice.requestlog.DecisionIds;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The request log of a running server: one line per request, in the documented schema (the records
 * and the writer themselves: {@code observe.RequestLogWriterTest}).
 */
class RequestLogTest {

  @TempDir
  Path dir;

  @Test
  void theRunningServerWritesOneSchemaLinePerRequest() throws IOException {
    Path file = dir.resolve("logs/requests.jsonl");
    try (TestUpstream upstream = new TestUpstream();
        Harness sluice = Harness.start(Harness.options("""
            upstream: { url: "%s" }
            tiers:
              free:
                per-client: { burst: 2, rate: 1/min }
            """.formatted(upstream.url()), dev.sluice.core.Clock.system())
            .requestLog(RequestLogOptions.of(file)))) {
      sluice.post(sluice.edge("/echo/a?q=1"), "{\"x\":1}", "X-Client-ID", "logged");
      sluice.get(sluice.edge("/echo/b"), "X-Client-ID", "logged");
      sluice.get(sluice.edge("/echo/c"), "X-Client-ID", "logged");
      sluice.post(sluice.edge("/v1/decisions"), "{\"key\":\"d\",\"method\":\"GET\",\"path\":\"/p\"}");
      sluice.post(sluice.edge("/v1/feedback"), "{\"key\":\"d\",\"latencyMs\":3.5,\"status\":200}");
    }
    List<JsonNode> lines = new ArrayList<>();
    for (String l : Files.readAllLines(file)) {
      JsonNode n = Harness.JSON.readTree(l);
      RequestLogSchema.check(n);
      lines.add(n);
    }
    assertThat(lines).hasSize(5);
    JsonNode first = lines.stream().filter(n -> n.get("route").asText().equals("/echo/a")).findFirst().orElseThrow();
    assertThat(first.get("method").asText()).isEqualTo("POST");
    assertThat(first.get("requestBytes").asLong()).isEqualTo(7);
    assertThat(first.get("responseBytes").asLong()).isPositive();
    assertThat(first.get("upstreamMs").asDouble()).isPositive();
    assertThat(first.get("status").asInt()).isEqualTo(200);
    JsonNode denied = lines.stream().filter(n -> n.get("route").asText().equals("/echo/c")).findFirst().orElseThrow();
    assertThat(denied.get("decision").asText()).isEqualTo("denied");
    assertThat(denied.get("status").asInt()).isEqualTo(429);
    assertThat(denied.get("upstreamMs").isNull()).isTrue();
    assertThat(lines.stream().map(n -> n.get("source").asText())).contains("proxy", "decision", "feedback");
    assertThat(lines.stream().map(n -> n.get("policy").asText())).containsOnly("static");
    assertThat(first.get("burst").asLong()).isEqualTo(2);
    assertThat(lines.stream().filter(n -> !n.get("source").asText().equals("feedback"))
        .map(n -> n.get("decisionId").asText())).doesNotHaveDuplicates().hasSize(4);
  }

  @Test
  void feedbackEchoesTheDecisionIdThatTheDecisionApiReturned() throws IOException {
    Path file = dir.resolve("requests.jsonl");
    String id;
    List<String> batchIds = new ArrayList<>();
    try (Harness sluice = Harness.start(Harness.options("""
            tiers:
              free:
                per-client: { burst: 5, rate: 1/s }
            """, dev.sluice.core.Clock.system())
            .requestLog(RequestLogOptions.of(file)))) {
      HttpResponse<String> decided = sluice.post(sluice.edge("/v1/decisions"), "{\"key\":\"gw\",\"path\":\"/p\"}");
      assertThat(decided.statusCode()).isEqualTo(200);
      id = Harness.json(decided).get("decisionId").asText();
      assertThat(DecisionIds.isWellFormed(id)).as(id).isTrue();
      Harness.json(sluice.post(sluice.edge("/v1/decisions"), "[{\"key\":\"a\"},{\"key\":\"b\"}]"))
          .forEach(n -> batchIds.add(n.get("decisionId").asText()));
      HttpResponse<String> fed = sluice.post(sluice.edge("/v1/feedback"),
          "{\"key\":\"gw\",\"path\":\"/p\",\"latencyMs\":7.25,\"status\":201,\"decisionId\":\"" + id + "\"}");
      assertThat(fed.statusCode()).isEqualTo(202);
    }
    assertThat(batchIds).hasSize(2).doesNotHaveDuplicates().doesNotContain(id);
    List<JsonNode> lines = new ArrayList<>();
    for (String l : Files.readAllLines(file)) {
      JsonNode n = Harness.JSON.readTree(l);
      RequestLogSchema.check(n);
      lines.add(n);
    }
    List<JsonNode> joined = lines.stream().filter(n -> n.get("decisionId").asText().equals(id)).toList();
    assertThat(joined).extracting(n -> n.get("source").asText()).containsExactly("decision", "feedback");
    assertThat(joined.get(0).get("decision").asText()).isEqualTo("allowed");
    assertThat(joined.get(0).get("burst").asLong()).isEqualTo(5);
    assertThat(joined.get(0).get("refillRate").asDouble()).isEqualTo(1.0);
    assertThat(joined.get(1).get("status").asInt()).isEqualTo(201);
    assertThat(joined.get(1).get("upstreamMs").asDouble()).isEqualTo(7.25);
    assertThat(lines.stream().filter(n -> n.get("source").asText().equals("decision"))
        .map(n -> n.get("decisionId").asText())).containsExactlyInAnyOrder(id, batchIds.get(0), batchIds.get(1));
  }

  @Test
  void shadowModeLogsItsPolicyAndProposalAndTheModelVersionHookShows() throws IOException {
    Path file = dir.resolve("requests.jsonl");
    try (Harness sluice = Harness.start(Harness.options("""
            tiers:
              free:
                per-client: { burst: 100000, rate: 100000/s }
            global: { burst: 400, rate: 200/s }
            adaptive:
              enabled: true
              shadow: true
              interval: 100ms
              controllers: [latency-aimd]
              latency-aimd: { period: 100ms, low: 10ms, high: 30ms, decrease: 0.7, min-rate: 20/s, max-rate: 400/s }
              limits: { min-rate: 20/s, max-rate: 400/s }
            """, dev.sluice.core.Clock.system())
            .requestLog(RequestLogOptions.of(file)))) {
      sluice.server.modelVersion("test-model-7");
      // Slow outcomes reported as feedback drive latency AIMD down; the shadow proposal shows in the log.
      Harness.await(Duration.ofSeconds(20), "a decision line with a shadow proposal", () -> {
        sluice.post(sluice.edge("/v1/decisions"), "{\"key\":\"gw\"}");
        sluice.post(sluice.edge("/v1/feedback"), "[{\"key\":\"gw\",\"latencyMs\":80,\"status\":200},"
            + "{\"key\":\"gw\",\"latencyMs\":80,\"status\":200},{\"key\":\"gw\",\"latencyMs\":80,\"status\":200}]");
        try {
          return Files.readAllLines(file).stream().anyMatch(l -> l.contains("\"source\":\"decision\"")
              && !l.contains("\"shadow\":null"));
        } catch (IOException e) {
          return false;
        }
      });
    }
    List<JsonNode> lines = new ArrayList<>();
    for (String l : Files.readAllLines(file)) {
      JsonNode n = Harness.JSON.readTree(l);
      RequestLogSchema.check(n);
      lines.add(n);
    }
    assertThat(lines.stream().map(n -> n.get("policy").asText())).containsOnly("shadow:latency-aimd");
    assertThat(lines.stream().map(n -> n.get("modelVersion").asText())).containsOnly("test-model-7");
    assertThat(lines.stream().filter(n -> !n.get("shadow").isNull()).map(n -> n.get("shadow").asDouble()))
        .isNotEmpty().allMatch(r -> r >= 20 && r <= 400);
    assertThat(lines.stream().filter(n -> n.get("source").asText().equals("decision"))
        .map(n -> n.get("refillRate").asDouble())).as("shadow mode moves no rate: the global bucket, the tightest, stays at 200/s").containsOnly(200.0);
  }

  @Test
  void aMalformedDecisionIdInFeedbackIsA400AndLogsNothing() throws IOException {
    Path file = dir.resolve("requests.jsonl");
    try (Harness sluice = Harness.start(Harness.options("""
            tiers:
              free:
                per-client: { burst: 5, rate: 1/s }
            """, dev.sluice.core.Clock.system())
            .requestLog(RequestLogOptions.of(file)))) {
      for (String bad : List.of("42", "\"\"", "\"has space\"", "\"" + "x".repeat(65) + "\"", "{}", "[\"a\"]")) {
        HttpResponse<String> res = sluice.post(sluice.edge("/v1/feedback"),
            "[{\"key\":\"gw\",\"latencyMs\":1,\"status\":200},{\"key\":\"gw\",\"latencyMs\":1,\"status\":200,"
                + "\"decisionId\":" + bad + "}]");
        assertThat(res.statusCode()).as(bad).isEqualTo(400);
        JsonNode problem = Harness.json(res);
        assertThat(problem.get("errors").get(0).get("pointer").asText()).as(bad).isEqualTo("/1/decisionId");
        assertThat(problem.get("errors").get(0).get("detail").asText()).as(bad).contains("expected: a decision id");
      }
      // An id this process never issued (another node, an earlier run) is accepted and logged as given.
      assertThat(sluice.post(sluice.edge("/v1/feedback"),
          "{\"key\":\"gw\",\"latencyMs\":1,\"status\":200,\"decisionId\":\"node-b:17\"}").statusCode()).isEqualTo(202);
    }
    List<String> lines = Files.readAllLines(file);
    assertThat(lines).hasSize(1);
    assertThat(Harness.JSON.readTree(lines.get(0)).get("decisionId").asText()).isEqualTo("node-b:17");
  }
}
