package dev.sluice.ml.dataset;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.sluice.ml.data.RequestEvent;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Feature extraction on a hand-made log with known answers, the time split, and the files. */
class DatasetBuilderTest {

  /** Monday 16 November 2026, 00:00:00 UTC. */
  static final long T0 = Instant.parse("2026-11-16T00:00:00Z").toEpochMilli();
  static final DatasetOptions OPTIONS = new DatasetOptions(10, 2, 2, 1);
  static final DatasetSchema SCHEMA = DatasetSchema.of(OPTIONS);

  static RequestEvent event(long ms, String client, String tier, int status, long bytes, double latency, double cost,
      Boolean denied, double remaining, double burst) {
    return new RequestEvent(T0 + ms, client, tier, status, bytes, latency, cost, Boolean.TRUE.equals(denied),
        denied != null, remaining, burst);
  }

  static final List<RequestEvent> LOG = List.of(
      event(1_000, "a", "free", 200, 100, 10, 1, false, 9, Double.NaN),
      event(2_000, "a", "free", 200, 100, 20, 2, false, 7, Double.NaN),
      event(9_999, "b", "pro", 503, 50, 30, 3, false, 5, 10),
      event(15_000, "b", "pro", 429, 0, Double.NaN, 1, true, 0, 10),
      event(31_000, "a", "free", 200, 10, 40, 1, false, 6, Double.NaN),
      event(45_000, "a", "free", 200, 0, 5, 1, false, 5, Double.NaN));

  @Test
  void theHandMadeLogGivesTheKnownFeatures() {
    List<FeatureRow> rows = DatasetBuilder.build(LOG, OPTIONS);

    assertThat(rows).extracting(FeatureRow::group).containsExactly("global", "global", "global", "tier:free",
        "tier:free", "tier:free", "tier:pro", "tier:pro", "tier:pro", "client:a", "client:a", "client:a");
    FeatureRow g0 = rows.get(0);
    assertThat(g0.windowStart()).isEqualTo(T0 / 1000);
    assertThat(values(g0, "count", "tokens", "bytes", "latency_p50_ms", "latency_p95_ms", "status_2xx", "status_5xx",
        "error_ratio", "denial_ratio", "count_1m", "count_lag1", "count_lag2", "tokens_lag1", "tokens_next",
        "count_next_2"))
        .containsExactly(new double[] {3, 6, 250, 20, 30, 2 / 3.0, 1 / 3.0, 1 / 3.0, 0, 3, 0, 0, 0, 1, 1}, within(1e-12));
    assertThat(g0.get(SCHEMA, "occupancy_lag1")).isNaN();
    assertThat(values(g0, "hour_sin", "hour_cos", "dow_sin", "dow_cos")).as("Monday, midnight")
        .containsExactly(new double[] {0, 1, 0, 1}, within(1e-12));

    FeatureRow g1 = rows.get(1);
    assertThat(values(g1, "count", "tokens", "status_4xx", "error_ratio", "denial_ratio", "occupancy_lag1", "count_1m",
        "count_lag1", "tokens_lag1", "tokens_next", "count_next_2"))
        .containsExactly(new double[] {1, 1, 1, 0, 1, 0.5, 4, 3, 6, 0, 1}, within(1e-12));
    assertThat(g1.get(SCHEMA, "latency_p50_ms")).isNaN();
    assertThat(values(g1, "hour_sin")).containsExactly(new double[] {Math.sin(2 * Math.PI * 10 / 86_400.0)},
        within(1e-15));

    FeatureRow g2 = rows.get(2);
    assertThat(values(g2, "count", "occupancy_lag1", "count_1m", "count_lag1", "count_lag2", "tokens_next",
        "count_next_2")).containsExactly(0, 0, 4, 1, 3, 1, 2);
    assertThat(g2.get(SCHEMA, "error_ratio")).isNaN();
    assertThat(g2.get(SCHEMA, "denial_ratio")).isNaN();

    assertThat(values(rows.get(6), "count", "tokens", "error_ratio")).as("tier:pro, window 0").containsExactly(1, 3, 1);
    assertThat(values(rows.get(9), "count", "tokens", "bytes")).as("client:a, the busiest").containsExactly(2, 3, 200);
  }

  @Test
  void rollingCountsSpanOneFiveAndFifteenMinutes() {
    List<RequestEvent> log = new ArrayList<>();
    for (int s = 0; s < 1_200; s++) {
      log.add(event(s * 1000L, "c", "t", 200, 0, 1, 1, null, Double.NaN, Double.NaN));
    }
    List<FeatureRow> rows = DatasetBuilder.build(log, new DatasetOptions(10, 1, 1, 0));
    DatasetSchema schema = DatasetSchema.of(new DatasetOptions(10, 1, 1, 0));

    FeatureRow late = rows.get(100); // window 100: 1,000..1,009 s
    assertThat(values(late, schema, "count", "count_1m", "count_5m", "count_15m")).containsExactly(10, 60, 300, 900);
    assertThat(values(rows.get(2), schema, "count_1m", "count_15m")).as("the log's start counts as silence")
        .containsExactly(30, 30);
  }

