package dev.sluice.ml.data;

import java.time.Instant;
import java.util.Arrays;

/**
 * A regular time series: {@code values[i]} belongs to the window starting at {@code start + i ·
 * step} seconds (UTC).
 *
 * @param name what it measures (a file name, {@code requests}, {@code tokens})
 * @param startEpochSecond the first window's start, UTC seconds
 * @param stepSeconds the window length
 * @param values one value per window, finite
 */
public record Series(String name, long startEpochSecond, long stepSeconds, double[] values) {

  /** Validates the step and the values. */
  public Series {
    if (stepSeconds < 1) {
      throw new IllegalArgumentException("step: " + stepSeconds + " (expected: >= 1 s)");
    }
    for (int i = 0; i < values.length; i++) {
      if (!Double.isFinite(values[i])) {
        throw new IllegalArgumentException("values[" + i + "]: " + values[i] + " (expected: finite)");
      }
    }
    values = values.clone();
  }

  /** The number of windows. */
  public int size() {
    return values.length;
  }

  /** The start of window {@code i}, UTC seconds. */
  public long epochSecond(int i) {
    return startEpochSecond + i * stepSeconds;
  }

  /** The start of window {@code i}. */
  public Instant instant(int i) {
    return Instant.ofEpochSecond(epochSecond(i));
  }

  /** A copy of the values. */
  @Override
  public double[] values() {
    return values.clone();
  }

  /**
   * Sums every {@code factor} consecutive windows into one, from the first window on; a last group
   * shorter than {@code factor} is dropped (it would read as a dip).
   */
  public Series aggregate(long windowSeconds) {
    if (windowSeconds < stepSeconds || windowSeconds % stepSeconds != 0) {
      throw new IllegalArgumentException("window: " + windowSeconds + " s (expected: a multiple of the series' step, "
          + stepSeconds + " s)");
    }
    int factor = (int) (windowSeconds / stepSeconds);
    double[] out = new double[values.length / factor];
    for (int i = 0; i < out.length; i++) {
      double s = 0;
      for (int j = 0; j < factor; j++) {
        s += values[i * factor + j];
      }
      out[i] = s;
    }
    return new Series(name, startEpochSecond, windowSeconds, out);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Series s && s.name.equals(name) && s.startEpochSecond == startEpochSecond
        && s.stepSeconds == stepSeconds && Arrays.equals(s.values, values);
  }

  @Override
  public int hashCode() {
    return (name.hashCode() * 31 + Long.hashCode(startEpochSecond)) * 31 + Arrays.hashCode(values);
  }

  @Override
  public String toString() {
    return "Series[" + name + ", " + instant(0) + ", step " + stepSeconds + " s, " + values.length + " windows]";
  }
}
