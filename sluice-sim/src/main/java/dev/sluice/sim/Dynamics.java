package dev.sluice.sim;

import java.util.ArrayList;
import java.util.List;

/**
 * Settling time and overshoot of the admitted rate after each step change in offered load or
 * capacity. A change point is a second where either moves by more than 20 %. After each, the
 * admitted rate is averaged per control interval; its final value is the mean of the last third of
 * the intervals before the next change. Settling is the number of intervals until it stays within
 * 10 % of that final value; overshoot is how far it went beyond the final value in the direction of
 * the change (above it after a rise, below it after a fall), relative to the final value.
 */
final class Dynamics {

  private Dynamics() {}

  /** Returns the change points (seconds) of the offered-load and capacity series. */
  static int[] changePoints(double[] offered, double[] capacity) {
    List<Integer> out = new ArrayList<>();
    for (int s = 1; s < offered.length; s++) {
      if (jump(offered[s - 1], offered[s]) || jump(capacity[s - 1], capacity[s])) {
        out.add(s);
      }
    }
    return out.stream().mapToInt(Integer::intValue).toArray();
  }

  private static boolean jump(double a, double b) {
    double base = Math.max(Math.abs(a), Math.abs(b));
    return base > 0 && Math.abs(b - a) > 0.2 * base;
  }

  /** Returns {mean settling intervals, mean overshoot} over the change points (zeros if none). */
  static double[] measure(double[] admitted, int[] changes, int interval) {
    double settleSum = 0;
    double overSum = 0;
    int n = 0;
    for (int i = 0; i < changes.length; i++) {
      int c = changes[i];
      int e = i + 1 < changes.length ? changes[i + 1] : admitted.length;
      int windows = (e - c) / interval;
      if (windows < 3) {
        continue;
      }
      double[] w = new double[windows];
      for (int j = 0; j < windows; j++) {
        w[j] = mean(admitted, c + j * interval, c + (j + 1) * interval);
      }
      int tail = Math.max(1, windows / 3);
      double fin = mean(w, windows - tail, windows);
      double pre = c >= interval ? mean(admitted, c - interval, c) : w[0];
      if (!(fin > 0)) {
        continue;
      }
      int settle = windows;
      for (int k = windows - 1; k >= 0 && Math.abs(w[k] - fin) <= 0.1 * fin; k--) {
        settle = k;
      }
      double over = 0;
      for (double x : w) {
        over = Math.max(over, fin >= pre ? x / fin - 1 : 1 - x / fin);
      }
      settleSum += settle;
      overSum += over;
      n++;
    }
    return n == 0 ? new double[] {0, 0} : new double[] {settleSum / n, overSum / n};
  }

  private static double mean(double[] a, int from, int to) {
    double s = 0;
    for (int i = from; i < to; i++) {
      s += a[i];
    }
    return to > from ? s / (to - from) : 0;
  }
}
