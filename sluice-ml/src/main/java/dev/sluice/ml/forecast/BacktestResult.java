package dev.sluice.ml.forecast;

import dev.sluice.ml.data.Series;

/**
 * A forecaster's rolling-origin backtest on a series' test part.
 *
 * @param model the forecaster's name (for {@code auto}, with the one it chose)
 * @param series the series
 * @param trainEnd the first test window
 * @param horizon windows ahead
 * @param predicted forecasts for the test windows, in order
 * @param lower the 90 % intervals' lower bounds
 * @param upper the 90 % intervals' upper bounds
 * @param metrics accuracy over the test windows
 */
public record BacktestResult(String model, Series series, int trainEnd, int horizon, double[] predicted,
    double[] lower, double[] upper, Metrics metrics) {

  /** Validates the lengths. */
  public BacktestResult {
    int n = series.size() - trainEnd;
    if (predicted.length != n || lower.length != n || upper.length != n) {
      throw new IllegalArgumentException("forecasts: " + predicted.length + " (expected: " + n + ", the test part)");
    }
  }

  /** The actual value of test window {@code i}. */
  public double actual(int i) {
    return series.values()[trainEnd + i];
  }
}
