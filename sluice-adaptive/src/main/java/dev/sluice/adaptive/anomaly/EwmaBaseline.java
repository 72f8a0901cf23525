package dev.sluice.adaptive.anomaly;

/** The EWMA baseline of {@link Baseline#ewma}; single writer. */
final class EwmaBaseline implements Baseline {
  private final double alpha;
  private double level = Double.NaN;
  private long n;

  EwmaBaseline(double alpha) {
    this.alpha = alpha;
  }

  @Override
  public double forecast() {
    return level;
  }

  @Override
  public void observe(long nanos, double value) {
    n++;
    level = Double.isNaN(level) ? value : level + Math.max(alpha, 1.0 / n) * (value - level);
  }

  @Override
  public Baseline copy() {
    return new EwmaBaseline(alpha);
  }

  @Override
  public String toString() {
    return "ewma(" + alpha + ")";
  }
}
