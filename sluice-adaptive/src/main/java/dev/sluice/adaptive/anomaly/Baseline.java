package dev.sluice.adaptive.anomaly;

/**
 * A one-step-ahead forecast of a series, the reference a {@link SpikeDetector} measures residuals
 * against; single writer. Pluggable: a trained forecaster can stand in through this interface.
 */
public interface Baseline {

  /** The forecast of the next value; NaN before the first observation. */
  double forecast();

  /** Takes the next value (after {@link #forecast()} was read for it). */
  void observe(long nanos, double value);

  /** A fresh baseline with the same settings and no history. */
  Baseline copy();

  /**
   * Exponentially weighted moving average: {@code level += max(alpha, 1/n) · (x − level)} (the
   * plain mean of the first {@code 1 / alpha} values, then the EWMA).
   */
  static Baseline ewma(double alpha) {
    Checks.fraction("alpha", alpha);
    return new EwmaBaseline(alpha);
  }
}
