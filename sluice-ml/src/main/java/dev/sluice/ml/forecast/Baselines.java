package dev.sluice.ml.forecast;

import dev.sluice.ml.data.Series;
import java.util.Arrays;

/** The simple forecasters: naive, seasonal naive and EWMA. Immutable. */
final class Baselines {

  private Baselines() {}

  /** The last value seen: {@code y[t-h]}. */
  record Naive() implements Forecaster {
    @Override
    public String name() {
      return "naive";
    }

    @Override
    public double[] predict(Series series, int trainEnd, int horizon) {
      Forecaster.check(series, trainEnd, horizon);
      double[] y = series.values();
      double[] f = nan(y.length);
      for (int t = horizon; t < y.length; t++) {
        f[t] = y[t - horizon];
      }
      return f;
    }
  }

  /** The value one season (a day) earlier, or as many seasons as the horizon needs. */
  record SeasonalNaive() implements Forecaster {
    @Override
    public String name() {
      return "seasonal-naive";
    }

    @Override
    public double[] predict(Series series, int trainEnd, int horizon) {
      Forecaster.check(series, trainEnd, horizon);
      int m = Forecaster.dailyPeriod(series);
      if (m < 1 || m >= trainEnd) {
        throw new IllegalArgumentException("seasonal-naive: the training part holds " + trainEnd
            + " windows of " + series.stepSeconds() + " s (expected: more than one day)");
      }
      int lag = m * ((horizon + m - 1) / m);
      double[] y = series.values();
      double[] f = nan(y.length);
      for (int t = lag; t < y.length; t++) {
        f[t] = y[t - lag];
      }
      return f;
    }
  }

  /**
   * The exponentially weighted moving average {@code L_t = α·y_t + (1-α)·L_{t-1}}, {@code L_0 =
   * y_0}; the forecast of {@code y[t]} is {@code L_{t-h}}.
   */
  record Ewma(double alpha) implements Forecaster {
    Ewma {
      if (!(alpha > 0 && alpha <= 1)) {
        throw new IllegalArgumentException("alpha: " + alpha + " (expected: 0 < alpha <= 1)");
      }
    }

    @Override
    public String name() {
      return "ewma";
    }

    @Override
    public double[] predict(Series series, int trainEnd, int horizon) {
      Forecaster.check(series, trainEnd, horizon);
      double[] y = series.values();
      double[] f = nan(y.length);
      double level = y[0];
      for (int t = 0; t < y.length; t++) {
        level = t == 0 ? y[0] : alpha * y[t] + (1 - alpha) * level;
        if (t + horizon < y.length) {
          f[t + horizon] = level;
        }
      }
      return f;
    }
  }

  static double[] nan(int n) {
    double[] f = new double[n];
    Arrays.fill(f, Double.NaN);
    return f;
  }
}
