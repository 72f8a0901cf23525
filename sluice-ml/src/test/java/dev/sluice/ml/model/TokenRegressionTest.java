package dev.sluice.ml.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.ml.data.RequestEvent;
import dev.sluice.ml.dataset.DatasetBuilder;
import dev.sluice.ml.dataset.DatasetOptions;
import dev.sluice.ml.dataset.DatasetSchema;
import dev.sluice.ml.dataset.FeatureRow;
import dev.sluice.ml.dataset.TimeSplit;
import dev.sluice.ml.registry.LoadedArtifact;
import dev.sluice.ml.registry.ModelMetadata;
import dev.sluice.ml.registry.ModelRegistry;
import dev.sluice.ml.registry.SchemaMismatchException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Token regression on a synthetic log whose next window is predictable, and its artifact round trip. */
class TokenRegressionTest {

  static final DatasetOptions OPTIONS = new DatasetOptions(10, 6, 3, 4);
  static final DatasetSchema SCHEMA = DatasetSchema.of(OPTIONS);
  static final Instant NOW = Instant.parse("2026-12-07T10:00:00Z");

  @TempDir
  Path dir;

  /**
   * Four clients over 400 windows of 10 s. Each alternates a busy and a quiet window (so "next =
   * this" is always wrong by the swing), with a seeded jitter; costs 1 to 3 tokens.
   */
  static List<RequestEvent> log() {
    Random random = new Random(7);
    long t0 = Instant.parse("2026-01-01T00:00:00Z").toEpochMilli();
    List<RequestEvent> events = new ArrayList<>();
    for (int w = 0; w < 400; w++) {
      for (int c = 0; c < 4; c++) {
        int n = (w % 2 == 0 ? 12 : 3) * (c + 1) + random.nextInt(3);
        for (int i = 0; i < n; i++) {
          long ms = t0 + w * 10_000L + random.nextInt(10_000);
          events.add(new RequestEvent(ms, "c" + c, "standard", 200, 100, 20 + random.nextInt(10), 1 + random.nextInt(3),
              false, true, 5, 10));
        }
      }
    }
    events.sort(java.util.Comparator.comparingLong(RequestEvent::epochMillis));
    return events;
  }

  static TimeSplit split(List<FeatureRow> rows) {
    return TokenRegression.split(rows, SCHEMA, 0.8);
  }

  @Test
  void bothModelsBeatTheLastWindowBaselineOnAPredictableSwing() {
    List<FeatureRow> rows = DatasetBuilder.build(log(), OPTIONS);
    TimeSplit split = split(rows);
    assertThat(split.train()).allMatch(r -> r.group().startsWith("client:"));
    assertThat(split.train()).allMatch(r -> TimeSplit.targetEnd(r, SCHEMA) <= split.cut());

    for (RegressionKind kind : RegressionKind.values()) {
      TokenRegression.Result r = TokenRegression.train(split, SCHEMA, kind);

      assertThat(r.test().baseline().rows()).isEqualTo(split.test().size());
      assertThat(r.test().model().mae()).as(TokenRegression.describe(r))
          .isLessThan(0.5 * r.test().baseline().mae());
      assertThat(r.test().model().rmse()).isLessThan(r.test().baseline().rmse());
      assertThat(r.model().features()).as("constant features are left out").doesNotContain("status_5xx", "error_ratio")
          .contains("tokens", "count_lag1");
    }
  }

  @Test
  void trainingIsDeterministic() {
    List<FeatureRow> rows = DatasetBuilder.build(log(), OPTIONS);
    for (RegressionKind kind : RegressionKind.values()) {
      double[] a = TokenRegression.train(split(rows), SCHEMA, kind).model().predict(split(rows).test());
      double[] b = TokenRegression.train(split(rows), SCHEMA, kind).model().predict(split(rows).test());
      assertThat(a).as(kind.label()).containsExactly(b);
    }
  }

  @Test
  void theArtifactRoundTripsWithItsGoldenMetadata() throws Exception {
    List<FeatureRow> rows = DatasetBuilder.build(log(), OPTIONS);
    TimeSplit split = split(rows);
    ModelRegistry registry = ModelRegistry.open(dir, InstantSource.fixed(NOW));
    for (RegressionKind kind : RegressionKind.values()) {
      TokenRegression.Result r = TokenRegression.train(split, SCHEMA, kind);
      ModelMetadata m = registry.register(r.toNewModel());

      LoadedArtifact artifact = registry.load(m.version(), SCHEMA.hash());
      TokenModel loaded = TokenModel.load(artifact, SCHEMA);
      assertThat(loaded.predict(split.test())).as(kind.label() + " predicts the same after the round trip")
          .containsExactly(r.model().predict(split.test()));
      assertThat(TokenEvaluation.of(loaded, split.test(), SCHEMA)).isEqualTo(r.test());

      String golden = new String(getClass().getResourceAsStream("/registry/token-" + kind.label() + ".json")
          .readAllBytes(), StandardCharsets.UTF_8);
      assertThat(stable(Files.readString(dir.resolve(m.version()).resolve("metadata.json"))))
          .as("metadata of a fixed log, clock and seed").isEqualTo(golden);
    }
    DatasetSchema other = DatasetSchema.of(new DatasetOptions(10, 6, 4, 4));
    assertThatThrownBy(() -> registry.load("1", other.hash())).isInstanceOf(SchemaMismatchException.class)
        .hasMessageStartingWith("model 1 was trained on feature schema " + SCHEMA.hash().substring(7, 15));
  }

  @Test
  void tooFewRowsIsAClearError() {
    List<FeatureRow> rows = DatasetBuilder.build(log().subList(0, 200), OPTIONS);
    assertThatThrownBy(() -> TokenRegression.train(split(rows), SCHEMA, RegressionKind.LINEAR))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("per-client rows");
  }

  /** Masks what differs between runs of the same training: the model file's hash (Tribuo's provenance holds the training time) and the JVM. */
  static String stable(String json) {
    return json.replaceAll("\"sha256\" : \"[0-9a-f]{64}\"", "\"sha256\" : \"(masked)\"")
        .replaceAll("\"java\" : \"[^\"]*\"", "\"java\" : \"(masked)\"");
  }
}
