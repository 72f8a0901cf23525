package dev.sluice.server.observe;

import dev.sluice.core.Clock;
import io.micrometer.core.instrument.Counter;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A per-second budget of log lines, thread-safe: {@link #tryLog} says yes at most {@code perSecond}
 * times in each one-second window of the clock and counts every no in a counter, so a flood of one
 * kind of event cannot flood the log. Windows start at the first event a second or more after the
 * previous window's start (not on wall-clock second boundaries).
 *
 * <ol>
 *   <li>{@code tryLog} does not allocate, block or log: one clock read and two or three atomic
 *       operations.
 *   <li>Within one window at most {@code perSecond} calls return {@code true}; when threads race at
 *       a window's turn a few calls may be counted in the old window (never more than the budget
 *       logged in either).
 * </ol>
 */
public final class LogBudget {

  private static final long SECOND = 1_000_000_000L;

  private final Clock clock;
  private final long perSecond;
  private final Counter suppressed;
  private final AtomicLong windowStart;
  private final AtomicLong inWindow = new AtomicLong();

  /**
   * A budget of {@code perSecond} lines per second on {@code clock}, counting the rest in {@code
   * suppressed}.
   */
  public LogBudget(String name, Clock clock, long perSecond, Counter suppressed) {
    if (perSecond < 0) {
      throw new IllegalArgumentException(name + ": " + perSecond + " (expected: >= 0)");
    }
    this.clock = clock;
    this.perSecond = perSecond;
    this.suppressed = suppressed;
    this.windowStart = new AtomicLong(clock.nanoTime());
  }

  /** Returns whether one more line may be logged now; if not, counts it as suppressed. */
  public boolean tryLog() {
    long now = clock.nanoTime();
    long start = windowStart.get();
    if (now - start >= SECOND && windowStart.compareAndSet(start, now)) {
      inWindow.set(0);
    }
    if (inWindow.incrementAndGet() > perSecond) {
      suppressed.increment();
      return false;
    }
    return true;
  }
}
