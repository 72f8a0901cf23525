package dev.sluice.server.observe;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import dev.sluice.server.Harness;
import dev.sluice.server.RequestLogOptions;
import dev.sluice.server.RequestLogSchema;
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

/** The request log's records and writer: golden lines, the schema, bounded buffering and rotation. */
class RequestLogWriterTest {

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
    try (var in = Objects.requireNonNull(RequestLogWriterTest.class.getResourceAsStream("/request-log/v1.jsonl"))) {
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
}
