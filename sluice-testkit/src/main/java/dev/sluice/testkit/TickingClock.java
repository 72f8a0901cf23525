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
  /** Per thread: {last read, first read since mark, whether a read happened since mark}. */
  private final ThreadLocal<long[]> lastRead = ThreadLocal.withInitial(() -> new long[3]);

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
    long[] mine = lastRead.get();
    mine[0] = t;
    if (mine[2] == 0) {
      mine[1] = t;
      mine[2] = 1;
    }
    return t;
  }

  /** Returns the value the calling thread's most recent {@link #nanoTime()} returned. */
  public long lastReadByThisThread() {
    return lastRead.get()[0];
  }

  /** Starts a new span for {@link #firstReadSinceMark()} on the calling thread. */
  public void mark() {
    lastRead.get()[2] = 0;
  }

  /**
   * Returns the first value the calling thread read since its last {@link #mark()}: the instant a
   * decision took, even if it read the clock again later (a refund, a catch-up reconfiguration).
   *
   * @throws IllegalStateException if the thread has not read the clock since the mark
   */
  public long firstReadSinceMark() {
    long[] mine = lastRead.get();
    if (mine[2] == 0) {
      throw new IllegalStateException("no clock read since mark()");
    }
    return mine[1];
  }

  /** Moves the clock forward by {@code nanos} without a read. */
  public void advance(long nanos) {
    if (nanos < 0) {
      throw new IllegalArgumentException("nanos: " + nanos + " (expected: >= 0)");
    }
    next.addAndGet(nanos);
  }
}
