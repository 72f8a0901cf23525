package dev.sluice.adaptive.anomaly;

/** The spread of {@link Spread#ewmaAbsolute}; single writer. */
final class EwmaAbsoluteSpread implements Spread {
  private static final double SIGMA_PER_MEAN_ABS = Math.sqrt(Math.PI / 2);
  private final double alpha;
  private double meanAbs = Double.NaN;
  private long n;

  EwmaAbsoluteSpread(double alpha) {
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
    return new EwmaAbsoluteSpread(alpha);
  }
}
