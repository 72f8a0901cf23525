package dev.sluice.testkit;

import dev.sluice.core.Clock;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A {@link Clock} for concurrency tests: every read returns a distinct value, {@code step}
 * nanoseconds after the previous read by any thread, and each thread can ask which value it read
 * last. Thread-safe; independent of real time, so a test's outcome depends only on interleaving.
 */
public final class TickingClock implements Clock {

  private final AtomicLong next;
  private final long step;
  private final ThreadLocal<long[]> lastRead = ThreadLocal.withInitial(() -> new long[1]);

  /** Creates a clock whose first read returns {@code startNanos} and that advances {@code step} per read. */
  public TickingClock(long startNanos, long step) {
    if (step < 1) {
      throw new IllegalArgumentException("step: " + step + " (expected: >= 1)");
    }
    this.next = new AtomicLong(startNanos);
    this.step = step;
  }

  @Override
  public long nanoTime() {
    long t = next.getAndAdd(step);
    lastRead.get()[0] = t;
    return t;
  }

  /** Returns the value the calling thread's most recent {@link #nanoTime()} returned. */
  public long lastReadByThisThread() {
    return lastRead.get()[0];
  }

  /** Moves the clock forward by {@code nanos} without a read. */
  public void advance(long nanos) {
    if (nanos < 0) {
      throw new IllegalArgumentException("nanos: " + nanos + " (expected: >= 0)");
    }
    next.addAndGet(nanos);
  }
}
