package dev.sluice.ml.forecast;

import java.util.Arrays;

/**
 * 90 % prediction intervals from past forecast errors (split-conformal on a rolling window).
 * Stateless.
 *
 * <p>For the forecast of {@code y[t]} made at origin {@code o = t − h}, the errors of the last
 * {@code window} forecasts whose actuals were known at {@code o} (targets ≤ o) are scaled by
 * {@code sqrt(max(1, |forecast|))} (count data: the spread grows with the level), and their 5th
 * and 95th percentiles, scaled back by the same factor at {@code t}, bound the interval. For a
 * series that never goes negative the lower bound is cut at 0. No error from the test part is
 * used before its actual would have been seen.
 */
final class Intervals {

  /** The lower and upper quantiles: a central 90 % interval. */
  static final double LOW = 0.05;
  static final double HIGH = 0.95;

  private Intervals() {}

  /** Returns {lower, upper} per window; NaN where fewer than 20 past errors exist. */
  static double[][] of(double[] y, double[] f, int horizon, int window, boolean nonNegative) {
    int n = y.length;
    double[] lower = Baselines.nan(n);
    double[] upper = Baselines.nan(n);
    double[] scaled = new double[n];
    int[] known = new int[n];
    int count = 0;
    for (int t = 0; t < n; t++) {
      if (!Double.isNaN(f[t])) {
        scaled[count] = (y[t] - f[t]) / scale(f[t]);
        known[count++] = t;
      }
    }
    double[] buf = new double[window];
    int end = 0; // errors with index < end have target <= origin
    for (int t = 0; t < n; t++) {
      if (Double.isNaN(f[t])) {
        continue;
      }
      int origin = t - horizon;
      while (end < count && known[end] <= origin) {
        end++;
      }
      int from = Math.max(0, end - window);
      int k = end - from;
      if (k < 20) {
        continue;
      }
      System.arraycopy(scaled, from, buf, 0, k);
      Arrays.sort(buf, 0, k);
      double s = scale(f[t]);
      lower[t] = f[t] + s * quantile(buf, k, LOW);
      upper[t] = f[t] + s * quantile(buf, k, HIGH);
      if (nonNegative) {
        lower[t] = Math.max(0, lower[t]);
      }
    }
    return new double[][] {lower, upper};
  }

  private static double scale(double forecast) {
    return Math.sqrt(Math.max(1, Math.abs(forecast)));
  }

  /** The q-quantile of the sorted {@code a[0, k)}, linear between order statistics. */
  static double quantile(double[] a, int k, double q) {
    double pos = q * (k - 1);
    int i = (int) Math.floor(pos);
    int j = Math.min(k - 1, i + 1);
    return a[i] + (pos - i) * (a[j] - a[i]);
  }
}