  @Test
  void featuresReadNoLaterWindowAndTheSplitLeaksNoTarget() {
    Random random = new Random(42);
    List<RequestEvent> log = new ArrayList<>();
    for (int i = 0; i < 5_000; i++) {
      log.add(event(random.nextInt(3_600_000), "c" + random.nextInt(30), random.nextBoolean() ? "free" : "pro",
          random.nextInt(10) == 0 ? 503 : 200, random.nextInt(1000), random.nextDouble() * 100, 1 + random.nextInt(5),
          random.nextInt(20) == 0, random.nextInt(100), 100));
    }
    DatasetOptions options = DatasetOptions.defaults();
    DatasetSchema schema = DatasetSchema.of(options);
    List<FeatureRow> rows = DatasetBuilder.build(log, options);

    TimeSplit split = TimeSplit.of(rows, schema, 0.8);

    assertThat(split.train()).isNotEmpty();
    assertThat(split.test()).isNotEmpty();
    long lastTarget = split.train().stream().mapToLong(r -> TimeSplit.targetEnd(r, schema)).max().orElseThrow();
    long firstTest = split.test().stream().mapToLong(FeatureRow::windowStart).min().orElseThrow();
    assertThat(lastTarget).as("no training target reads a test window").isLessThanOrEqualTo(split.cut());
    assertThat(firstTest).isEqualTo(split.cut());
    assertThat(split.train().size() + split.test().size()).as("the embargo drops the horizon's rows per group")
        .isEqualTo(rows.size() - 23 * options.horizonWindows());

    // Features of a window are the same whether or not the log goes on after it.
    long cutMillis = split.cut() * 1000;
    List<FeatureRow> truncated = DatasetBuilder.build(log.stream().filter(e -> e.epochMillis() < cutMillis).toList(),
        options);
    int features = schema.features().size();
    int checked = 0;
    for (FeatureRow t : truncated) {
      FeatureRow full = rows.stream().filter(r -> r.windowStart() == t.windowStart() && r.group().equals(t.group()))
          .findFirst().orElse(null);
      if (full == null) {
        continue; // a client among the busiest in the shorter log only
      }
      assertThat(Arrays.copyOf(t.values(), features)).as(t.group() + " " + t.windowStart())
          .containsExactly(Arrays.copyOf(full.values(), features));
      checked++;
    }
    assertThat(checked).isGreaterThan(1000);
  }

  @Test
  void writesTheCsvAndTheGoldenSchema(@TempDir Path dir) throws Exception {
    Path csv = dir.resolve("dataset.csv");

    Path schemaFile = DatasetWriter.write(DatasetBuilder.build(LOG, OPTIONS), SCHEMA, csv);

    List<String> lines = Files.readAllLines(csv);
    assertThat(lines).hasSize(13);
    assertThat(lines.get(0)).isEqualTo("window_start,group,count,tokens,bytes,latency_p50_ms,latency_p95_ms,"
        + "status_2xx,status_3xx,status_4xx,status_5xx,error_ratio,denial_ratio,occupancy_lag1,hour_sin,hour_cos,"
        + "dow_sin,dow_cos,count_1m,count_5m,count_15m,count_lag1,count_lag2,tokens_lag1,tokens_next,count_next_2");
    assertThat(lines.get(1)).isEqualTo("2026-11-16T00:00:00Z,global,3,6,250,20,30,0.666667,0,0,0.333333,0.333333,0,,"
        + "0,1,0,1,3,3,3,0,0,0,1,1");
    assertThat(schemaFile.getFileName().toString()).isEqualTo("dataset.schema.json");
    String golden = new String(getClass().getResourceAsStream("/dataset/schema-v1.json").readAllBytes(),
        java.nio.charset.StandardCharsets.UTF_8);
    Path defaults = DatasetWriter.write(List.of(), DatasetSchema.of(DatasetOptions.defaults()), dir.resolve("d.csv"));
    assertThat(Files.readString(defaults)).as("the default schema, byte for byte").isEqualTo(golden);
    assertThat(SCHEMA.hash()).matches("sha256:[0-9a-f]{64}").isNotEqualTo(DatasetSchema.of(DatasetOptions.defaults()).hash());
  }

  private static double[] values(FeatureRow r, String... names) {
    return values(r, SCHEMA, names);
  }

  private static double[] values(FeatureRow r, DatasetSchema schema, String... names) {
    return Arrays.stream(names).mapToDouble(n -> r.get(schema, n)).toArray();
  }
}
