package dev.sluice.sim;

import dev.sluice.core.Clock;

/**
 * The simulator's virtual clock: reads whatever instant the event loop last moved it to. Confined
 * to the thread running one simulation (each run has its own); never moves backwards.
 */
final class VirtualClock implements Clock {

  private long now;

  @Override
  public long nanoTime() {
    return now;
  }

  /** Moves the clock to {@code t}, which must not be earlier than the current reading. */
  void set(long t) {
    if (t < now) {
      throw new IllegalStateException("virtual time went backwards: " + t + " < " + now);
    }
    now = t;
  }
}
