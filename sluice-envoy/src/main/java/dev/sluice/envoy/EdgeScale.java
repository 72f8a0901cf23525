package dev.sluice.envoy;

import dev.sluice.adaptive.AdaptiveSettings;
import dev.sluice.core.LimiterSpec;

/**
 * The factor the adaptive control loop applies to the edge's rates now, which {@code
 * rate_limit.adaptive} rules follow. Immutable.
 *
 * <p>The loop moves one controlled rate: the global rate, or with no global level the sum of the
 * tiers' aggregate rates, scaling each tier's aggregate with it. The factor is that rate in the
 * store's spec now over the same rate in the configured spec; it is bounded by the loop's own
 * ceiling, {@code adaptive.limits.max-rate} over the configured rate (the loop never exceeds it,
 * so neither does a rule following it).
 *
 * @param factor the edge's controlled rate now over its configured one, at most {@code maxFactor}
 * @param maxFactor {@code adaptive.limits.max-rate} over the configured controlled rate
 */
public record EdgeScale(double factor, double maxFactor) {

  /** No adaptation: every rate as configured. */
  public static final EdgeScale NONE = new EdgeScale(1, 1);

  /** Requires positive, finite factors and clamps {@code factor} to {@code maxFactor}. */
  public EdgeScale {
    if (!(maxFactor > 0) || Double.isInfinite(maxFactor)) {
      throw new IllegalArgumentException("max factor: " + maxFactor + " (expected: > 0 and finite)");
    }
    if (!(factor > 0) || Double.isInfinite(factor)) {
      throw new IllegalArgumentException("factor: " + factor + " (expected: > 0 and finite)");
    }
    factor = Math.min(factor, maxFactor);
  }

  /**
   * Returns the scale of an edge configured with {@code configured} whose store enforces {@code
   * now}, under {@code adaptive}: {@link #NONE} when the loop is off, in shadow mode (it moves
   * nothing), or has no rate to move.
   */
  public static EdgeScale of(LimiterSpec configured, LimiterSpec now, AdaptiveSettings adaptive) {
    if (!adaptive.enabled() || adaptive.shadow()) {
      return NONE;
    }
    double base = configured.controlledRate();
    double current = now.controlledRate();
    if (!(base > 0) || !(current > 0)) {
      return NONE;
    }
    return new EdgeScale(current / base, adaptive.limits().maxRate() / base);
  }
}
