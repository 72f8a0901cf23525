package dev.sluice.sim;

import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;

/**
 * Settling time and overshoot of the admitted rate against the ideal admitted rate after each
 * step in offered load or capacity.
 *
 * <p>A <em>step</em> is a second where a constant-rate phase of some source begins, or the
 * backend's schedule changes, and the nominal offered tokens or the true capacity move by more
 * than 20 % from the second before. Ramps, diurnal cycles, traces and closed-loop stages have no
 * steps. A step lasts until the next one, or the end of the run.
 *
 * <p>Within a step both the admitted tokens and the ideal admitted tokens ({@code min(offered,
 * capacity)} per second, see {@link RunResult}) are averaged over a trailing window of up to
 * {@value #WINDOW} seconds that starts no earlier than the step. The admitted rate is <em>in the
 * band</em> when it is within 10 % of the ideal (at least 1 token/s). <em>Settling</em> is the
 * number of seconds from the step until the admitted rate enters the band for good; a rate that
 * is out of the band in the step's last second never settled, and its settling time is the step's
 * whole length — never 0. <em>Overshoot</em> is the largest excess of the admitted over the ideal
 * rate during the step, relative to the ideal (0 if it never exceeds it).
 */
final class Dynamics {

  /** Seconds in the trailing mean. */
  static final int WINDOW = 3;
  /** Relative half-width of the band. */
  static final double BAND = 0.10;
  /** Smallest relative change that makes a step. */
  static final double STEP = 0.20;

  private Dynamics() {}

  /**
   * Returns the seconds at which the scenario steps: where a constant rate phase begins or the
   * schedule changes, and offered tokens or {@code capacity} moves by more than 20 %.
   */
  static int[] steps(Scenario sc, double[] capacity) {
    int n = sc.seconds();
    double[] offered = new double[n];
    TreeSet<Integer> candidates = new TreeSet<>();
    for (Scenario.Source s : sc.sources()) {
      double c = s.meanCost();
      for (int k = 0; k < n; k++) {
        offered[k] += s.rates()[k] * c;
      }
      for (int at : s.phaseStarts()) {
        candidates.add(at);
      }
    }
    for (Scenario.Change c : sc.backend().schedule()) {
      candidates.add(c.at());
    }
    List<Integer> out = new ArrayList<>();
    for (int s : candidates) {
      if (s > 0 && s < n && (jump(offered[s - 1], offered[s]) || jump(capacity[s - 1], capacity[s]))) {
        out.add(s);
      }
    }
    return out.stream().mapToInt(Integer::intValue).toArray();
  }

  private static boolean jump(double a, double b) {
    double base = Math.max(Math.abs(a), Math.abs(b));
    return base > 0 && Math.abs(b - a) > STEP * base;
  }

  /**
   * Returns {mean settling seconds, worst settling seconds, mean overshoot, worst overshoot} over
   * the {@code steps}, or NaNs when there are none.
   */
  static double[] measure(double[] admitted, double[] ideal, int[] steps) {
    if (steps.length == 0) {
      return new double[] {Double.NaN, Double.NaN, Double.NaN, Double.NaN};
    }
    double settleSum = 0;
    double settleMax = 0;
    double overSum = 0;
    double overMax = 0;
    for (int i = 0; i < steps.length; i++) {
      int c = steps[i];
      int e = i + 1 < steps.length ? steps[i + 1] : admitted.length;
      int settle = e - c;
      for (int s = e - 1; s >= c && inBand(mean(admitted, c, s), mean(ideal, c, s)); s--) {
        settle = s - c;
      }
      double over = 0;
      for (int s = c; s < e; s++) {
        double want = mean(ideal, c, s);
        if (want > 0) {
          over = Math.max(over, mean(admitted, c, s) / want - 1);
        }
      }
      settleSum += settle;
      settleMax = Math.max(settleMax, settle);
      overSum += over;
      overMax = Math.max(overMax, over);
    }
    return new double[] {settleSum / steps.length, settleMax, overSum / steps.length, overMax};
  }

  static boolean inBand(double admitted, double ideal) {
    return Math.abs(admitted - ideal) <= Math.max(BAND * ideal, 1.0);
  }

  /** Mean of {@code a} over the trailing window ending at {@code s}, starting no earlier than {@code from}. */
  private static double mean(double[] a, int from, int s) {
    int lo = Math.max(from, s - WINDOW + 1);
    double sum = 0;
    for (int k = lo; k <= s; k++) {
      sum += a[k];
    }
    return sum / (s - lo + 1);
  }
}
