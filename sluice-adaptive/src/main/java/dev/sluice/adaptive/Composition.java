package dev.sluice.adaptive;

/**
 * How the proposals of several controllers become one rate, in this order:
 * <ol>
 *   <li>the minimum of the proposals (the most restrictive signal wins); when every controller
 *       abstains the rate holds;
 *   <li>a demand gate: the rate does not grow beyond {@code demandHeadroom} times the demand seen
 *       in the interval (a rate nobody uses is not evidence the backend can take it; 0 disables);
 *   <li>safety caps {@code [minRate, maxRate]};
 *   <li>a ramp limit: at most {@code rampUp} relative growth and {@code rampDown} relative cut per
 *       interval, and only {@code warmupRampUp} growth during the {@code warmupIntervals} intervals
 *       after a cut (a gradual warm-up).
 * </ol>
 * A pure function: {@link #compose} depends only on its arguments and these parameters.
 *
 * @param minRate the smallest rate ever applied (seed: 100/s)
 * @param maxRate the largest rate ever applied (seed: 2000/s)
 * @param rampUp largest relative increase per interval (default 0.2, the seed's AIMD step)
 * @param rampDown largest relative decrease per interval, in (0, 1] (default 0.5, the seed's
 *     error-backoff step)
 * @param warmupIntervals intervals after a cut during which growth is limited to warmupRampUp
 *     (default 3)
 * @param warmupRampUp largest relative increase per interval while warming up (default 0.1)
 * @param demandHeadroom growth is capped at this multiple of the interval's demand (default 1.5;
 *     0 disables the gate)
 */
public record Composition(
    double minRate, double maxRate, double rampUp, double rampDown, int warmupIntervals,
    double warmupRampUp, double demandHeadroom) {

  /** The seed's caps (100/s to 2000/s) with the ramp and gate defaults above. */
  public static final Composition DEFAULTS = new Composition(100, 2000, 0.2, 0.5, 3, 0.1, 1.5);

  /** Validates every parameter. */
  public Composition {
    String p = "adaptive.limits.";
    Check.positive(p + "min-rate", minRate);
    Check.positive(p + "max-rate", maxRate);
    if (!(minRate <= maxRate)) {
      throw new IllegalArgumentException(p + "min-rate/max-rate: min-rate " + minRate + " and max-rate "
          + maxRate + " (expected: min-rate <= max-rate)");
    }
    Check.positive(p + "ramp-up", rampUp);
    Check.range(p + "ramp-down", rampDown, 0, 1, true, false);
    if (warmupIntervals < 0) {
      throw new IllegalArgumentException(p + "warmup-intervals: " + warmupIntervals + " (expected: >= 0)");
    }
    Check.positive(p + "warmup-ramp-up", warmupRampUp);
    Check.nonNegative(p + "demand-headroom", demandHeadroom);
  }

  /** Returns a copy with other caps. */
  public Composition withCaps(double min, double max) {
    return new Composition(min, max, rampUp, rampDown, warmupIntervals, warmupRampUp, demandHeadroom);
  }

  /** Returns a copy without the demand gate. */
  public Composition withoutDemandGate() {
    return new Composition(minRate, maxRate, rampUp, rampDown, warmupIntervals, warmupRampUp, 0);
  }

  /**
   * Returns the rate to apply.
   *
   * @param currentRate the rate in force
   * @param proposals the controllers' proposals ({@link RateController#ABSTAIN} for none)
   * @param intervalsSinceCut control intervals since the rate last went down (large if never)
   * @param demandRate tokens per second asked for in the last interval
   */
  public double compose(double currentRate, double[] proposals, long intervalsSinceCut, double demandRate) {
    double target = RateController.ABSTAIN;
    for (double p : proposals) {
      if (p < target) {
        target = p;
      }
    }
    if (target == RateController.ABSTAIN || Double.isNaN(target)) {
      target = currentRate;
    }
    if (demandHeadroom > 0 && target > currentRate) {
      target = Math.min(target, Math.max(currentRate, demandHeadroom * demandRate));
    }
    target = Math.max(minRate, Math.min(maxRate, target));
    if (target > currentRate) {
      double up = intervalsSinceCut < warmupIntervals ? warmupRampUp : rampUp;
      target = Math.min(target, currentRate * (1 + up));
    } else if (target < currentRate) {
      target = Math.max(target, currentRate * (1 - rampDown));
    }
    return target;
  }
}
