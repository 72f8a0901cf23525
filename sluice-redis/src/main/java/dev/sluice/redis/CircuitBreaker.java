package dev.sluice.redis;

import dev.sluice.core.Clock;

/**
 * Counts consecutive Redis failures and, past a threshold, stops sending decisions to Redis for an
 * open period; then lets one probe through, and closes on its success. Thread-safe.
 *
 * <p>States: closed (Redis is used), open (not used until {@code openUntil}), probing (one call is
 * in flight to test Redis; others still fall back). {@link #failure()} moves closed to open,
 * {@link #success()} moves open (or probing) to closed, and {@link #trip()} opens a breaker whose
 * Redis never answered at start; each move from closed to open or back is reported to the
 * {@link Transitions} once, under the monitor, so reports arrive in the order of the moves.
 */
final class CircuitBreaker {

  /** Receives the breaker's moves between closed and open; called under its monitor, so it must be quick. */
  @FunctionalInterface
  interface Transitions {

    /** The breaker is now open ({@code true}: decisions fall back) or closed ({@code false}). */
    void changed(boolean open);
  }

  private final Clock clock;
  private final int threshold;
  private final long openNanos;
  private final Transitions transitions;
  /** Written under the monitor; read without it by {@link #success()}'s fast path. */
  private volatile int failures;
  /** Written under the monitor; read without it on the decision path (closed is the common case). */
  private volatile boolean open;
  private boolean probing;
  private long openUntil;

  CircuitBreaker(Clock clock, int threshold, long openNanos, Transitions transitions) {
    this.clock = clock;
    this.threshold = threshold;
    this.openNanos = openNanos;
    this.transitions = transitions;
  }

  /**
   * Opens the breaker without counting failures (Redis did not answer at start), letting the first
   * call probe at once; returns true when this opened a closed breaker.
   */
  synchronized boolean trip() {
    failures = Math.max(failures, threshold);
    probing = false;
    openUntil = clock.nanoTime();
    if (open) {
      return false;
    }
    open = true;
    transitions.changed(true);
    return true;
  }

  /** Returns whether a call may go to Redis now (when open, the first caller after the open period probes). */
  boolean allow() {
    return !open || probe();
  }

  private synchronized boolean probe() {
    if (!open) {
      return true;
    }
    if (!probing && clock.nanoTime() - openUntil >= 0) {
      probing = true;
      return true;
    }
    return false;
  }

  /** Records a successful call; returns true when this closed an open breaker (time to re-sync). */
  boolean success() {
    // Fast path, taken by every decision while Redis is healthy: nothing to reset.
    return (open || failures != 0) && reset();
  }

  private synchronized boolean reset() {
    failures = 0;
    probing = false;
    if (open) {
      open = false;
      transitions.changed(false);
      return true;
    }
    return false;
  }

  /** Records a failed call; returns true when this opened a closed breaker. */
  synchronized boolean failure() {
    failures++;
    probing = false;
    if (open) {
      openUntil = clock.nanoTime() + openNanos;
      return false;
    }
    if (failures >= threshold) {
      open = true;
      openUntil = clock.nanoTime() + openNanos;
      transitions.changed(true);
      return true;
    }
    return false;
  }

  /** Returns whether decisions go to Redis. */
  boolean closed() {
    return !open;
  }

  /** Returns the open period in nanoseconds. */
  long openNanos() {
    return openNanos;
  }
}
