package dev.sluice.adaptive.anomaly;

/**
 * Reports an alarm once: after the inner detector's score reaches the alarm line (0.5), the next
 * {@code windows} scores are reported as 0 while the inner detector keeps learning. Single writer;
 * one counter of state beyond the inner detector's.
 *
 * <p>An anomaly usually spans many windows; one report at its start is what a person (or the NAB
 * score) wants, and the windows after it are the new normal being learned, not news.
 */
public final class HoldOffDetector implements Detector {
  private final Detector inner;
  private final int windows;
  private int quiet;

  private HoldOffDetector(Detector inner, int windows) {
    this.inner = inner;
    this.windows = windows;
  }

  /**
   * Wraps {@code inner} (used, not copied).
   *
   * @param windows how many windows stay quiet after an alarm (≥ 0)
   */
  public static HoldOffDetector of(Detector inner, int windows) {
    if (inner == null) {
      throw new IllegalArgumentException("inner: null (expected: a detector)");
    }
    return new HoldOffDetector(inner, Checks.atLeast("windows", windows, 0));
  }

  @Override
  public double update(long nanos, double value) {
    double s = inner.update(nanos, value);
    if (quiet > 0) {
      quiet--;
      return 0;
    }
    if (s >= 0.5) {
      quiet = windows;
    }
    return s;
  }

  @Override
  public AnomalyKind kind() {
    return inner.kind();
  }

  @Override
  public Detector copy() {
    return new HoldOffDetector(inner.copy(), windows);
  }
}
