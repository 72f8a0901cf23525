package dev.sluice.testkit;

import dev.sluice.core.Clock;
import java.time.Duration;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * Waits for a condition with a deadline, checking it every few milliseconds and failing the test
 * with an {@link AssertionError} when the deadline passes: the one way tests wait for something
 * another thread or process does, instead of sleeping a fixed time. A condition may itself throw
 * (e.g. an assertion that the process it waits for is still running) to fail at once. Stateless.
 */
public final class Conditions {

  private static final Clock CLOCK = Clock.system();
  private static final Duration POLL = Duration.ofMillis(2);

  private Conditions() {}

  /** Waits until {@code condition} holds, failing with {@code what} after {@code deadline}. */
  public static void await(String what, Duration deadline, BooleanSupplier condition) {
    await(what, deadline, POLL, condition);
  }

  /**
   * Waits until {@code condition} holds, checking it every {@code poll}, failing with {@code what}
   * after {@code deadline}.
   */
  public static void await(String what, Duration deadline, Duration poll, BooleanSupplier condition) {
    await(() -> what, deadline, poll, condition);
  }

  /**
   * Waits as {@link #await(String, Duration, Duration, BooleanSupplier)}; the failure message is
   * {@code what} as it reads when the deadline passes (e.g. the output so far).
   */
  public static void await(Supplier<String> what, Duration deadline, Duration poll, BooleanSupplier condition) {
    if (deadline.isNegative() || poll.isNegative() || poll.isZero()) {
      throw new IllegalArgumentException("deadline " + deadline + ", poll " + poll
          + " (expected: deadline >= 0, poll > 0)");
    }
    long end = CLOCK.nanoTime() + deadline.toNanos();
    while (!condition.getAsBoolean()) {
      if (CLOCK.nanoTime() - end > 0) {
        throw new AssertionError("timed out after " + deadline + " waiting for: " + what.get());
      }
      LockSupport.parkNanos(poll.toNanos());
    }
  }
}
