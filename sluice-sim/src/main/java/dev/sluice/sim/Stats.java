package dev.sluice.sim;

/**
 * Mean and two-sided 95 % confidence interval of a small sample (Student's t), for metrics over
 * seeds.
 *
 * @param mean the sample mean
 * @param lo lower end of the 95 % confidence interval
 * @param hi upper end of the 95 % confidence interval
 */
public record Stats(double mean, double lo, double hi) {

  /** t quantiles (0.975) for 1..30 degrees of freedom. */
  private static final double[] T975 = {12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228,
      2.201, 2.179, 2.160, 2.145, 2.131, 2.120, 2.110, 2.101, 2.093, 2.086, 2.080, 2.074, 2.069, 2.064, 2.060,
      2.056, 2.052, 2.048, 2.045, 2.042};

  /** Returns the statistics of {@code xs} (NaN values are skipped; all NaN gives NaN). */
  public static Stats of(double[] xs) {
    int n = 0;
    double sum = 0;
    for (double x : xs) {
      if (!Double.isNaN(x)) {
        sum += x;
        n++;
      }
    }
    if (n == 0) {
      return new Stats(Double.NaN, Double.NaN, Double.NaN);
    }
    double mean = sum / n;
    if (n == 1) {
      return new Stats(mean, mean, mean);
    }
    double var = 0;
    for (double x : xs) {
      if (!Double.isNaN(x)) {
        var += (x - mean) * (x - mean);
      }
    }
    double sd = Math.sqrt(var / (n - 1));
    double t = n - 1 <= T975.length ? T975[n - 2] : 1.96;
    double half = t * sd / Math.sqrt(n);
    return new Stats(mean, mean - half, mean + half);
  }

  /** Returns half the interval's width. */
  public double halfWidth() {
    return (hi - lo) / 2;
  }
}
