package dev.sluice.adaptive;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One run of the control loop: what it measured, what each controller proposed, and what it did.
 *
 * @param nowNanos when it ran
 * @param previousRate the controlled rate before the step, tokens per second
 * @param proposals the proposal in force of every enabled controller, by name, in configuration
 *     order: the one it made this step if it ran (see {@code ran}), else the one from its last run,
 *     which stands until it runs again ({@link RateController#ABSTAIN} when it has no opinion)
 * @param composedRate the rate after composition, caps and ramp limit
 * @param applied whether the rate was applied to the limiter (false in shadow mode)
 * @param levelRates the refill rate of each moved level after the step, {@code global} and tier
 *     names, as the limiter enforces them (unchanged in shadow mode)
 * @param signals the interval's signals
 * @param ran the controllers that ran this step, in configuration order
 * @param urgent whether a cut in this step was exempt from the ramp limit ({@link Composition#urgent})
 * @param concurrencyLimit the capacity controller's concurrency limit in tokens in flight after
 *     this step: this interval's estimate, or the last one when it did not judge this interval;
 *     {@code NaN} without an enabled capacity controller or before its first estimate. Applied to
 *     the global concurrency level only when the spec has one and not in shadow mode (see {@link
 *     ControlLoop})
 */
public record ControlStep(
    long nowNanos, double previousRate, Map<String, Double> proposals, double composedRate,
    boolean applied, Map<String, Double> levelRates, Signals signals, List<String> ran, boolean urgent,
    double concurrencyLimit) {

  /** Copies the maps and the list. */
  public ControlStep {
    proposals = Collections.unmodifiableMap(new LinkedHashMap<>(proposals));
    levelRates = Collections.unmodifiableMap(new LinkedHashMap<>(levelRates));
    ran = List.copyOf(ran);
  }
}
