package dev.sluice.core;

/**
 * A source of monotonic time in nanoseconds; the only way Sluice reads time.
 *
 * <p>Implementations must be thread-safe. Values have an arbitrary origin (they may be negative)
 * and only differences between them mean anything. The production clock is {@link #system()};
 * the simulator and most tests move a {@link ManualClock} by hand (concurrency tests use
 * {@code sluice-testkit}'s ticking clock).
 */
@FunctionalInterface
public interface Clock {

  /** Returns the current time in nanoseconds, never smaller than a value returned before. */
  long nanoTime();

  /** Returns the clock backed by {@link System#nanoTime()}. */
  static Clock system() {
    return SystemClock.INSTANCE;
  }
}
