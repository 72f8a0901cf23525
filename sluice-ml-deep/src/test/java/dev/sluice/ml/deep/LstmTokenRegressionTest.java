package dev.sluice.ml.deep;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.sluice.ml.data.RequestEvent;
import dev.sluice.ml.dataset.DatasetBuilder;
import dev.sluice.ml.dataset.DatasetOptions;
import dev.sluice.ml.dataset.DatasetSchema;
import dev.sluice.ml.dataset.FeatureRow;
import dev.sluice.ml.dataset.TimeSplit;
import dev.sluice.ml.model.TokenEvaluation;
import dev.sluice.ml.model.TokenModels;
import dev.sluice.ml.model.TokenRegression;
import dev.sluice.ml.model.TokenRegressor;
import dev.sluice.ml.model.TrainedTokenModel;
import dev.sluice.ml.registry.ModelMetadata;
import dev.sluice.ml.registry.ModelRegistry;
import dev.sluice.ml.registry.SchemaMismatchException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The token regression LSTM trains a few epochs offline on a small hand-made log whose next
 * window is predictable from the windows before it, with fixed seeds; its artifact round trip.
 */
class LstmTokenRegressionTest {

  static final DatasetOptions OPTIONS = new DatasetOptions(10, 6, 3, 4);
  static final DatasetSchema SCHEMA = DatasetSchema.of(OPTIONS);
  /** Small enough to train in a few seconds on one thread. */
  static final LstmTokenRegression SMALL = new LstmTokenRegression(4, 16, 12, 32, 0.01, 3, 0.1, true, 7);

  @TempDir
  Path dir;

  /**
   * Four clients over 400 windows of 10 s, each on a three-window cycle (busy, medium, quiet) with
   * a seeded jitter: the next window follows from the last two, never from the last one alone.
   */
  static List<RequestEvent> log() {
    Random random = new Random(11);
    long t0 = Instant.parse("2026-01-01T00:00:00Z").toEpochMilli();
    int[] cycle = {12, 6, 2};
    List<RequestEvent> events = new ArrayList<>();
    for (int w = 0; w < 400; w++) {
      for (int c = 0; c < 4; c++) {
        int n = cycle[(w + c) % 3] * (c + 1) + random.nextInt(3);
        for (int i = 0; i < n; i++) {
          long ms = t0 + w * 10_000L + random.nextInt(10_000);
          events.add(new RequestEvent(ms, "c" + c, "standard", 200, 100, 20 + random.nextInt(10), 1 + random.nextInt(3),
              false, true, 5, 10));
        }
      }
    }
    events.sort(Comparator.comparingLong(RequestEvent::epochMillis));
    return events;
  }

  static List<FeatureRow> clientRows() {
    return TokenRegression.clientRows(DatasetBuilder.build(log(), OPTIONS));
  }

  @Test
  void beatsTheLastWindowBaselineOnACycleTheSequenceReveals() {
    List<FeatureRow> rows = clientRows();
    TimeSplit split = TimeSplit.of(rows, SCHEMA, 0.8);
    List<String> epochs = new ArrayList<>();

    TrainedTokenModel r = SMALL.train(rows, split, SCHEMA, epochs::add);

    assertThat(epochs).isNotEmpty().first().asString().startsWith("lstm epoch 1/12, validation loss ");
    assertThat(r.test().baseline().rows()).isEqualTo(split.test().size());
    assertThat(r.test().model().mae()).as("%s vs baseline %s", r.test().model(), r.test().baseline())
        .isLessThan(0.5 * r.test().baseline().mae());
    assertThat(r.model().features()).doesNotContain("status_5xx", "error_ratio").contains("tokens", "count_lag1");
  }

  @Test
  void trainingIsDeterministic() {
    List<FeatureRow> rows = clientRows();
    TimeSplit split = TimeSplit.of(rows, SCHEMA, 0.8);
    double[] a = SMALL.train(rows, split, SCHEMA, m -> {}).model().predict(rows);
    double[] b = SMALL.train(rows, split, SCHEMA, m -> {}).model().predict(rows);
    assertThat(a).containsExactly(b);
  }

  @Test
  void nothingAfterTheTrainingPartIsLearntAndNoPredictionReadsAheadOfItsRow() {
    List<FeatureRow> rows = clientRows();
    TimeSplit split = TimeSplit.of(rows, SCHEMA, 0.8);
    // The same training rows, but every row from the cut on (features and targets) made up.
    List<FeatureRow> altered = rows.stream().map(r -> r.windowStart() < split.cut() ? r : scaled(r, 3)).toList();
    TimeSplit alteredSplit = TimeSplit.of(altered, SCHEMA, 0.8);
    assertThat(alteredSplit.train()).isEqualTo(split.train());

    LstmTokenModel a = (LstmTokenModel) SMALL.train(rows, split, SCHEMA, m -> {}).model();
    LstmTokenModel b = (LstmTokenModel) SMALL.train(altered, alteredSplit, SCHEMA, m -> {}).model();
    assertThat(b.predict(split.train())).containsExactly(a.predict(split.train()));
    assertThat(b.mean()).containsExactly(LstmTokenRegression.moments(split.train(), SCHEMA, a.features())[0]);

    // A row's prediction is the same whether the rows after it are there or not (up to float
    // rounding: PyTorch sums in another order for another batch size).
    int k = rows.indexOf(split.test().get(10));
    double[] withFuture = a.predict(rows);
    double[] without = a.predict(rows.subList(0, k + 1));
    assertThat(without[k]).isCloseTo(withFuture[k], within(1e-4 * Math.max(1, withFuture[k])));
  }

