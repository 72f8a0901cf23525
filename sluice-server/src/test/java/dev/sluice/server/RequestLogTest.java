package dev.sluice.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
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
  }
}
