package dev.sluice.server.observe;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.requestlog.RequestLogRecord;
import dev.sluice.server.Harness;
import dev.sluice.server.RequestLogOptions;
import dev.sluice.server.RequestLogSchema;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The request log's records and writer: golden lines, the schema, bounded buffering and rotation. */
class RequestLogWriterTest {

  /** The records behind src/test/resources/request-log/v2.jsonl, one per kind of line. */
  static final List<RequestLogRecord> GOLDEN = List.of(
      new RequestLogRecord(1_795_000_000_123L, "proxy", "acme-analytics", "premium", "POST", "/rate/llm/score",
          512, 87, 12_345_678, 200, true, "client", 3, 7996, 4000.0, 8000, "2m8k0q5v7c1ds-1f", "default", null,
          Double.NaN, 0.031),
      new RequestLogRecord(1_795_000_000_456L, "proxy", "203.0.113.9", "sandbox", "GET", "/rate/items",
          0, 310, -1, 429, false, "tier", 1, 0, 4000.0, 400, "2m8k0q5v7c1ds-1g", "default", null,
          Double.NaN, 0.874),
      new RequestLogRecord(1_795_000_001_000L, "decision", "apikey:1f2e3d4c5b6a79880a1b2c3d", "sandbox", null, null,
          0, 0, -1, 200, true, "client", 1, 1999, 1000.0, 2000, "2m8k0q5v7c1ds-1h", "shadow:default", null,
          3120.5, Double.NaN),
      new RequestLogRecord(1_795_000_002_000L, "feedback", "apikey:1f2e3d4c5b6a79880a1b2c3d", "sandbox", "GET",
          "/rate/items", 0, 0, 48_250_000, 503, null, null, 0, -1, Double.NaN, -1, "2m8k0q5v7c1ds-1h",
          "shadow:default", null, 3120.5, Double.NaN));

  @TempDir
  Path dir;

  static String line(RequestLogRecord r) {
    return r.toJson();
  }

  static byte[] golden(String version) throws IOException {
    try (var in = Objects.requireNonNull(RequestLogWriterTest.class.getResourceAsStream("/request-log/" + version))) {
      return in.readAllBytes();
    }
  }

  static List<String> goldenLines(String version) throws IOException {
    return new String(golden(version), StandardCharsets.UTF_8).lines().toList();
  }

  @Test
  void theWriterProducesTheV2GoldenFileByteForByte() throws IOException {
    Counter written = new SimpleMeterRegistry().counter("written");
    Path file = dir.resolve("golden.jsonl");
    try (RequestLogWriter w = new RequestLogWriter(RequestLogOptions.of(file), written, written).start()) {
      GOLDEN.forEach(w::offer);
    }
    assertThat(Files.readAllBytes(file)).isEqualTo(golden("v2.jsonl"));
  }

  @Test
  void goldenLinesOfEveryVersionMatchTheirSchemaAndAppearInTheDocs() throws IOException {
    String docs = Files.readString(Path.of("../docs/request-log.md"));
    for (String version : List.of("v1.jsonl", "v2.jsonl")) {
      List<String> lines = goldenLines(version);
      assertThat(lines).as(version).hasSize(4);
      for (String l : lines) {
        RequestLogSchema.check(Harness.JSON.readTree(l));
        assertThat(docs).contains(l);
      }
    }
  }

  @Test
  void aV2LineIsAV1LineWithSixFieldsAppended() throws IOException {
    // Same requests in both goldens: v2 keeps v1's sixteen fields, in order, with the same values.
    List<String> v1 = goldenLines("v1.jsonl");
    List<String> v2 = goldenLines("v2.jsonl");
    for (int i = 0; i < 3; i++) {
      var a = Harness.JSON.readTree(v1.get(i));
      var b = Harness.JSON.readTree(v2.get(i));
      for (String f : RequestLogSchema.FIELDS_V1) {
        if (!f.equals("v")) {
          assertThat(b.get(f)).as(i + ": " + f).isEqualTo(a.get(f));
        }
      }
    }
  }

  @Test
  void stringsAreEscapedAndTheLineStaysOneLine() throws IOException {
    RequestLogRecord r = new RequestLogRecord(0, "proxy", "a\"b\\c\n\u0001é", "t", "GET", "/x\ty", 0, 0, -1, 200,
        true, "client", 1, 0, 1.5, 1, "x-1", "static", null, Double.NaN, Double.NaN);
    String json = r.toJson();
    assertThat(json).doesNotContain("\n\"").contains("\"client\":\"a\\\"b\\\\c\\n\\u0001é\"")
        .contains("\"route\":\"/x\\ty\"");
    assertThat(Harness.JSON.readTree(json).get("client").asText()).isEqualTo("a\"b\\c\n\u0001é");
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
}
