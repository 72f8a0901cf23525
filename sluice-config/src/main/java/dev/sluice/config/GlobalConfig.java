package dev.sluice.config;

import dev.sluice.core.Limit;
import dev.sluice.core.LimiterSpec;
import java.time.Duration;

/**
 * The limit over all traffic, the bounds on per-client state, and the global concurrency level.
 *
 * @param limit the global bucket, or {@code null} for no global level
 * @param maxClients most per-client buckets kept per tier; beyond it the least valuable are evicted
 * @param idleExpiry how often per-client buckets that have refilled completely are forgotten (exact:
 *     a new bucket is full too)
 * @param concurrency the most cost all requests may hold in flight at once, or 0 for no global
 *     concurrency level
 * @param permitTimeout how long a concurrency permit may stay out before it expires, for every
 *     concurrency level (global and tiers)
 */
public record GlobalConfig(Limit limit, long maxClients, Duration idleExpiry, long concurrency,
    Duration permitTimeout) {

  /** No global level, one million clients per tier, ten minutes idle expiry, no concurrency level. */
  public static final GlobalConfig DEFAULT = new GlobalConfig(null, 1_000_000, Duration.ofMinutes(10));

  /** Validates the bounds. */
  public GlobalConfig {
    if (maxClients < 1) {
      throw new IllegalArgumentException("global.max-clients: " + maxClients + " (expected: >= 1)");
    }
    Checks.positive("global.idle-expiry", idleExpiry);
    if (concurrency < 0) {
      throw new IllegalArgumentException("global.concurrency: " + concurrency + " (expected: an integer >= 1)");
    }
    Checks.positive("global.permit-timeout", permitTimeout);
  }

  /** No global concurrency level; permits (of tier levels) time out after the default minute. */
  public GlobalConfig(Limit limit, long maxClients, Duration idleExpiry) {
    this(limit, maxClients, idleExpiry, 0, LimiterSpec.DEFAULT_PERMIT_TIMEOUT);
  }
}
