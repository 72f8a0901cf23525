package dev.sluice.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The request log: golden lines, the documented schema, bounded buffering and rotation. */
class RequestLogTest {

  /** The records behind src/test/resources/request-log/v1.jsonl, one per kind of line. */
  static final List<RequestLogRecord> GOLDEN = List.of(
      new RequestLogRecord(1_795_000_000_123L, "proxy", "acme-analytics", "premium", "POST", "/rate/llm/score",
          512, 87, 12_345_678, 200, true, "client", 3, 7996, 4000.0),
      new RequestLogRecord(1_795_000_000_456L, "proxy", "203.0.113.9", "sandbox", "GET", "/rate/items",
          0, 310, -1, 429, false, "tier", 1, 0, 4000.0),
      new RequestLogRecord(1_795_000_001_000L, "decision", "apikey:1f2e3d4c5b6a79880a1b2c3d", "sandbox", null, null,
          0, 0, -1, 200, true, "client", 1, 1999, 1000.0),
      new RequestLogRecord(1_795_000_002_000L, "feedback", "acme-analytics", "premium", "GET", "/rate/items",
          0, 0, 48_250_000, 503, null, null, 0, -1, Double.NaN));

  @TempDir
  Path dir;

  static String line(RequestLogRecord r) throws IOException {
    StringWriter w = new StringWriter();
    try (JsonGenerator g = new JsonFactory().createGenerator(w)) {
      r.write(g);
    }
    return w.toString();
  }

  static List<String> golden() throws IOException {
    try (var in = Objects.requireNonNull(RequestLogTest.class.getResourceAsStream("/request-log/v1.jsonl"))) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8).lines().toList();
    }
  }

  @Test
  void recordsSerialiseExactlyAsTheGoldenFile() throws IOException {
    List<String> lines = new ArrayList<>();
    for (RequestLogRecord r : GOLDEN) {
      lines.add(line(r));
    }
    assertThat(lines).containsExactlyElementsOf(golden());
  }

  @Test
  void goldenLinesMatchTheSchemaAndAppearInTheDocs() throws IOException {
    String docs = Files.readString(Path.of("../docs/request-log.md"));
    for (String l : golden()) {
      RequestLogSchema.check(Harness.JSON.readTree(l));
      assertThat(docs).contains(l);
    }
  }

  @Test
  void aFullBufferDropsAndCountsInsteadOfBlocking() throws IOException {
    Counter written = new SimpleMeterRegistry().counter("written");
    Counter dropped = new SimpleMeterRegistry().counter("dropped");
    Path file = dir.resolve("requests.jsonl");
    RequestLogWriter w = new RequestLogWriter(RequestLogOptions.of(file).withBuffer(2), written, dropped);
    for (int i = 0; i < 5; i++) {
      w.offer(GOLDEN.get(0));
    }
    assertThat(dropped.count()).isEqualTo(3);

    w.start();
    w.close();

    assertThat(written.count()).isEqualTo(2);
    assertThat(Files.readAllLines(file)).hasSize(2);
  }

  @Test
  void theFileIsRotatedBySizeKeepingMaxFiles() throws IOException {
    Counter written = new SimpleMeterRegistry().counter("written");
    Counter dropped = new SimpleMeterRegistry().counter("dropped");
    Path file = dir.resolve("requests.jsonl");
    int lineBytes = line(GOLDEN.get(0)).length() + 1;
    RequestLogWriter w = new RequestLogWriter(RequestLogOptions.of(file).withRotation(lineBytes * 5L, 2),
        written, dropped).start();
    for (int i = 0; i < 16; i++) {
      w.offer(GOLDEN.get(0));
    }
    Harness.await(Duration.ofSeconds(10), "16 records written", () -> written.count() == 16);
    w.close();

    assertThat(Files.readAllLines(file)).hasSize(1);
    assertThat(Files.readAllLines(RequestLogWriter.rotated(file, 1))).hasSize(5);
    assertThat(Files.readAllLines(RequestLogWriter.rotated(file, 2))).hasSize(5);
    assertThat(RequestLogWriter.rotated(file, 3)).doesNotExist();
  }

  @Test
  void aSampleRateOfZeroLogsNothing() {
    Counter c = new SimpleMeterRegistry().counter("c");
    RequestLogWriter none = new RequestLogWriter(RequestLogOptions.of(dir.resolve("x")).withSampleRate(0), c, c);
    RequestLogWriter all = new RequestLogWriter(RequestLogOptions.of(dir.resolve("y")), c, c);
    for (int i = 0; i < 100; i++) {
      assertThat(none.sampled()).isFalse();
      assertThat(all.sampled()).isTrue();
    }
  }

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
