package dev.sluice.adaptive;

import java.time.Duration;

/**
 * How the proposals of several controllers become one rate, in this order:
 * <ol>
 *   <li>the minimum of the proposals (the most restrictive signal wins); when every controller
 *       abstains the rate holds;
 *   <li>a demand gate: the rate does not grow beyond {@code demandHeadroom} times the demand seen
 *       in the interval (a rate nobody uses is not evidence the backend can take it; 0 disables);
 *       demand counts only requests that passed the per-client limits;
 *   <li>safety caps {@code [minRate, maxRate]};
 *   <li>a ramp limit, per second and compounded over the interval: at most {@code rampUp} relative
 *       growth and {@code rampDown} relative cut per second, and only {@code warmupRampUp} growth
 *       for {@code warmup} after a cut (a gradual warm-up). An <em>urgent</em> cut is not limited:
 *       one in an interval with timeouts (at least {@code spikeTimeouts} of the responses) or a
 *       queueing-delay spike (median latency at least {@code spikeDelay} times the base RTT above
 *       it), see {@link #urgent}.
 * </ol>
 * A pure function: {@link #compose} depends only on its arguments and these parameters.
 *
 * <p>The seed's limits were per 5 s interval (+20 %, −50 %, +10 % for 3 intervals after a cut);
 * the defaults are the per-second rates that compound to the same over 5 s, rounded:
 * {@code 1.037^5 = 1.199}, {@code 0.87^5 = 0.498}, {@code 1.019^5 = 1.099}, warm-up 15 s.
 *
 * @param minRate the smallest rate ever applied (seed: 100/s)
 * @param maxRate the largest rate ever applied (seed: 2000/s)
 * @param rampUp largest relative increase per second (default 0.037)
 * @param rampDown largest relative decrease per second, in (0, 1] (default 0.13)
 * @param warmup how long after a cut growth is limited to warmupRampUp (default 15 s)
 * @param warmupRampUp largest relative increase per second while warming up (default 0.019)
 * @param demandHeadroom growth is capped at this multiple of the interval's demand (default 1.5;
 *     0 disables the gate)
 * @param spikeDelay queueing delay, as a multiple of the base RTT, from which a cut is urgent
 *     (default 1: latency twice the base RTT; 0 disables)
 * @param spikeTimeouts share of timed-out responses from which a cut is urgent, in [0, 1]
 *     (default 0.01; 0 disables)
 */
