package dev.sluice.core;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/** The in-process {@link BucketStore}: a {@link Limiter}, answered synchronously. Thread-safe. */
final class LocalBucketStore implements BucketStore {

  private final Limiter limiter;

  LocalBucketStore(Limiter limiter) {
    this.limiter = limiter;
  }

  @Override
  public CompletionStage<Decision> acquire(String key, String tier, int cost) {
    try {
      return CompletableFuture.completedFuture(limiter.tryAcquire(key, tier, cost));
    } catch (IllegalArgumentException e) {
      return CompletableFuture.failedFuture(e);
    }
  }

  @Override
  public boolean release(long permit) {
    return limiter.release(permit);
  }

  @Override
  public int expirePermits() {
    return limiter.expirePermits();
  }

  @Override
  public long expiredPermits() {
    return limiter.expiredPermits();
  }

  @Override
  public long evictedClients(String tier) {
    try {
      return limiter.evictedClients(tier);
    } catch (UnknownTierException e) {
      return 0; // a tier removed since the scrape's meters were set up
    }
  }

  @Override
  public CompletionStage<List<LevelState>> levels(String key, String tier) {
    try {
      return CompletableFuture.completedFuture(limiter.levels(key, tier));
    } catch (IllegalArgumentException e) {
      return CompletableFuture.failedFuture(e);
    }
  }

  @Override
  public CompletionStage<AggregateLevels> aggregates() {
    return CompletableFuture.completedFuture(limiter.aggregateLevels());
  }

  @Override
  public void reconfigure(LimiterSpec spec) {
    limiter.reconfigure(spec);
  }

  @Override
  public LimiterSpec spec() {
    return limiter.spec();
  }

  @Override
  public String mode() {
    return "local";
  }

  @Override
  public String toString() {
    return "LocalBucketStore[" + limiter.spec().tiers().keySet() + "]";
  }
}
