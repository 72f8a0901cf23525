package dev.sluice.redis;

import dev.sluice.core.Clock;

/**
 * Counts consecutive Redis failures and, past a threshold, stops sending decisions to Redis for an
 * open period; then lets one probe through, and closes on its success. Thread-safe.
 *
 * <p>States: closed (Redis is used), open (not used until {@code openUntil}), probing (one call is
 * in flight to test Redis; others still fall back).
 */
final class CircuitBreaker {

  private final Clock clock;
  private final int threshold;
  private final long openNanos;
  /** Written under the monitor; read without it by {@link #success()}'s fast path. */
  private volatile int failures;
  /** Written under the monitor; read without it on the decision path (closed is the common case). */
  private volatile boolean open;
  private boolean probing;
  private long openUntil;

  CircuitBreaker(Clock clock, int threshold, long openNanos) {
    this.clock = clock;
    this.threshold = threshold;
    this.openNanos = openNanos;
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
