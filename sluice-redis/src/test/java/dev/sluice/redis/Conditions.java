package dev.sluice.redis;

import java.time.Duration;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;

/** Waits for a condition with a deadline, checking it every few milliseconds; fails when it passes. */
final class Conditions {

  private static final dev.sluice.core.Clock CLOCK = dev.sluice.core.Clock.system();

  private Conditions() {}

  /** Waits until {@code condition} holds, failing with {@code what} after {@code deadline}. */
  static void await(String what, Duration deadline, BooleanSupplier condition) {
    await(what, deadline, Duration.ofMillis(2), condition);
  }

  /**
   * Waits until {@code condition} holds, checking it every {@code poll}, failing with {@code what}
   * after {@code deadline}.
   */
  static void await(String what, Duration deadline, Duration poll, BooleanSupplier condition) {
    long end = CLOCK.nanoTime() + deadline.toNanos();
    while (!condition.getAsBoolean()) {
      if (CLOCK.nanoTime() - end > 0) {
        throw new AssertionError("timed out after " + deadline + " waiting for: " + what);
      }
      LockSupport.parkNanos(poll.toNanos());
    }
  }
}
