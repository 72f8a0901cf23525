/**
 * Adaptive control of refill rates: {@link dev.sluice.adaptive.Signals} measured per control
 * interval by a {@link dev.sluice.adaptive.SignalCollector} (with a {@link
 * dev.sluice.adaptive.CapacityEstimator}'s delivery rate and base RTT), {@link
 * dev.sluice.adaptive.RateController}s that turn them into proposed rates (pure functions of their
 * arguments), the {@link dev.sluice.adaptive.Composition} that merges proposals under safety caps
 * and a per-second ramp limit, and the {@link dev.sluice.adaptive.ControlLoop} that applies the
 * result to a {@link dev.sluice.core.LimitTarget} on the injected clock, or only exports it in
 * shadow mode.
 */
package dev.sluice.adaptive;
