package dev.sluice.adaptive.anomaly;

import java.util.Arrays;

/** The spread of {@link Spread#mad}; single writer. */
final class MadSpread implements Spread {
  private final double[] ring;
  private final double[] scratch;
  private int size;
  private int next;

  MadSpread(int window) {
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
    return new MadSpread(ring.length);
  }
}
