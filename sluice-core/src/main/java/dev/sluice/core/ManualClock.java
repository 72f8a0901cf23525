package dev.sluice.core;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A {@link Clock} that moves only when told to, and never backwards: the simulator's virtual time
 * and the deterministic time of tests. Thread-safe: any thread may read it while another moves it.
 */
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

  /**
   * Moves the clock to {@code nanos}, which must not be earlier than the current reading.
   *
   * @throws IllegalArgumentException if {@code nanos} is earlier than the current reading
   */
  public void set(long nanos) {
    long current;
    do {
      current = now.get();
      if (nanos < current) {
        throw new IllegalArgumentException(
            "nanos: " + nanos + " (expected: >= " + current + ", time is monotonic)");
      }
    } while (!now.compareAndSet(current, nanos));
  }

  @Override
  public String toString() {
    return "ManualClock[" + now.get() + "]";
  }
}
