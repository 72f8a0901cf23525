package dev.sluice.redis;

import dev.sluice.core.Limit;

/**
 * This node's lease on one hot bucket: tokens taken from Redis in advance and spent locally until
 * they run out or the lease period ends, plus the demand estimate that sizes the next lease.
 * Thread-safe (every method holds this object's monitor, briefly and without I/O).
 *
 * <p>Invariants:
 * <ol>
 *   <li>At most one lease per bucket per node is outstanding: a refill first takes the leftover
 *       out (to be returned to Redis) and bumps the epoch, so tokens taken under an older epoch are
 *       never given back into a newer lease.
 *   <li>Tokens are spent only while the lease is unexpired and was granted under the limit now in
 *       force.
 * </ol>
 */
final class Lease {

  private long tokens;
  private long expiresAt;
  private Limit limit;
  private boolean refilling;
  private long epoch;
  private long windowStart;
  private long windowDemand;
  private double ratePerSecond;
  private Limit lastSeen;

  Lease(long now) {
    this.windowStart = now;
  }

  /** Counts {@code cost} tokens of demand at {@code now} under {@code current}, over windows of {@code windowNanos}. */
  synchronized void record(long now, int cost, long windowNanos, Limit current) {
    lastSeen = current;
    long elapsed = now - windowStart;
    if (elapsed >= windowNanos) {
      ratePerSecond = windowDemand * 1e9 / elapsed;
      windowStart = now;
      windowDemand = 0;
    }
    windowDemand += cost;
  }

  /** Returns this node's recent demand on the bucket in tokens per second. */
  synchronized double ratePerSecond() {
    return ratePerSecond;
  }

  /** Takes {@code cost} leased tokens; returns the epoch taken from, or -1 when the lease cannot cover it. */
  synchronized long take(long now, int cost, Limit current) {
    if (!refilling && tokens >= cost && now < expiresAt && current.equals(limit)) {
      tokens -= cost;
      return epoch;
    }
    return -1;
  }

  /** Gives back tokens taken by {@link #take} for a request another level denied. */
  synchronized void giveBack(long takenEpoch, int cost) {
    if (takenEpoch == epoch) {
      tokens += cost;
    }
  }

  /** Returns the limit in force at the last recorded demand, which a return of tokens is made under. */
  synchronized Limit lastSeen() {
    return lastSeen;
  }

  /** Returns the leased tokens left. */
  synchronized long tokens() {
    return tokens;
  }

  /**
   * Starts a refill unless one is running: takes the leftover out of the lease (the caller returns
   * it to Redis) and returns it, or -1 when a refill is already under way.
   */
  synchronized long beginRefill() {
    if (refilling) {
      return -1;
    }
    refilling = true;
    long left = tokens;
    tokens = 0;
    epoch++;
    return left;
  }

  /** Ends a refill with {@code granted} tokens (0 when Redis had none or failed) valid until {@code until}. */
  synchronized void endRefill(long granted, Limit grantedUnder, long until) {
    tokens = granted;
    limit = grantedUnder;
    expiresAt = until;
    refilling = false;
  }

  /** Takes out the leftover of an expired lease for return to Redis; 0 when there is none. */
  synchronized long expire(long now) {
    if (refilling || tokens == 0 || now < expiresAt) {
      return 0;
    }
    long left = tokens;
    tokens = 0;
    epoch++;
    return left;
  }

  /** Takes out every leased token (close, or Redis lost); the caller decides what to do with them. */
  synchronized long drain() {
    long left = tokens;
    tokens = 0;
    epoch++;
    return left;
  }
}
