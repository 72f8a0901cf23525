package dev.sluice.core.config;

import java.time.Duration;

/**
 * The adaptive control loop's switches. The controllers' parameters live beside them in
 * sluice-adaptive's {@code AdaptiveSettings}, whose defaults take these switches from {@link
 * #DEFAULT}, so the two cannot disagree.
 *
 * @param enabled whether a control loop moves the refill rates
 * @param shadow compute and export proposed rates without applying them
 * @param interval control interval
 */
public record AdaptiveConfig(boolean enabled, boolean shadow, Duration interval) {

  /** Disabled, not in shadow mode, 5 s interval: the documented defaults (docs/config.md). */
  public static final AdaptiveConfig DEFAULT = new AdaptiveConfig(false, false, Duration.ofSeconds(5));

  /** Validates the interval. */
  public AdaptiveConfig {
    Checks.positive("adaptive.interval", interval);
  }
}
