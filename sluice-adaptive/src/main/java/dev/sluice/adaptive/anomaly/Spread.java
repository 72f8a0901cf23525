package dev.sluice.adaptive.anomaly;

import java.util.Arrays;

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
    return new EwmaAbsolute(alpha);
  }

  /**
   * 1.4826 × the median absolute residual over the last {@code window} residuals (MAD around 0;
   * the baseline is the centre): a ring buffer of {@code window} doubles.
   */
  static Spread mad(int window) {
    Checks.atLeast("window", window, 3);
    return new Mad(window);
  }

  /** See {@link #ewmaAbsolute}. */
  final class EwmaAbsolute implements Spread {
    private static final double SIGMA_PER_MEAN_ABS = Math.sqrt(Math.PI / 2);
    private final double alpha;
    private double meanAbs = Double.NaN;
    private long n;

    private EwmaAbsolute(double alpha) {
      this.alpha = alpha;
    }

    @Override
    public double scale() {
      return meanAbs * SIGMA_PER_MEAN_ABS;
    }

    @Override
    public void observe(double residual) {
      double a = Math.abs(residual);
      n++;
      meanAbs = Double.isNaN(meanAbs) ? a : meanAbs + Math.max(alpha, 1.0 / n) * (a - meanAbs);
    }

    @Override
    public Spread copy() {
      return new EwmaAbsolute(alpha);
    }
  }

  /** See {@link #mad}. */
  final class Mad implements Spread {
    private final double[] ring;
    private final double[] scratch;
    private int size;
    private int next;

    private Mad(int window) {
      this.ring = new double[window];
      this.scratch = new double[window];
    }

    @Override
    public double scale() {
      if (size == 0) {
        return Double.NaN;
      }
      System.arraycopy(ring, 0, scratch, 0, size);
      Arrays.sort(scratch, 0, size);
      double median = size % 2 == 1 ? scratch[size / 2] : (scratch[size / 2 - 1] + scratch[size / 2]) / 2;
      return 1.4826 * median;
    }

    @Override
    public void observe(double residual) {
      ring[next] = Math.abs(residual);
      next = (next + 1) % ring.length;
      size = Math.min(size + 1, ring.length);
    }

    @Override
    public Spread copy() {
      return new Mad(ring.length);
    }
  }
}
