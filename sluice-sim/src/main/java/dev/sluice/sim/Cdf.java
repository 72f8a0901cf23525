package dev.sluice.sim;

import java.util.function.IntToDoubleFunction;

/**
 * Discrete distributions as cumulative weights: built once, drawn from by binary search. Shared by
 * the simulator's traffic and the live load driver, so both draw Zipf clients the same way.
 */
public final class Cdf {

  private Cdf() {
  }

  /** The cumulative distribution of {@code n} outcomes with weights {@code weight(k)}; the last entry is 1. */
  public static double[] of(int n, IntToDoubleFunction weight) {
    double[] out = new double[n];
    double sum = 0;
    for (int k = 0; k < n; k++) {
      sum += weight.applyAsDouble(k);
      out[k] = sum;
    }
    for (int k = 0; k < n; k++) {
      out[k] /= sum;
    }
    out[n - 1] = 1.0;
    return out;
  }

  /** The outcome of {@code cdf} that a uniform {@code u} in [0, 1) falls on. */
  public static int pick(double[] cdf, double u) {
    int lo = 0;
    int hi = cdf.length - 1;
    while (lo < hi) {
      int mid = (lo + hi) >>> 1;
      if (cdf[mid] < u) {
        lo = mid + 1;
      } else {
        hi = mid;
      }
    }
    return lo;
  }
}
