package dev.sluice.ml.forecast;

import java.util.Arrays;

/**
 * 90 % prediction intervals from out-of-sample forecast errors (split-conformal on a rolling
 * window). Stateless.
 *
 * <p>The errors come from calibration forecasts {@code g}: for the tail of the training part,
 * forecasts of a model fitted without that tail; for the test part, the test forecasts themselves,
 * each usable only once its actual would have been seen. For the forecast of {@code y[t]} made at
 * origin {@code o = t − h}, the last {@code window} errors whose targets are ≤ o are scaled by
 * {@code sqrt(max(1, |forecast|))} (count data: the spread grows with the level), and their 5th and
 * 95th percentiles, scaled back by the same factor at {@code t}, bound the interval around {@code
 * f[t]}. For a series that never goes negative the lower bound is cut at 0.
 */
final class Intervals {

  /** The lower and upper quantiles: a central 90 % interval. */
  static final double LOW = 0.05;
  static final double HIGH = 0.95;

  private Intervals() {}

  /**
   * Returns {lower, upper} per window; NaN where {@code f} is NaN or fewer than 20 errors are known.
   *
   * @param f the forecasts to put intervals around
   * @param g the calibration forecasts whose errors size the intervals (NaN where there is none)
   */
  static double[][] of(double[] y, double[] f, double[] g, int horizon, int window, boolean nonNegative) {
    int n = y.length;
    double[] lower = Baselines.nan(n);
    double[] upper = Baselines.nan(n);
    double[] scaled = new double[n];
    int[] known = new int[n];
    int count = 0;
    for (int t = 0; t < n; t++) {
      if (!Double.isNaN(g[t])) {
        scaled[count] = (y[t] - g[t]) / scale(g[t]);
        known[count++] = t;
      }
    }
    double[] buf = new double[window];
    int end = 0; // errors before index `end` have targets <= the origin
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
