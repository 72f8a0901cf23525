package dev.sluice.adaptive.anomaly;

/** Parameter checks with messages of the form {@code name: value (expected: ...)}. */
final class Checks {

  private Checks() {}

  static double positive(String name, double v) {
    if (!(v > 0) || Double.isInfinite(v)) {
      throw new IllegalArgumentException(name + ": " + v + " (expected: > 0)");
    }
    return v;
  }

  static double nonNegative(String name, double v) {
    if (!(v >= 0) || Double.isInfinite(v)) {
      throw new IllegalArgumentException(name + ": " + v + " (expected: >= 0)");
    }
    return v;
  }

  static double fraction(String name, double v) {
    if (!(v > 0 && v <= 1)) {
      throw new IllegalArgumentException(name + ": " + v + " (expected: > 0 and <= 1)");
    }
    return v;
  }

  static int atLeast(String name, int v, int min) {
    if (v < min) {
      throw new IllegalArgumentException(name + ": " + v + " (expected: >= " + min + ")");
    }
    return v;
  }

  /** {@code x / (x + half)}: 0 at 0, 0.5 at {@code half}, towards 1 beyond; 0 for NaN or negative x. */
  static double saturate(double x, double half) {
    if (!(x > 0)) {
      return 0;
    }
    return Double.isInfinite(x) ? 1 : x / (x + half);
  }
}
