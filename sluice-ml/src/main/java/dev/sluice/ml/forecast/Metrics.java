package dev.sluice.ml.forecast;

/**
 * Accuracy of forecasts on a test part.
 *
 * <ul>
 *   <li>MAE: mean |actual − predicted|.
 *   <li>MAPE: mean |actual − predicted| / |actual| × 100 over windows whose actual is not 0.
 *   <li>sMAPE: mean 2 |actual − predicted| / (|actual| + |predicted|) × 100; a window where both
 *       are 0 contributes 0.
 *   <li>MASE: MAE divided by the in-sample MAE of the seasonal-naive one-step forecast on the
 *       training part, {@code mean |y[t] − y[t−m]|} for {@code m ≤ t < trainEnd}, m = one day of
 *       windows (1 when the training part holds less than two days). This is the scaling that
 *       reproduces issue 14's NASA baselines; see docs/learning.md.
 *   <li>coverage: the share of windows whose actual lies within [lower, upper], × 100.
 * </ul>
 *
 * @param n windows evaluated
 * @param mae mean absolute error
 * @param mape mean absolute percentage error, % (NaN when every actual is 0)
 * @param smape symmetric mean absolute percentage error, %
 * @param mase mean absolute scaled error
 * @param coverage interval coverage, %
 */
public record Metrics(int n, double mae, double mape, double smape, double mase, double coverage) {

  /** Validates the count. */
  public Metrics {
    if (n < 1) {
      throw new IllegalArgumentException("n: " + n + " (expected: >= 1 window evaluated)");
    }
  }

  /**
   * Computes the metrics of {@code predicted} against {@code actual}.
   *
   * @param scale the MASE denominator, {@link #maseScale}
   */
  public static Metrics of(double[] actual, double[] predicted, double[] lower, double[] upper, double scale) {
    int n = actual.length;
    if (n == 0 || predicted.length != n || lower.length != n || upper.length != n) {
      throw new IllegalArgumentException("lengths: " + n + "/" + predicted.length + "/" + lower.length + "/"
          + upper.length + " (expected: equal and >= 1)");
    }
    double abs = 0;
    double pct = 0;
    int pctN = 0;
    double sym = 0;
    int covered = 0;
    for (int i = 0; i < n; i++) {
      double a = actual[i];
      double e = Math.abs(a - predicted[i]);
      abs += e;
      if (a != 0) {
        pct += e / Math.abs(a);
        pctN++;
      }
      double d = Math.abs(a) + Math.abs(predicted[i]);
      sym += d == 0 ? 0 : 2 * e / d;
      if (a >= lower[i] && a <= upper[i]) {
        covered++;
      }
    }
    double mae = abs / n;
    return new Metrics(n, mae, pctN == 0 ? Double.NaN : 100 * pct / pctN, 100 * sym / n, mae / scale,
        100.0 * covered / n);
  }

  /** The MASE denominator: in-sample seasonal-naive MAE on {@code y[0, trainEnd)} at lag {@code m}. */
  public static double maseScale(double[] y, int trainEnd, int m) {
    int lag = m >= 1 && 2 * m < trainEnd ? m : 1;
    double sum = 0;
    for (int t = lag; t < trainEnd; t++) {
      sum += Math.abs(y[t] - y[t - lag]);
    }
    double scale = sum / (trainEnd - lag);
    return scale > 0 ? scale : Double.MIN_NORMAL;
  }
}
