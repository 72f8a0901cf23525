package dev.sluice.ml.live;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.adaptive.DemandForecaster;
import dev.sluice.ml.forecast.OnlineForecasters;
import dev.sluice.ml.registry.ModelMetadata;
import dev.sluice.ml.registry.ModelRegistry;
import dev.sluice.ml.registry.NewModel;
import dev.sluice.ml.registry.SchemaMismatchException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.InstantSource;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Demand models in the registry: round trip, schema refusal, and retrains that activate only when they beat. */
class DemandModelTest {

  private static final Instant NOW = Instant.parse("2026-12-07T10:00:00Z");

  @TempDir
  Path dir;

  private ModelRegistry open() throws Exception {
    return ModelRegistry.open(dir, InstantSource.fixed(NOW));
  }

  /** A daily-looking demand series with noise: a sine over {@code n} windows. */
  private static double[] series(int n, long seed, double noise) {
    Random r = new Random(seed);
    double[] y = new double[n];
    for (int i = 0; i < n; i++) {
      y[i] = Math.max(0, 600 + 300 * Math.sin(i / 40.0) + r.nextGaussian() * noise);
    }
    return y;
  }

  @Test
  void aRegisteredModelLoadsAsTheSameForecasterUnderItsVersion() throws Exception {
    ModelRegistry r = open();
    double[] y = series(400, 1, 20);
    DemandModel.Trained t = DemandModel.train(y, 1, NOW);
    ModelMetadata m = r.register(t.model());
    assertThat(m.kind()).isEqualTo("demand-holt");
    assertThat(m.metric("backtest_mae")).isEqualTo(t.backtestMae());
    assertThat(DemandModel.deciles(m)).hasSize(11);
    DemandForecaster f = DemandModel.forecaster(r.load(m.version(), DemandModel.SCHEMA_HASH));
    assertThat(f.version()).isEqualTo(m.version());
    double[] h = Arrays.copyOf(y, 300);
    assertThat(f.forecast(h, 1)).isEqualTo(OnlineForecasters.holt(t.params(), "x").forecast(h, 1));
  }

  @Test
  void aModelOfAnotherFeatureSchemaIsRefused() throws Exception {
    ModelRegistry r = open();
    ModelMetadata tokens = r.register(new NewModel("xgboost", "tokens_next", "sha256:" + "1".repeat(64), 10,
        List.of("count"), NOW, NOW, 10, Map.of(), Map.of(), Map.of(), "model.bin",
        p -> Files.writeString(p, "x")));
    assertThatThrownBy(() -> r.load(tokens.version(), DemandModel.SCHEMA_HASH))
        .isInstanceOf(SchemaMismatchException.class).hasMessageContaining("retrain with sluice train");
  }

  @Test
  void aRetrainThatDoesNotBeatTheActiveModelIsNotActivated() throws Exception {
    ModelRegistry r = open();
    double[] y = series(400, 2, 30);
    DemandRetrain.Result first = DemandRetrain.run(r, y, 1, NOW);
    assertThat(first.activated()).isTrue(); // nothing was active
    assertThat(first.activeMae()).isNaN();
    // The same data again: the candidate ties the active model on the same tail, which is not a win.
    DemandRetrain.Result second = DemandRetrain.run(r, y, 1, NOW);
    assertThat(second.candidateMae()).isEqualTo(second.activeMae());
    assertThat(second.activated()).isFalse();
    assertThat(r.activeVersion()).contains(first.version());
    assertThat(r.list()).hasSize(2); // registered for the record all the same
  }

  @Test
  void aRetrainThatBeatsTheActiveModelIsActivated() throws Exception {
    ModelRegistry r = open();
    // active: fitted on a flat, very noisy regime (heavy smoothing), then the traffic becomes a clean ramp
    double[] flat = series(400, 3, 400);
    DemandRetrain.run(r, flat, 1, NOW);
    double[] ramp = new double[400];
    for (int i = 0; i < ramp.length; i++) {
      ramp[i] = 100 + 5 * i;
    }
    DemandRetrain.Result next = DemandRetrain.run(r, ramp, 1, NOW);
    assertThat(next.candidateMae()).isLessThan(next.activeMae());
    assertThat(next.activated()).isTrue();
    assertThat(r.activeVersion()).contains(next.version());
  }
}
