package dev.sluice.config;

import dev.sluice.core.Limit;
import java.time.Duration;

/**
 * The limit over all traffic and the bounds on per-client state.
 *
 * @param limit the global bucket, or {@code null} for no global level
 * @param maxClients most per-client buckets kept per tier; beyond it the least valuable are evicted
 * @param idleExpiry how often per-client buckets that have refilled completely are forgotten (exact:
 *     a new bucket is full too)
 */
public record GlobalConfig(Limit limit, long maxClients, Duration idleExpiry) {

  /** No global level, one million clients per tier, ten minutes idle expiry. */
  public static final GlobalConfig DEFAULT = new GlobalConfig(null, 1_000_000, Duration.ofMinutes(10));

  /** Validates the bounds. */
  public GlobalConfig {
    if (maxClients < 1) {
      throw new IllegalArgumentException("global.max-clients: " + maxClients + " (expected: >= 1)");
    }
    Checks.positive("global.idle-expiry", idleExpiry);
  }
}
