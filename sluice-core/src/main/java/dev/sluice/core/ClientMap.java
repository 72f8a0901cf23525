package dev.sluice.core;

import java.util.Collection;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * One tier's client buckets: a {@link ConcurrentHashMap} bounded in size, with exact idle
 * eviction. Thread-safe; {@link #get} is a plain map read with no bookkeeping.
 *
 * <p>Invariants:
 * <ol>
 *   <li>A bucket leaves the map only after {@link GcraBucket#retire} succeeded, so no decision can
 *       consume from a bucket that is no longer reachable: it sees {@code GONE} and looks again.
 *   <li>Idle eviction retires only full buckets (no debt), which a fresh bucket replaces exactly:
 *       forgetting them changes no decision. It runs at most once per sweep interval, on the thread
 *       that inserts a new client.
 *   <li>The map never holds more than {@code maxSize} buckets for longer than one insertion: an
 *       insertion that passes the bound sweeps down to 90 % of it: full buckets first, then those
 *       at least 75 % full, then any. Only the last two passes forget a bucket with debt; its
 *       client then starts again full, and the tier and global levels still bound the total.
 * </ol>
 */
final class ClientMap {

  /*
   * Why not Caffeine: a bounded Caffeine cache records every read (frequency sketch, access-order
   * deque) and, with expiry, writes an access time per read. Measured on 10^6 Zipf keys that made
   * a lookup several times dearer than a ConcurrentHashMap read, the largest cost of a decision.
   * GCRA makes the bookkeeping unnecessary: whether a bucket may be forgotten is a property of the
   * bucket itself (its TAT is in the past), not of how recently it was read.
   */

  private final ConcurrentHashMap<String, GcraBucket> map = new ConcurrentHashMap<>();
  private final AtomicBoolean sweeping = new AtomicBoolean();
  private volatile long maxSize;
  private volatile long sweepIntervalNanos;
  private volatile long nextSweep;

  ClientMap(long maxSize, long sweepIntervalNanos, long now) {
    this.maxSize = maxSize;
    this.sweepIntervalNanos = sweepIntervalNanos;
    this.nextSweep = Saturating.add(now, sweepIntervalNanos);
  }

  GcraBucket get(String key) {
    return map.get(key);
  }

  /** Returns the bucket of {@code key}, creating it with {@code params}, and keeps the map bounded. */
  GcraBucket getOrCreate(String key, GcraBucket.Params params, long now) {
    GcraBucket b = map.computeIfAbsent(key, k -> new GcraBucket(params));
    if ((map.size() > maxSize || now >= nextSweep) && sweeping.compareAndSet(false, true)) {
      try {
        sweep(now);
      } finally {
        sweeping.set(false);
      }
    }
    return b;
  }

  /**
   * Retires every full bucket and, above the size bound, enough others to get back under it:
   * first those at least three quarters full, then any. A client that keeps its bucket drained
   * is therefore the last to be forgotten.
   */
  void sweep(long now) {
    nextSweep = Saturating.add(now, sweepIntervalNanos);
    long target = map.size() > maxSize ? maxSize - maxSize / 10 : Long.MAX_VALUE;
    for (double maxDebt : SWEEP_PASSES) {
      for (Map.Entry<String, GcraBucket> e : map.entrySet()) {
        if (maxDebt > 0 && map.size() <= target) {
          return;
        }
        if (e.getValue().retire(now, maxDebt)) {
          map.remove(e.getKey(), e.getValue());
        }
      }
      if (map.size() <= target) {
        return;
      }
    }
  }

  /** Debt, as a fraction of capacity, a bucket may have to be retired in each sweep pass. */
  private static final double[] SWEEP_PASSES = {0, 0.25, 1};

  /** Updates the bounds; takes effect from the next insertion. */
  void bounds(long maxSize, long sweepIntervalNanos) {
    this.maxSize = maxSize;
    this.sweepIntervalNanos = sweepIntervalNanos;
  }

  /** Calls {@code action} with every key and bucket (weakly consistent, as the map's iteration). */
  void forEach(java.util.function.BiConsumer<String, GcraBucket> action) {
    map.forEach(action);
  }

  Collection<GcraBucket> values() {
    return map.values();
  }

  long size() {
    return map.size();
  }
}
