package dev.sluice.ml.model;

/**
 * Errors of point predictions in tokens.
 *
 * @param rows how many predictions were scored
 * @param mae mean absolute error
 * @param rmse root mean squared error
 */
public record RegressionMetrics(long rows, double mae, double rmse) {

  /** Validates the row count. */
  public RegressionMetrics {
    if (rows < 0) {
      throw new IllegalArgumentException("rows: " + rows + " (expected: >= 0)");
    }
  }

  /** Scores {@code predicted} against {@code actual}; NaN errors for no rows. */
  public static RegressionMetrics of(double[] actual, double[] predicted) {
    if (actual.length != predicted.length) {
      throw new IllegalArgumentException("predicted: " + predicted.length + " values (expected: " + actual.length + ")");
    }
    double abs = 0;
    double sq = 0;
    for (int i = 0; i < actual.length; i++) {
      double e = predicted[i] - actual[i];
      abs += Math.abs(e);
      sq += e * e;
    }
    int n = actual.length;
    return new RegressionMetrics(n, n == 0 ? Double.NaN : abs / n, n == 0 ? Double.NaN : Math.sqrt(sq / n));
  }
}
