package dev.sluice.redis;

import dev.sluice.core.AggregateLevels;
import dev.sluice.core.Level;
import dev.sluice.core.LevelState;
import dev.sluice.core.Limit;
import dev.sluice.core.LimiterSpec;
import dev.sluice.core.TierSpec;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * Reads bucket states from Redis without consuming anything (the script's {@code P} op). Sharded
 * aggregates are reported whole, under their configured limit: the tokens of all their shards
 * summed, and the longest time until a shard is full again. Tokens a node holds on lease are not in
 * Redis and so not counted: this is what Redis will admit. Thread-safe; never blocks.
 */
final class BucketPeeks {

  private final RedisLink link;
  private final KeySpace keys;
  private final AggregateShards shards;
  private final StoreTime time;

  BucketPeeks(RedisLink link, KeySpace keys, AggregateShards shards, StoreTime time) {
    this.link = link;
    this.keys = keys;
    this.shards = shards;
    this.time = time;
  }

  /** Returns every level's state for {@code client} in tier {@code t} under global limit {@code global}. */
  CompletableFuture<List<LevelState>> levels(TierSpec t, Limit global, String client) {
    List<Level> aggregates = new ArrayList<>();
    List<Limit> limits = new ArrayList<>();
    if (t.aggregate() != null) {
      aggregates.add(Level.TIER);
      limits.add(t.aggregate());
    }
    if (global != null) {
      aggregates.add(Level.GLOBAL);
      limits.add(global);
    }
    Limit own = t.clientLimit(client);
    String ownKey = keys.client(t.name(), client);
    if (shards.count() == 1) {
      // One call over all levels (their keys share the hash tag).
      List<Level> all = new ArrayList<>(List.of(Level.CLIENT));
      all.addAll(aggregates);
      List<Limit> allLimits = new ArrayList<>(List.of(own));
      allLimits.addAll(limits);
      List<String> tiers = Collections.nCopies(all.size(), t.name());
      return peek(all, tiers, allLimits, ownKey);
    }
    CompletableFuture<List<LevelState>> mine = peek(List.of(Level.CLIENT), List.of(t.name()), List.of(own), ownKey);
    return mine.thenCombine(peek(aggregates, Collections.nCopies(aggregates.size(), t.name()), limits, null),
        (c, a) -> {
          List<LevelState> out = new ArrayList<>(c);
          out.addAll(a);
          return out;
        });
  }

  /** Returns every tier aggregate and the global level of {@code s}: one script call per shard. */
  CompletableFuture<AggregateLevels> aggregates(LimiterSpec s) {
    List<Level> levels = new ArrayList<>();
    List<String> names = new ArrayList<>();
    List<Limit> limits = new ArrayList<>();
    for (TierSpec t : s.tiers().values()) {
      if (t.aggregate() != null) {
        levels.add(Level.TIER);
        names.add(t.name());
        limits.add(t.aggregate());
      }
    }
    if (s.global() != null) {
      levels.add(Level.GLOBAL);
      names.add("");
      limits.add(s.global());
    }
    if (levels.isEmpty()) {
      return CompletableFuture.completedFuture(AggregateLevels.NONE);
    }
    return peek(levels, names, limits, null).thenApply(states -> {
      Map<String, LevelState> tiers = new LinkedHashMap<>();
      int g = s.global() == null ? states.size() : states.size() - 1;
      for (int i = 0; i < g; i++) {
        tiers.put(names.get(i), states.get(i));
      }
      return new AggregateLevels(tiers, s.global() == null ? null : states.get(g));
    });
  }

  /**
   * Peeks {@code levels} (tier names in {@code tiers}, configured limits in {@code limits}; a
   * client level's key is {@code clientKey}) with one script call per shard over that shard's keys,
   * which share its hash tag; a client level is in one shard, so with a client level there is one
   * shard (the unsharded layout).
   */
  private CompletableFuture<List<LevelState>> peek(List<Level> levels, List<String> tiers, List<Limit> limits,
      String clientKey) {
    int n = levels.size();
    if (n == 0) {
      return CompletableFuture.completedFuture(List.of());
    }
    Limit[] lim = new Limit[n];
    for (int i = 0; i < n; i++) {
      lim[i] = levels.get(i) == Level.CLIENT ? limits.get(i) : shards.limit(limits.get(i));
    }
    int count = levels.contains(Level.CLIENT) ? 1 : shards.count();
    List<CompletableFuture<long[]>> calls = new ArrayList<>();
    for (int s = 0; s < count; s++) {
      String[] ks = new String[n];
      for (int i = 0; i < n; i++) {
        ks[i] = levels.get(i) == Level.CLIENT ? clientKey : shards.key(levels.get(i), tiers.get(i), s);
      }
      calls.add(link.run(LuaScript.BUCKETS, ks, time.args('P', 0, lim)));
    }
    return CompletableFuture.allOf(calls.toArray(CompletableFuture[]::new)).thenApply(v -> {
      List<LevelState> out = new ArrayList<>(n);
      for (int i = 0; i < n; i++) {
        long tokens = 0;
        long reset = 0;
        for (CompletableFuture<long[]> c : calls) {
          long[] r = c.join();
          tokens += r[2 + 3 * i];
          reset = Math.max(reset, time.toNanos(r[3 + 3 * i]));
        }
        out.add(new LevelState(levels.get(i), limits.get(i), tokens, reset));
      }
      return out;
    });
  }
}
