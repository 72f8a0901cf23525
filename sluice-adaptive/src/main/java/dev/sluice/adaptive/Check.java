package dev.sluice.adaptive;

import java.time.Duration;

/** Parameter checks with messages of the form {@code path: value (expected: ...)}. */
final class Check {

  private Check() {}

  static double positive(String path, double v) {
    if (!(v > 0) || Double.isInfinite(v)) {
      throw new IllegalArgumentException(path + ": " + v + " (expected: > 0)");
    }
    return v;
  }

  static double nonNegative(String path, double v) {
    if (!(v >= 0) || Double.isInfinite(v)) {
      throw new IllegalArgumentException(path + ": " + v + " (expected: >= 0)");
    }
    return v;
  }

  static double range(String path, double v, double lo, double hi, boolean loOpen, boolean hiOpen) {
    boolean ok = (loOpen ? v > lo : v >= lo) && (hiOpen ? v < hi : v <= hi);
    if (!ok) {
      throw new IllegalArgumentException(path + ": " + v + " (expected: " + (loOpen ? "> " : ">= ") + lo
          + " and " + (hiOpen ? "< " : "<= ") + hi + ")");
    }
    return v;
  }

  static Duration positive(String path, Duration d) {
    if (d == null || d.isZero() || d.isNegative()) {
      throw new IllegalArgumentException(path + ": " + d + " (expected: > 0, e.g. 5s)");
    }
    return d;
  }

  static void order(String path, double low, double high, String lowName, String highName) {
    if (!(low < high)) {
      throw new IllegalArgumentException(path + ": " + lowName + " " + low + " and " + highName + " " + high
          + " (expected: " + lowName + " < " + highName + ")");
    }
  }
}