  @Test
  void theArtifactRoundTripsWithItsGoldenMetadataAndAnotherSchemaIsRefused() throws Exception {
    List<FeatureRow> rows = clientRows();
    TimeSplit split = TimeSplit.of(rows, SCHEMA, 0.8);
    TrainedTokenModel r = SMALL.train(rows, split, SCHEMA, m -> {});
    ModelRegistry registry = ModelRegistry.open(dir, InstantSource.fixed(Instant.parse("2026-12-07T10:00:00Z")));
    ModelMetadata m = registry.register(r.artifact());

    TokenRegressor loaded = TokenModels.load(registry.load(m.version(), SCHEMA.hash()), SCHEMA);
    assertThat(loaded).isInstanceOf(LstmTokenModel.class);
    assertThat(loaded.predict(rows)).as("predictions after the round trip").containsExactly(r.model().predict(rows));
    assertThat(TokenEvaluation.of(LstmTokenRegression.predictTest((LstmTokenModel) loaded, rows, split), split.test(),
        SCHEMA)).isEqualTo(r.test());

    String golden = new String(getClass().getResourceAsStream("/registry/token-lstm.json").readAllBytes(),
        StandardCharsets.UTF_8);
    assertThat(stable(Files.readString(dir.resolve(m.version()).resolve("metadata.json"))))
        .as("metadata of a fixed log, clock and seed").isEqualTo(golden);

    DatasetSchema other = DatasetSchema.of(new DatasetOptions(10, 6, 4, 4));
    assertThatThrownBy(() -> registry.load(m.version(), other.hash())).isInstanceOf(SchemaMismatchException.class)
        .hasMessageStartingWith("model 1 was trained on feature schema " + SCHEMA.hash().substring(7, 15));
  }

  @Test
  void calendarFeaturesAreUsedOnlyWhenTheTrainingPartCoversTheirCycle() {
    // 10-minute windows, one request per client per window, over two days and then over 20 hours.
    DatasetOptions options = new DatasetOptions(600, 6, 3, 4);
    DatasetSchema schema = DatasetSchema.of(options);
    long t0 = Instant.parse("2026-01-01T00:00:00Z").toEpochMilli();
    List<RequestEvent> events = new ArrayList<>();
    for (int w = 0; w < 2 * 144; w++) {
      for (int c = 0; c < 2; c++) {
        events.add(new RequestEvent(t0 + w * 600_000L + c, "c" + c, "standard", 200, 100, 20, 1 + (w % 3), false, true,
            5, 10));
      }
    }
    List<FeatureRow> twoDays = TokenRegression.clientRows(DatasetBuilder.build(events, options));
    List<FeatureRow> hours = twoDays.stream().filter(r -> r.windowStart() < t0 / 1000 + 20 * 3600).toList();

    assertThat(LstmTokenRegression.features(twoDays, schema)).contains("hour_sin", "hour_cos")
        .doesNotContain("dow_sin", "dow_cos");
    assertThat(LstmTokenRegression.features(hours, schema)).doesNotContain("hour_sin", "hour_cos", "dow_sin", "dow_cos")
        .contains("tokens");
  }

  @Test
  void aFileThatIsNotAnLstmTokenModelIsAClearError() throws Exception {
    Path file = dir.resolve("model.lstm");
    Files.writeString(file, "not a model");
    assertThatThrownBy(() -> LstmTokenModel.read(file, SCHEMA)).isInstanceOf(IOException.class)
        .hasMessageContaining("model.lstm");
  }

  @Test
  void tooFewRowsIsAClearError() {
    List<FeatureRow> rows = clientRows().stream().filter(r -> r.windowStart() % 1000 < 300).toList();
    List<FeatureRow> few = rows.subList(0, 60);
    TimeSplit split = TimeSplit.of(few, SCHEMA, 0.8);
    assertThatThrownBy(() -> SMALL.train(few, split, SCHEMA, m -> {})).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("per-client rows");
  }

  private static FeatureRow scaled(FeatureRow r, double factor) {
    double[] v = r.values();
    return new FeatureRow(r.windowStart(), r.group(), Arrays.stream(v).map(x -> x * factor).toArray());
  }

  /** Masks what differs between machines: the model file's hash, the metrics' last digits, the JVM. */
  static String stable(String json) {
    return json.replaceAll("\"sha256\" : \"[0-9a-f]{64}\"", "\"sha256\" : \"(masked)\"")
        .replaceAll("\"java\" : \"[^\"]*\"", "\"java\" : \"(masked)\"")
        .replaceAll("(\"(mae|rmse|train_mae)\" : )[0-9.E-]+", "$1(masked)");
  }
}
