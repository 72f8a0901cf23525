package dev.sluice.core;

import java.util.List;
import java.util.concurrent.CompletionStage;

/**
 * Where a limiter's buckets live: in this process ({@link #local}) or shared between nodes (the
 * Redis store in {@code sluice-redis}). Thread-safe. Calls never block the caller; a store that
 * talks to a server completes its stages on that client's threads.
 *
 * <p>Every implementation keeps the {@link Limiter} guarantees: a bucket never admits more than
 * {@code burst + rate * t} over a window of length t (up to each implementation's documented
 * slack, e.g. leased tokens), levels are all-or-nothing, and reconfiguration carries tokens over
 * proportionally. {@code sluice-testkit} holds the abstract test suite every store passes.
 */
public interface BucketStore extends LimitTarget, AutoCloseable {

  /** Returns a store keeping buckets in this process, in a {@link Limiter} on {@code clock}. */
  static BucketStore local(LimiterSpec spec, Clock clock) {
    return new LocalBucketStore(Limiter.create(spec, clock));
  }

  /**
   * Returns a store deciding on {@code limiter}, for callers that also hold the limiter itself
   * (the simulator decides on it directly and lets its control loop move it through the store).
   */
  static BucketStore local(Limiter limiter) {
    if (limiter == null) {
      throw new IllegalArgumentException("limiter: null");
    }
    return new LocalBucketStore(limiter);
  }

  /**
   * Decides a request of {@code cost} tokens from client {@code key} in {@code tier}
   * ({@code null} for the default tier).
   *
   * @return a stage completed with the decision, or exceptionally with {@link UnknownTierException}
   *     or {@link IllegalArgumentException} for bad arguments
   */
  CompletionStage<Decision> acquire(String key, String tier, int cost);

  /**
   * Releases the permit of a completed request ({@link Decision#permit()}), freeing its cost at
   * every concurrency level it holds; returns whether it did. Exactly once per permit: a permit
   * already released or expired, 0, or one this store did not issue returns {@code false} and
   * changes nothing. Never blocks. The default (a store without concurrency levels, which issues no
   * permits) returns {@code false}.
   */
  default boolean release(long permit) {
    return false;
  }

  /**
   * Expires every permit whose deadline has passed and returns how many; decisions do this
   * themselves now and then, so a server calls it periodically to reclaim (and count) permits while
   * no decision comes. Never blocks. The default (a store without permits) returns 0.
   */
  default int expirePermits() {
    return 0;
  }

  /** Returns how many permits expired unreleased since the store started; the default is 0. */
  default long expiredPermits() {
    return 0;
  }

  /**
   * Returns how many client buckets of {@code tier} the client bound forgot while they still held
   * debt ({@link Limiter#evictedClients}); 0 for an unknown tier, and the default (a store that
   * keeps no client table of its own) is 0.
   */
  default long evictedClients(String tier) {
    return 0;
  }

  /** Returns the levels of client {@code key} in {@code tier} without consuming anything. */
  CompletionStage<List<LevelState>> levels(String key, String tier);

  /** Returns a short name of where decisions are made now, e.g. {@code local} or {@code redis}. */
  String mode();

  /** Releases connections and threads; the default does nothing. */
  @Override
  default void close() {}
}
