package dev.sluice.bench;

import com.google.common.util.concurrent.RateLimiter;
import dev.sluice.core.Clock;
import dev.sluice.core.Limit;
import dev.sluice.core.Limiter;
import dev.sluice.core.LimiterSpec;
import dev.sluice.core.Rate;
import io.github.bucket4j.Bucket;
import io.github.resilience4j.ratelimiter.RateLimiterConfig;
import io.github.resilience4j.ratelimiter.internal.AtomicRateLimiter;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * The two limits every implementation is configured with, and one factory per implementation.
 *
 * <p>The open limit (a burst of 10^9 tokens refilled at 10^9 per second, i.e. one per
 * nanosecond) is never reached by a benchmark thread; the exhausted limit (a burst of 1 refilled
 * once an hour) denies every call after the one that drains it in setup.
 */
final class Limits {

  /** Burst of the open limit. */
  static final long OPEN_BURST = 1_000_000_000L;
  /** Refill of the open limit, tokens per second. */
  static final long OPEN_PER_SECOND = 1_000_000_000L;
  /** Refill period of the exhausted limit's single token. */
  static final Duration EXHAUSTED_PERIOD = Duration.ofHours(1);
  /**
   * Sluice's client bound per tier: the builder's default, equal to the largest key set, so
   * nothing is evicted while Caffeine's frequency sketch is active as in a full production map.
   */
  static final long MAX_CLIENTS = Workload.ZIPF_KEYS;

  private static final Limit SLUICE_OPEN = Limit.of(OPEN_BURST, Rate.perSecond(OPEN_PER_SECOND));
  private static final Limit SLUICE_EXHAUSTED = Limit.of(1, Rate.of(1, TimeUnit.HOURS));

  private static final RateLimiterConfig R4J_OPEN = RateLimiterConfig.custom()
      .limitForPeriod((int) OPEN_PER_SECOND)
      .limitRefreshPeriod(Duration.ofSeconds(1))
      .timeoutDuration(Duration.ZERO)
      .build();
  private static final RateLimiterConfig R4J_EXHAUSTED = RateLimiterConfig.custom()
      .limitForPeriod(1)
      .limitRefreshPeriod(EXHAUSTED_PERIOD)
      .timeoutDuration(Duration.ZERO)
      .build();

  private Limits() {}

  /** Sluice with one tier and the client level only: one bucket per key, like each peer. */
  static Limiter sluice(boolean exhausted) {
    return Limiter.create(LimiterSpec.builder()
        .tier("t", exhausted ? SLUICE_EXHAUSTED : SLUICE_OPEN)
        .maxClientsPerTier(MAX_CLIENTS)
        .build(), Clock.system());
  }

  /**
   * Sluice with client, tier-aggregate and global levels; the aggregate and global limits are
   * open in both lanes, so the exhausted lane is denied at the client level.
   */
  static Limiter sluiceHierarchy(boolean exhausted) {
    return Limiter.create(LimiterSpec.builder()
        .tier("t", exhausted ? SLUICE_EXHAUSTED : SLUICE_OPEN, SLUICE_OPEN)
        .global(SLUICE_OPEN)
        .maxClientsPerTier(MAX_CLIENTS)
        .build(), Clock.system());
  }

  /** Bucket4j's local bucket: lock-free (the default strategy), nanosecond clock, greedy refill. */
  static Bucket bucket4j(boolean exhausted) {
    return Bucket.builder()
        .addLimit(limit -> exhausted
            ? limit.capacity(1).refillGreedy(1, EXHAUSTED_PERIOD)
            : limit.capacity(OPEN_BURST).refillGreedy(OPEN_PER_SECOND, Duration.ofSeconds(1)))
        .withNanosecondPrecision()
        .build();
  }

  /**
   * Guava's bursty limiter. It has no separate burst setting (it stores at most one second of
   * permits); the exhausted one allows one permit per hour.
   */
  static RateLimiter guava(boolean exhausted) {
    return RateLimiter.create(exhausted ? 1.0 / EXHAUSTED_PERIOD.toSeconds() : OPEN_PER_SECOND);
  }

  /** Resilience4j's lock-free limiter with a zero timeout, so a denied call returns at once. */
  static AtomicRateLimiter resilience4j(String name, boolean exhausted) {
    return new AtomicRateLimiter(name, exhausted ? R4J_EXHAUSTED : R4J_OPEN);
  }
}
