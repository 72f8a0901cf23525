package dev.sluice.ml.deep;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDManager;
import dev.sluice.ml.data.Series;
import dev.sluice.ml.forecast.Backtest;
import dev.sluice.ml.forecast.Forecaster;
import dev.sluice.ml.forecast.Forecasters;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The LSTM trains a few epochs offline (no network: surefire sets {@code ai.djl.offline}, and the
 * natives come from the pytorch-native-cpu jar) on small synthetic series, with fixed seeds.
 */
class LstmForecasterTest {

  /** Small enough to train in a few seconds on one thread. */
  static final LstmForecaster SMALL = new LstmForecaster(12, 16, 40, 32, 0.01, 8, 0.1, true, 1, 7);

  @Test
  void theEngineLoadsFromTheBundledNativesOffline() {
    Engine engine = Torch.engine();

    assertThat(engine.getEngineName()).isEqualTo("PyTorch");
    assertThat(engine.getVersion()).isEqualTo("2.7.1");
    assertThat(System.getProperty("ai.djl.offline")).isEqualTo("true");
    try (NDManager m = engine.newBaseManager()) {
      assertThat(m.create(new float[] {1, 2, 3}).mul(2).sum().getFloat()).isEqualTo(12f);
    }
  }

  @Test
  void beatsTheNaiveForecasterOnASeasonalSeries() {
    Series s = diurnal(10, 3, 3);

    double naive = Backtest.run(s, Forecasters.of("naive"), 0.8, 1).metrics().mase();
    double lstm = Backtest.run(s, SMALL, 0.8, 1).metrics().mase();

    // A daily sine plus a little noise: the naive forecast lags the slope; the shape is learnable.
    // Measured 0.47 × naive here (0.43-0.50 over 4 other seeds and 2 series; the defaults, 3
    // networks, 0.51); a model that learnt nothing forecasts the origin's value: about 1.0 × naive.
    assertThat(lstm).isLessThan(0.7 * naive);
  }

  @Test
  void aForecastReadsNothingAfterItsOrigin() {
    Series s = diurnal(8, 5);
    int trainEnd = 300;
    int horizon = 3;
    int changedFrom = 340;
    double[] changed = s.values();
    for (int i = changedFrom; i < changed.length; i++) {
      changed[i] = changed[i] * 3 + 1000;
    }

    double[] base = SMALL.predict(s, trainEnd, horizon);
    double[] after = SMALL.predict(new Series("s", s.startEpochSecond(), s.stepSeconds(), changed), trainEnd, horizon);

    // every forecast made at an origin before the change is bit for bit the same
    int firstAffected = changedFrom + horizon;
    assertThat(Arrays.copyOf(after, firstAffected)).containsExactly(Arrays.copyOf(base, firstAffected));
    assertThat(after[firstAffected]).isNotEqualTo(base[firstAffected]);
    assertThat(Arrays.stream(base, trainEnd, base.length).allMatch(Double::isFinite)).isTrue();
  }

  @Test
  void theSameInputGivesTheSameForecasts() {
    Series s = diurnal(6, 11);

    assertThat(SMALL.predict(s, 230, 1)).containsExactly(SMALL.predict(s, 230, 1));
  }

  @Test
  void lstmIsFoundByNameThroughTheProvider() {
    assertThat(Forecasters.names()).contains("lstm");
    Forecaster f = Forecasters.of("lstm");
    assertThat(f.name()).isEqualTo("lstm");
    assertThat(f).isEqualTo(LstmForecaster.defaults());
    assertThatThrownBy(() -> Forecasters.of("lstn")).hasMessageStartingWith("model: lstn (expected: one of auto,")
        .hasMessageEndingWith(", lstm)");
  }

  @Test
  void badArgumentsAreRejectedWithTheirValue() {
    Series s = diurnal(6, 1);
    assertThatThrownBy(() -> SMALL.predict(s, 200, 0)).hasMessage("horizon: 0 (expected: >= 1)");
    assertThatThrownBy(() -> SMALL.predict(s, 1, 1)).hasMessage("trainEnd: 1 (expected: 2..288)");
    assertThatThrownBy(() -> SMALL.predict(s, 60, 1))
        .hasMessage("lstm: the training part holds 60 windows (expected: more than 86 for 12 lags, horizon 1 and"
            + " batches of 32)");
    assertThatThrownBy(() -> new LstmForecaster(0, 16, 10, 32, 0.01, 3, 0.1, true, 1, 1))
        .hasMessage("lags: 0 (expected: >= 1)");
    assertThatThrownBy(() -> new LstmForecaster(12, 16, 10, 32, 1.5, 3, 0.1, true, 1, 1))
        .hasMessage("learningRate: 1.5 (expected: 0 < rate < 1)");
    assertThatThrownBy(() -> new LstmForecaster(12, 16, 10, 32, 0.01, 3, 0.7, true, 1, 1))
        .hasMessage("validation: 0.7 (expected: 0 < share < 0.5)");
    assertThatThrownBy(() -> new LstmForecaster(12, 16, 10, 32, 0.01, 3, 0.1, true, 0, 1))
        .hasMessage("members: 0 (expected: >= 1)");
    assertThatThrownBy(() -> new DeepForecasters().create("gru")).hasMessage("model: gru (expected: one of lstm)");
  }

  /** {@code days} days at 30-minute windows: a daily sine around 100 plus Gaussian noise (seeded). */
  static Series diurnal(int days, long seed) {
    return diurnal(days, seed, 8);
  }

  static Series diurnal(int days, long seed, double noise) {
    Random r = new Random(seed);
    double[] y = new double[days * 48];
    for (int i = 0; i < y.length; i++) {
      y[i] = Math.max(0, Math.round(100 + 60 * Math.sin(2 * Math.PI * i / 48.0) + noise * r.nextGaussian()));
    }
    return new Series("diurnal", 1_700_000_000L - 1_700_000_000L % 86_400, 1800, y);
  }
}
