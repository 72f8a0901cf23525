package dev.sluice.testkit;

import dev.sluice.core.Clock;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;

/** A {@link Clock} that moves only when told to. Thread-safe. */
public final class ManualClock implements Clock {

  private final AtomicLong now;

  /** Creates a clock reading {@code startNanos}, which may be any value, negative included. */
  public ManualClock(long startNanos) {
    this.now = new AtomicLong(startNanos);
  }

  /** Creates a clock reading 0. */
  public ManualClock() {
    this(0);
  }

  @Override
  public long nanoTime() {
    return now.get();
  }

  /** Moves the clock forward by {@code nanos} ({@code >= 0}) and returns the new reading. */
  public long advance(long nanos) {
    if (nanos < 0) {
      throw new IllegalArgumentException("nanos: " + nanos + " (expected: >= 0, time is monotonic)");
    }
    return now.addAndGet(nanos);
  }

  /** Moves the clock forward by {@code duration} and returns the new reading. */
  public long advance(Duration duration) {
    return advance(duration.toNanos());
  }

  @Override
  public String toString() {
    return "ManualClock[" + now.get() + "]";
  }
}