public record Composition(
    double minRate, double maxRate, double rampUp, double rampDown, Duration warmup,
    double warmupRampUp, double demandHeadroom, double spikeDelay, double spikeTimeouts) {

  private static final double DEFAULT_SPIKE_DELAY = 1.0;
  private static final double DEFAULT_SPIKE_TIMEOUTS = 0.01;

  /** The seed's caps (100/s to 2000/s) with the ramp, gate and spike defaults above. */
  public static final Composition DEFAULTS = new Composition(100, 2000, 0.037, 0.13, Duration.ofSeconds(15), 0.019,
      1.5, DEFAULT_SPIKE_DELAY, DEFAULT_SPIKE_TIMEOUTS);

  /** Validates every parameter. */
  public Composition {
    String p = "adaptive.limits.";
    Check.positive(p + "min-rate", minRate);
    Check.positive(p + "max-rate", maxRate);
    if (!(minRate <= maxRate)) {
      throw new IllegalArgumentException(p + "min-rate/max-rate: min-rate " + minRate + " and max-rate "
          + maxRate + " (expected: min-rate <= max-rate)");
    }
    Check.positive(p + "ramp-up-per-second", rampUp);
    Check.range(p + "ramp-down-per-second", rampDown, 0, 1, true, false);
    if (warmup == null || warmup.isNegative()) {
      throw new IllegalArgumentException(p + "warmup: " + warmup + " (expected: >= 0, e.g. 15s)");
    }
    Check.positive(p + "warmup-ramp-up-per-second", warmupRampUp);
    Check.nonNegative(p + "demand-headroom", demandHeadroom);
    Check.nonNegative(p + "spike-delay", spikeDelay);
    Check.range(p + "spike-timeouts", spikeTimeouts, 0, 1, false, false);
  }

  /**
   * A composition with per-second ramp limits, a warm-up of {@code warmupSeconds} whole seconds
   * and the default spike thresholds.
   */
  public Composition(double minRate, double maxRate, double rampUp, double rampDown, int warmupSeconds,
      double warmupRampUp, double demandHeadroom) {
    this(minRate, maxRate, rampUp, rampDown, Duration.ofSeconds(warmupSeconds), warmupRampUp, demandHeadroom,
        DEFAULT_SPIKE_DELAY, DEFAULT_SPIKE_TIMEOUTS);
  }

  /** Returns a copy with other caps. */
  public Composition withCaps(double min, double max) {
    return new Composition(min, max, rampUp, rampDown, warmup, warmupRampUp, demandHeadroom, spikeDelay,
        spikeTimeouts);
  }

  /**
   * Returns a copy whose growth limits ({@code rampUp} and {@code warmupRampUp}) are at least
   * {@code perSecond}: what the loop uses while a concurrency level bounds the queue.
   */
  public Composition withGrowth(double perSecond) {
    return new Composition(minRate, maxRate, Math.max(rampUp, perSecond), rampDown, warmup,
        Math.max(warmupRampUp, perSecond), demandHeadroom, spikeDelay, spikeTimeouts);
  }

  /** Returns a copy without the demand gate. */
  public Composition withoutDemandGate() {
    return new Composition(minRate, maxRate, rampUp, rampDown, warmup, warmupRampUp, 0, spikeDelay,
        spikeTimeouts);
  }

  /**
   * Returns whether a cut in the interval of {@code s} is urgent, so not ramp-limited: at least
   * {@code spikeTimeouts} of its responses timed out, or its queueing delay ({@link
   * Signals#queueingDelayMillis()}) reached {@code spikeDelay} times the base RTT.
   */
  public boolean urgent(Signals s) {
    boolean timeouts = spikeTimeouts > 0 && s.timeouts() > 0 && s.timeoutRatio() >= spikeTimeouts;
    double q = s.queueingDelayMillis();
    return timeouts || spikeDelay > 0 && q >= spikeDelay * s.baseRttMillis();
  }

  /**
   * Returns the rate to apply.
   *
   * @param currentRate the rate in force
   * @param proposals the controllers' proposals ({@link RateController#ABSTAIN} for none)
   * @param secondsSinceCut seconds since the rate last went down (large if never)
   * @param demandRate tokens per second asked for in the last interval
   * @param intervalSeconds the interval's length in seconds, over which the ramp limit compounds
   * @param urgent whether a cut is exempt from the ramp limit ({@link #urgent})
   */
  public double compose(double currentRate, double[] proposals, double secondsSinceCut, double demandRate,
      double intervalSeconds, boolean urgent) {
    return compose(currentRate, proposals, secondsSinceCut, demandRate, intervalSeconds, urgent, Double.NaN);
  }

  /**
   * Returns the rate to apply, as {@link #compose(double, double[], double, double, double,
   * boolean)}, with a forecast's {@code lift}: outside the warm-up after a cut, the demand gate
   * lets the rate grow up to {@code lift} even when the last interval's demand was lower. The lift
   * never raises the rate above the minimum of the proposals or the caps, never passes the ramp
   * limit, and never touches a cut, so the capacity controller's protection is the same with or
   * without it. (Letting the lift pass the ramp limit, or the warm-up, was measured and lost: see
   * docs/learning.md, "Live use".)
   *
   * @param lift the forecast target in tokens per second ({@link PredictiveController#lift}); NaN
   *     or not positive for none
   */
  public double compose(double currentRate, double[] proposals, double secondsSinceCut, double demandRate,
      double intervalSeconds, boolean urgent, double lift) {
    double dt = Math.max(0, intervalSeconds);
    boolean warming = secondsSinceCut < warmup.toNanos() / 1e9 + dt / 2;
    double lifted = !warming && lift > 0 && Double.isFinite(lift) ? lift : 0;
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
      target = Math.min(target, Math.max(Math.max(currentRate, demandHeadroom * demandRate), lifted));
    }
    target = Math.max(minRate, Math.min(maxRate, target));
    if (target > currentRate) {
      target = Math.min(target, currentRate * Math.pow(1 + (warming ? warmupRampUp : rampUp), dt));
    } else if (target < currentRate && !urgent) {
      target = Math.max(target, currentRate * Math.pow(1 - rampDown, dt));
    }
    return target;
  }
}
