package dev.sluice.sim;

import com.netflix.concurrency.limits.Limit;

/**
 * An in-flight gate at the simulated edge driven by one of Netflix's concurrency-limits {@link
 * Limit} algorithms, as the library's own {@code SimpleLimiter} drives it: a request is admitted
 * while fewer than {@link Limit#getLimit()} requests are in flight; when its exchange ends the
 * limit is fed {@code onSample(start, rtt, inflight at admission (itself included), didDrop)}, all
 * in the simulator's virtual nanoseconds. The limit algorithms read no clock themselves: every
 * time they see is the one passed here. Not thread-safe; one per run.
 */
final class PeerGate {

  private final Limit limit;
  private final Runnable afterSample;
  private int inflight;

  /**
   * Wraps {@code limit}; {@code afterSample} runs after every sample (e.g. to reseed a random
   * draw the algorithm makes).
   */
  PeerGate(Limit limit, Runnable afterSample) {
    this.limit = limit;
    this.afterSample = afterSample;
  }

  /** Admits a request if fewer than the limit are in flight, and counts it. */
  boolean tryEnter() {
    if (inflight >= limit.getLimit()) {
      return false;
    }
    inflight++;
    return true;
  }

  /** Returns how many requests are in flight. */
  int inflight() {
    return inflight;
  }

  /** Undoes {@link #tryEnter()} for a request that another level then rejected (no sample). */
  void cancel() {
    inflight--;
  }

  /**
   * Ends an admitted request's exchange and feeds the limit one sample.
   *
   * @param startNanos when it was admitted, virtual ns
   * @param nowNanos now, virtual ns
   * @param inflightAtStart in flight right after it was admitted, itself included
   * @param dropped whether it was dropped (the client timed out)
   */
  void exit(long startNanos, long nowNanos, int inflightAtStart, boolean dropped) {
    inflight--;
    limit.onSample(startNanos, Math.max(1, nowNanos - startNanos), inflightAtStart, dropped);
    afterSample.run();
  }

  /** Returns the algorithm's current limit. */
  int limit() {
    return limit.getLimit();
  }
}
