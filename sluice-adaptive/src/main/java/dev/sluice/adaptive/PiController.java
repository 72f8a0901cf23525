package dev.sluice.adaptive;

import java.time.Duration;

/**
 * A proportional-integral controller on a latency SLO (after Uber's Cinnamon), in velocity form
 * on a multiplicative scale. With the normalised error {@code e = clamp((target - p95) / target,
 * -1, 1)} (positive when latency is under the SLO), it proposes
 * {@code rate * clamp(1 + kp * (e - ePrev) + ki * e, 1 - maxStep, 1 + maxStep)}.
 *
 * <p>Anti-windup: the integral of a velocity-form PI is the rate it is given, and the control loop
 * gives it the rate actually applied after composition, caps and ramp limits. When another
 * controller or a cap holds the rate down, the integral stops with it instead of accumulating an
 * error that would later have to unwind. The error is also clamped, so one huge latency sample
 * cannot produce an unbounded step. With no responses it abstains.
 *
 * @param period how often it runs (default 5 s)
 * @param targetMillis the p95 latency SLO (default 200 ms)
 * @param kp proportional gain (default 0.4)
 * @param ki integral gain (default 0.25)
 * @param maxStep the largest relative change per run, in (0, 1) (default 0.5)
 */
public record PiController(Duration period, double targetMillis, double kp, double ki, double maxStep)
    implements RateController {

  /** Defaults: 5 s, p95 target 200 ms, kp 0.4, ki 0.25, max step 50 %. */
  public static final PiController DEFAULTS = new PiController(Duration.ofSeconds(5), 200, 0.4, 0.25, 0.5);

  /** Validates every parameter. */
  public PiController {
    String p = "adaptive.pi.";
    Check.positive(p + "period", period);
    Check.positive(p + "target", targetMillis);
    Check.nonNegative(p + "kp", kp);
    Check.positive(p + "ki", ki);
    Check.range(p + "max-step", maxStep, 0, 1, true, true);
  }

  @Override
  public String name() {
    return "pi";
  }

  /** Returns the normalised error of a p95 against the target, clamped to [-1, 1]. */
  public double error(double p95Millis) {
    return Math.max(-1, Math.min(1, (targetMillis - p95Millis) / targetMillis));
  }

  @Override
  public double propose(double currentRate, Signals s, long nowNanos) {
    if (s.responses() == 0 || Double.isNaN(s.p95Millis())) {
      return ABSTAIN;
    }
    double e = error(s.p95Millis());
    double ePrev = Double.isNaN(s.previousP95Millis()) ? e : error(s.previousP95Millis());
    double factor = 1 + kp * (e - ePrev) + ki * e;
    factor = Math.max(1 - maxStep, Math.min(1 + maxStep, factor));
    return currentRate * factor;
  }
}
