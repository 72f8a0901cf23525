package dev.sluice.redis;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.sluice.core.Clock;
import dev.sluice.core.Limit;
import java.time.Duration;
import java.util.concurrent.CompletionStage;
import java.util.function.IntSupplier;

/**
 * This node's leases, one per bucket key it has seen recently, and the rule that sizes them.
 * Thread-safe.
 *
 * <p>Sizing: a bucket of burst B and rate R is leased to a node in slices of
 * {@code L = floor(f * (B + R * P) * min(1 / N, d / R))}, where P is the lease period, f the
 * allowed over-admission (default 1 %), N the live nodes and d this node's demand on the bucket in
 * tokens per second. A bucket is leased only when L is at least the minimum lease (and the
 * request's cost); colder buckets go straight to Redis. Since each node holds at most one lease per
 * bucket and the min(1 / N, ...) factors of N nodes sum to at most 1, the tokens outstanding in
 * leases at any instant (left, pending, being granted or being returned), which is the most a
 * window can admit above {@code B + R * t}, stay within {@code f * (B + R * P)}: one percent of what
 * the bucket admits over one lease period (see docs/redis.md, "Bound").
 */
final class LeaseTable {

  private final Clock clock;
  private final long periodNanos;
  private final double overAdmission;
  private final long minLease;
  private final IntSupplier liveNodes;
  private final Cache<String, Lease> leases;
  private final java.util.function.Function<String, Lease> create;

  LeaseTable(Clock clock, Duration period, double overAdmission, long minLease, IntSupplier liveNodes) {
    this.clock = clock;
    this.periodNanos = period.toNanos();
    this.overAdmission = overAdmission;
    this.minLease = minLease;
    this.liveNodes = liveNodes;
    this.leases = Caffeine.newBuilder()
        .maximumSize(100_000)
        .expireAfterAccess(period.multipliedBy(10))
        .executor(Runnable::run)
        .build();
    this.create = k -> new Lease(clock.nanoTime());
  }

  Clock clock() {
    return clock;
  }

  long periodNanos() {
    return periodNanos;
  }

  /** Returns the lease record of {@code key}, created empty on first sight. */
  Lease lease(String key) {
    Lease l = leases.getIfPresent(key);
    return l != null ? l : leases.get(key, create);
  }

  /** Returns the demand window: half a lease period. */
  long windowNanos() {
    return periodNanos / 2;
  }

  /** Returns the lease size for {@code limit} at {@code demand} tokens/s, or 0 when the bucket is not hot enough. */
  long size(Limit limit, double demand, int cost) {
    double rate = limit.rate().perSecond();
    double budget = overAdmission * (limit.burst() + rate * periodNanos / 1e9);
    double share = Math.min(1.0 / Math.max(1, liveNodes.getAsInt()), Math.min(1.0, demand / rate));
    long size = (long) Math.floor(budget * share);
    return size >= Math.max(minLease, cost) ? Math.min(size, limit.burst()) : 0;
  }

  /** Receives leased tokens taken out of a lease, to return them to Redis. */
  @FunctionalInterface
  interface Returns {
    /**
     * Returns {@code tokens} to the bucket at {@code key}, whose limit is {@code limit}; the stage
     * completes (either way) when the return call has finished.
     */
    CompletionStage<?> give(String key, long tokens, Limit limit);
  }

  /**
   * Takes the leftover of every expired lease and hands it to {@code giveBack}; each lease counts it
   * as outstanding until that return has finished.
   */
  void expire(Returns giveBack) {
    long now = clock.nanoTime();
    leases.asMap().forEach((k, l) -> {
      long left = l.expire(now);
      if (left > 0) {
        giveBack.give(k, left, l.lastSeen()).whenComplete((r, err) -> l.returned(left));
      }
    });
  }

  /** Takes every leased token out and hands it to {@code sink} with its key (close or Redis lost). */
  void drain(Returns sink) {
    leases.asMap().forEach((k, l) -> {
      long left = l.drain();
      if (left > 0) {
        sink.give(k, left, l.lastSeen());
      }
    });
  }

  /** Returns whether no lease has a top-up or a return in flight (tests wait for this). */
  boolean settled() {
    return leases.asMap().values().stream().allMatch(Lease::settled);
  }
}
