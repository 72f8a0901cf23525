package com.google.common.util.concurrent;

import java.util.function.LongSupplier;

/**
 * Guava's bursty {@link RateLimiter} on a given nanosecond source instead of the system clock,
 * for {@code dev.sluice.core.HotPathPieces}, which times a decision without the clock read. In
 * Guava's package because the constructor that takes a stopwatch is package-private; benchmark
 * code only.
 */
public final class GuavaOnTicker {

  private GuavaOnTicker() {}

  /** Returns a limiter of {@code permitsPerSecond} that reads time from {@code nanos}. */
  public static RateLimiter create(double permitsPerSecond, LongSupplier nanos) {
    return RateLimiter.create(permitsPerSecond, new RateLimiter.SleepingStopwatch() {
      @Override
      protected long readMicros() {
        return nanos.getAsLong() / 1_000;
      }

      @Override
      protected void sleepMicrosUninterruptibly(long micros) {
        // tryAcquire() without a timeout calls this with 0; a longer wait never comes from it
        if (micros > 0) {
          throw new UnsupportedOperationException("tryAcquire() only, which never waits");
        }
      }
    });
  }
}
