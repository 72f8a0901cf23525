package dev.sluice.redis;

import dev.sluice.core.Level;
import dev.sluice.core.Limit;
import dev.sluice.core.LimiterSpec;
import dev.sluice.core.TierSpec;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The aggregate levels (tier aggregates and global) split into k sub-buckets, each under its own
 * hash tag (see {@link KeySpace}), so that on a Cluster the aggregates are no longer one hot slot.
 * Shard s of an aggregate of burst B and rate R enforces {@code floor(B / k)} at {@code R / k} (rate
 * rounded down, never up), so the k shards together never admit more than B + R·t. A decision in
 * Redis draws from the shard its client's bucket lives in; a leased one from this node's home shard
 * first, spilling to the next shards while a shard's lease is saturated and empty. With k = 1
 * nothing is split and the layout is exactly the unsharded one. Thread-safe.
 */
final class AggregateShards {

  private final KeySpace keys;
  private final int home;
  private final ConcurrentHashMap<Limit, Limit> shareOf = new ConcurrentHashMap<>();
  private final Set<String> globalKeys = new HashSet<>();

  /** Shards of {@code keys}; this node draws leases from {@code home} first. */
  AggregateShards(KeySpace keys, String nodeId) {
    this.keys = keys;
    this.home = Math.floorMod(nodeId.hashCode(), keys.shards());
    for (int s = 0; s < keys.shards(); s++) {
      globalKeys.add(keys.global(s));
    }
  }

  /** Returns the number of shards (1: unsharded). */
  int count() {
    return keys.shards();
  }

  /** Returns this node's home shard. */
  int home() {
    return home;
  }

  /** Returns the limit of one shard of an aggregate limited by {@code aggregate}. */
  Limit limit(Limit aggregate) {
    int k = keys.shards();
    if (k == 1) {
      return aggregate;
    }
    Limit l = shareOf.get(aggregate);
    return l != null ? l : shareOf.computeIfAbsent(aggregate, a -> a.share(1.0 / k));
  }

  /** Returns the key of shard {@code shard} of the aggregate {@code level} (tier {@code tier}). */
  String key(Level level, String tier, int shard) {
    return level == Level.GLOBAL ? keys.global(shard) : keys.tier(tier, shard);
  }

  /** Returns whether {@code key} is a (shard of the) global bucket. */
  boolean isGlobal(String key) {
    return globalKeys.contains(key);
  }

  /**
   * Rejects a spec with an aggregate whose burst is below {@code shards}: each shard needs at least
   * one token, and a burst rounded up per shard would let the shards together exceed it.
   */
  static void check(LimiterSpec spec, int shards) {
    if (shards == 1) {
      return;
    }
    for (TierSpec t : spec.tiers().values()) {
      check("tiers." + t.name() + ".aggregate", t.aggregate(), shards);
    }
    check("global", spec.global(), shards);
  }

  private static void check(String path, Limit limit, int shards) {
    if (limit != null && limit.burst() < shards) {
      throw new IllegalArgumentException(path + ": burst " + limit.burst() + " (expected: >= the " + shards
          + " aggregate shards of the Redis store, one token each)");
    }
  }
}
