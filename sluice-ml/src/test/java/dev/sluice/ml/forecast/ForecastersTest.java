package dev.sluice.ml.forecast;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.sluice.ml.data.Series;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The forecasters: known answers on tiny series, no look-ahead, and metrics by hand. */
class ForecastersTest {

  /** Four days of 5-minute counts with a daily cycle and Poisson-like noise, fixed seed. */
  static Series diurnal(long seed) {
    Random random = new Random(seed);
    double[] y = new double[4 * 288];
    for (int t = 0; t < y.length; t++) {
      double mean = 100 + 60 * Math.sin(2 * Math.PI * t / 288.0);
      y[t] = Math.max(0, Math.round(mean + Math.sqrt(mean) * random.nextGaussian()));
    }
    return new Series("diurnal", 1_700_000_000L - 1_700_000_000L % 86_400, 300, y);
  }

  @Test
  void naiveAndEwmaByHand() {
    Series s = new Series("s", 0, 60, new double[] {10, 20, 30, 40});

    assertThat(Forecasters.of("naive").predict(s, 3, 1)).containsExactly(Double.NaN, 10, 20, 30);
    assertThat(Forecasters.of("naive").predict(s, 3, 2)).containsExactly(Double.NaN, Double.NaN, 10, 20);
    // L0 = 10, L1 = 0.3·20 + 0.7·10 = 13, L2 = 0.3·30 + 0.7·13 = 18.1
    assertThat(Forecasters.of("ewma").predict(s, 3, 1)).containsExactly(new double[] {Double.NaN, 10, 13, 18.1},
        within(1e-12));
  }

  @Test
  void seasonalNaiveTakesTheSameWindowADayEarlier() {
    Series s = diurnal(1);
    double[] f = Forecasters.of("seasonal-naive").predict(s, 800, 1);

    assertThat(f[288]).isEqualTo(s.values()[0]);
    assertThat(f[1000]).isEqualTo(s.values()[712]);
    assertThatThrownBy(() -> Forecasters.of("seasonal-naive").predict(new Series("s", 0, 300, new double[100]), 80, 1))
        .hasMessageContaining("expected: more than one day");
  }

  @Test
  void metricsByHand() {
    double[] actual = {10, 0, 20};
    double[] predicted = {12, 0, 10};
    Metrics m = Metrics.of(actual, predicted, new double[] {9, -1, 21}, new double[] {13, 1, 30}, 4);

    assertThat(m.mae()).isEqualTo(4);
    assertThat(m.mape()).as("the zero actual is left out").isCloseTo((0.2 + 0.5) / 2 * 100, within(1e-9));
    assertThat(m.smape()).isCloseTo((2 * 2 / 22.0 + 0 + 2 * 10 / 30.0) / 3 * 100, within(1e-9));
    assertThat(m.mase()).isEqualTo(1);
    assertThat(m.coverage()).isCloseTo(200 / 3.0, within(1e-9));
    // in-sample seasonal naive at lag 2 over y[0, 5): |3-1|, |4-2|, |9-3| -> 10/3
    assertThat(Metrics.maseScale(new double[] {1, 2, 3, 4, 9, 100}, 5, 2)).isCloseTo(10 / 3.0, within(1e-12));
    assertThat(Metrics.maseScale(new double[] {1, 2, 3, 4, 9, 100}, 5, 3)).as("too short for lag 3: lag 1")
        .isCloseTo((1 + 1 + 1 + 5) / 4.0, within(1e-12));
  }

  @ParameterizedTest
  @ValueSource(strings = {"naive", "seasonal-naive", "ewma", "holt-winters", "xgboost", "auto"})
  void noForecastReadsItsTargetOrLaterAndTheTestPartFitsNothing(String name) {
    Series s = diurnal(7);
    int trainEnd = 900;
    int horizon = 3;
    double[] base = Forecasters.of(name).predict(s, trainEnd, horizon);
    int k = 1000;
    double[] changed = s.values();
    for (int t = k; t < changed.length; t++) {
      changed[t] = changed[t] * 3 + 50;
    }
    double[] after = Forecasters.of(name).predict(new Series("s", s.startEpochSecond(), 300, changed), trainEnd, horizon);

    for (int t = 0; t < k + horizon; t++) {
      assertThat(Double.doubleToLongBits(after[t])).as("%s, window %d", name, t)
          .isEqualTo(Double.doubleToLongBits(base[t]));
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"naive", "seasonal-naive", "ewma", "holt-winters", "xgboost"})
  void theBacktestOfADiurnalSeriesIsDeterministicAndItsIntervalsCoverAboutNinetyPercent(String name) {
    BacktestResult a = Backtest.run(diurnal(3), Forecasters.of(name), 0.75, 1);
    BacktestResult b = Backtest.run(diurnal(3), Forecasters.of(name), 0.75, 1);

    assertThat(a.predicted()).containsExactly(b.predicted());
    assertThat(a.metrics()).isEqualTo(b.metrics());
    assertThat(a.metrics().n()).isEqualTo(288);
    assertThat(a.metrics().coverage()).as(name).isBetween(75.0, 99.0);
    for (int i = 0; i < a.predicted().length; i++) {
      assertThat(a.lower()[i]).isLessThanOrEqualTo(a.predicted()[i] + 1e-9);
      assertThat(a.upper()[i]).isGreaterThanOrEqualTo(a.predicted()[i] - 1e-9);
    }
  }

  @Test
  void aModelThatKnowsTheSeasonBeatsNaiveOnADiurnalSeries() {
    Series s = diurnal(5);
    double naive = Backtest.run(s, Forecasters.of("naive"), 0.75, 6).metrics().mase();

    assertThat(Backtest.run(s, Forecasters.of("holt-winters"), 0.75, 6).metrics().mase()).isLessThan(naive);
    assertThat(Backtest.run(s, Forecasters.of("xgboost"), 0.75, 6).metrics().mase()).isLessThan(naive);
  }

  @Test
  void badArgumentsAreRefusedWithTheExpectedRange() {
    Series s = diurnal(1);

    assertThatThrownBy(() -> Forecasters.of("naive").predict(s, 800, 0)).hasMessage("horizon: 0 (expected: >= 1)");
    assertThatThrownBy(() -> Backtest.run(s, Forecasters.of("naive"), 1.0, 1))
        .hasMessage("train-fraction: 1.0 (expected: 0 < f < 1)");
    assertThatThrownBy(() -> Forecasters.of("lstm")).hasMessageStartingWith("model: lstm (expected: one of auto, naive");
  }
}
