package dev.sluice.adaptive.anomaly;

/**
 * A robust estimate of the residuals' scale (a standard deviation for Gaussian residuals);
 * single writer.
 */
public interface Spread {

  /** The current scale; NaN before the first residual. */
  double scale();

  /** Takes the next residual (value minus forecast). */
  void observe(double residual);

  /** A fresh estimate with the same settings and no history. */
  Spread copy();

  /**
   * EWMA of absolute residuals times √(π/2) (so a Gaussian's σ); the plain mean until there are
   * {@code 1 / alpha} residuals, so the start is not one sample's word. Two words of state.
   *
   * @param alpha the smoothing factor in (0, 1]
   */
  static Spread ewmaAbsolute(double alpha) {
    Checks.fraction("alpha", alpha);
    return new EwmaAbsoluteSpread(alpha);
  }

  /**
   * 1.4826 × the median absolute residual over the last {@code window} residuals (MAD around 0;
   * the baseline is the centre): a ring buffer of {@code window} doubles.
   */
  static Spread mad(int window) {
    Checks.atLeast("window", window, 3);
    return new MadSpread(window);
  }
}
