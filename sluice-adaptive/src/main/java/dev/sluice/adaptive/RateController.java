package dev.sluice.adaptive;

import java.time.Duration;

/**
 * An algorithm that proposes a refill rate from the current rate and one interval's signals.
 *
 * <p>Implementations are pure functions of their arguments (and their own immutable parameters):
 * the same {@code (currentRate, signals, nowNanos)} always gives the same proposal, so a test is a
 * few lines of numbers. State that an algorithm needs across intervals (a minimum RTT, the previous
 * error) travels in {@link Signals}; the integrating state of a controller is the current rate
 * itself, which the {@link ControlLoop} passes in after composition, caps and ramp limits — so no
 * controller can wind up beyond what was actually applied.
 *
 * <p>Rates are tokens per second.
 */
public interface RateController {

  /** A proposal that places no bound on the rate: the controller has no opinion this interval. */
  double ABSTAIN = Double.POSITIVE_INFINITY;

  /** Returns the controller's name as used in metrics and reports, e.g. {@code latency-aimd}. */
  String name();

  /** Returns how often the controller runs; the control loop skips it between runs. */
  Duration period();

  /**
   * Returns the proposed rate in tokens per second, or {@link #ABSTAIN}.
   *
   * @param currentRate the rate in force now, tokens per second
   * @param signals the measurements of the interval that just ended
   * @param nowNanos the control loop's clock reading
   */
  double propose(double currentRate, Signals signals, long nowNanos);
}
