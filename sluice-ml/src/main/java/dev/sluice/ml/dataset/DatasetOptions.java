package dev.sluice.ml.dataset;

/**
 * How a dataset is cut.
 *
 * @param windowSeconds the window length (default 10 s)
 * @param horizonWindows the request-count target sums this many windows after the row's window
 *     (default 6: the next minute at 10 s)
 * @param lags how many past windows' counts are features (default 3)
 * @param topClients how many of the busiest clients (by requests) get rows of their own (default 20)
 */
public record DatasetOptions(int windowSeconds, int horizonWindows, int lags, int topClients) {

  /** Validates each setting. */
  public DatasetOptions {
    if (windowSeconds < 1) {
      throw new IllegalArgumentException("window: " + windowSeconds + " s (expected: >= 1)");
    }
    if (horizonWindows < 1) {
      throw new IllegalArgumentException("horizon: " + horizonWindows + " (expected: >= 1)");
    }
    if (lags < 1 || lags > 100) {
      throw new IllegalArgumentException("lags: " + lags + " (expected: 1..100)");
    }
    if (topClients < 0) {
      throw new IllegalArgumentException("topClients: " + topClients + " (expected: >= 0)");
    }
  }

  /** 10 s windows, the next minute as horizon, 3 lags, the 20 busiest clients. */
  public static DatasetOptions defaults() {
    return new DatasetOptions(10, 6, 3, 20);
  }
}
