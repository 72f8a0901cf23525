package dev.sluice.adaptive;

import java.util.Map;

/**
 * One run of the control loop: what it measured, what each controller proposed, and what it did.
 *
 * @param nowNanos when it ran
 * @param previousRate the controlled rate before the step, tokens per second
 * @param proposals the proposal of each controller that ran this step, by name, in configuration
 *     order ({@link RateController#ABSTAIN} when it had no opinion)
 * @param composedRate the rate after composition, caps and ramp limit
 * @param applied whether the rate was applied to the limiter (false in shadow mode)
 * @param levelRates the refill rate of each moved level after the step, {@code global} and tier
 *     names, as the limiter enforces them (unchanged in shadow mode)
 * @param signals the interval's signals
 */
public record ControlStep(
    long nowNanos, double previousRate, Map<String, Double> proposals, double composedRate,
    boolean applied, Map<String, Double> levelRates, Signals signals) {

  /** Copies the maps. */
  public ControlStep {
    proposals = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(proposals));
    levelRates = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(levelRates));
  }
}
