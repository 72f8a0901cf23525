package dev.sluice.ml.forecast;

import dev.sluice.ml.data.Series;
import java.util.Arrays;

/**
 * The rolling-origin backtest: the last part of a series is held out; each test window is
 * forecast from the origin {@code horizon} windows before it with everything up to the origin and
 * nothing after, parameters fitted on the training part only. When the training part never goes
 * below 0 (counts), forecasts are cut at 0. Stateless.
 */
public final class Backtest {

  /** How many past errors an interval is made from. */
  static final int INTERVAL_WINDOW = 2016;

  /** The share of the training part held out to calibrate the intervals. */
  static final double CALIBRATION = 0.2;

  private Backtest() {}

  /** The first test window when {@code trainFraction} of {@code size} windows train. */
  public static int trainEnd(int size, double trainFraction) {
    if (!(trainFraction > 0 && trainFraction < 1)) {
      throw new IllegalArgumentException("train-fraction: " + trainFraction + " (expected: 0 < f < 1)");
    }
    return (int) (size * trainFraction);
  }

  /** Runs {@code forecaster} on {@code series}, holding out all but {@code trainFraction}. */
  public static BacktestResult run(Series series, Forecaster forecaster, double trainFraction, int horizon) {
    int trainEnd = trainEnd(series.size(), trainFraction);
    if (trainEnd < 20 || series.size() - trainEnd < 1) {
      throw new IllegalArgumentException("series: " + series.size() + " windows (expected: enough for >= 20 training"
          + " windows and >= 1 test window at train-fraction " + trainFraction + ")");
    }
    double[] y = series.values();
    double[] f = forecaster.predict(series, trainEnd, horizon);
    String name = forecaster.name();
    // auto calibrates the model it chose, not a fresh choice on the shorter training part
    Forecaster calibrated = forecaster instanceof AutoForecaster a ? Forecasters.of(a.chosen()) : forecaster;
    boolean nonNegative = Arrays.stream(y, 0, trainEnd).allMatch(v -> v >= 0);
    double[][] bounds = Intervals.of(y, f, calibration(series, calibrated, trainEnd, horizon, f), horizon,
        INTERVAL_WINDOW, nonNegative);
    int n = y.length - trainEnd;
    double[] p = new double[n];
    double[] lo = new double[n];
    double[] hi = new double[n];
    for (int i = 0; i < n; i++) {
      int t = trainEnd + i;
      if (Double.isNaN(f[t])) {
        throw new IllegalArgumentException(name + ": no forecast for test window " + t
            + " (expected: enough history before the test part)");
      }
      p[i] = nonNegative ? Math.max(0, f[t]) : f[t];
      lo[i] = Double.isNaN(bounds[0][t]) ? f[t] : bounds[0][t];
      hi[i] = Double.isNaN(bounds[1][t]) ? f[t] : bounds[1][t];
    }
    double scale = Metrics.maseScale(y, trainEnd, Forecaster.dailyPeriod(series));
    Metrics m = Metrics.of(Arrays.copyOfRange(y, trainEnd, y.length), p, lo, hi, scale);
    return new BacktestResult(name, series, trainEnd, horizon, p, lo, hi, m);
  }

  /**
   * The forecasts whose errors size the intervals: for the last {@value #CALIBRATION} of the
   * training part, forecasts of the same kind of model fitted on the part before it (so their
   * errors are out of sample); for the test part, the test forecasts. If the model cannot be
   * fitted on the shorter part, its in-sample forecasts stand in.
   */
  static double[] calibration(Series series, Forecaster forecaster, int trainEnd, int horizon, double[] f) {
    double[] y = series.values();
    int inner = (int) (trainEnd * (1 - CALIBRATION));
    double[] g = Baselines.nan(y.length);
    double[] head;
    try {
      Series train = new Series(series.name(), series.startEpochSecond(), series.stepSeconds(),
          Arrays.copyOf(y, trainEnd));
      head = forecaster.predict(train, inner, horizon);
    } catch (IllegalArgumentException e) {
      head = Arrays.copyOf(f, trainEnd);
    }
    System.arraycopy(head, inner, g, inner, trainEnd - inner);
    System.arraycopy(f, trainEnd, g, trainEnd, y.length - trainEnd);
    return g;
  }
}
