package dev.sluice.redis;

import dev.sluice.core.Decision;
import dev.sluice.core.Level;
import dev.sluice.core.LevelState;
import dev.sluice.core.Limit;
import dev.sluice.core.TierSpec;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Decisions against the buckets in Redis: leased levels are taken locally, the others in one
 * script call over their keys, all or nothing. Thread-safe; never blocks.
 *
 * <p>Decision flow: each level whose bucket this node holds an unexpired lease on takes the cost
 * from the lease; if every level did, the decision is local. Otherwise one script runs over the
 * remaining keys (they share a hash tag, so this works on Cluster too); if it denies, the local
 * takes are given back. Then any level hot enough to lease but without a usable lease starts a
 * refill (return the leftover, lease a new slice), at most one in flight per bucket.
 */
final class SharedBuckets {

  private final RedisLink link;
  private final KeySpace keys;
  private final StoreTime time;
  private final LeaseTable leases;
  final AtomicLong redisDecisions = new AtomicLong();
  final AtomicLong leasedDecisions = new AtomicLong();
  final AtomicLong leaseGrants = new AtomicLong();
  final AtomicLong returnedTokens = new AtomicLong();

  /** Creates the path; {@code leases} is null when leasing is off. */
  SharedBuckets(RedisLink link, KeySpace keys, StoreTime time, LeaseTable leases) {
    this.link = link;
    this.keys = keys;
    this.time = time;
    this.leases = leases;
  }

  /** The levels of one request: parallel arrays, innermost first. */
  private record Levels(Level[] level, String[] key, Limit[] limit) {
    static Levels of(KeySpace ks, TierSpec t, Limit global, String client) {
      int n = 1 + (t.aggregate() != null ? 1 : 0) + (global != null ? 1 : 0);
      Level[] lv = new Level[n];
      String[] k = new String[n];
      Limit[] lim = new Limit[n];
      lv[0] = Level.CLIENT;
      k[0] = ks.client(t.name(), client);
      lim[0] = t.perClient();
      int i = 1;
      if (t.aggregate() != null) {
        lv[i] = Level.TIER;
        k[i] = ks.tier(t.name());
        lim[i++] = t.aggregate();
      }
      if (global != null) {
        lv[i] = Level.GLOBAL;
        k[i] = ks.global();
        lim[i] = global;
      }
      return new Levels(lv, k, lim);
    }

    int size() {
      return level.length;
    }
  }

  private String[] args(char op, long amount, Limit[] limits) {
    String[] a = new String[5 + 2 * limits.length];
    a[0] = String.valueOf(op);
    a[1] = time.nowArg();
    a[2] = Long.toString(amount);
    a[3] = Long.toString(time.unitsPerMs());
    a[4] = Long.toString(time.expirySlackMs());
    for (int i = 0; i < limits.length; i++) {
      a[5 + 2 * i] = Long.toString(limits[i].burst());
      a[6 + 2 * i] = Long.toString(time.intervalUnits(limits[i]));
    }
    return a;
  }

  /** Decides {@code cost} for {@code client} in tier {@code t} under global limit {@code global}. */
  CompletableFuture<Decision> acquire(TierSpec t, Limit global, String client, int cost) {
    Levels lv = Levels.of(keys, t, global, client);
    int n = lv.size();
    long[] epoch = new long[n];
    Lease[] lease = new Lease[n];
    int covered = 0;
    if (leases != null) {
      long now = leases.clock().nanoTime();
      for (int i = 0; i < n; i++) {
        lease[i] = leases.lease(lv.key[i]);
        lease[i].record(now, cost, leases.windowNanos(), lv.limit[i]);
        epoch[i] = lease[i].take(now, cost, lv.limit[i]);
        if (epoch[i] >= 0) {
          covered++;
        }
      }
    } else {
      java.util.Arrays.fill(epoch, -1);
    }
    long[] tokens = new long[n];
    long[] reset = new long[n];
    long[] wait = new long[n];
    if (covered == n) {
      leasedDecisions.incrementAndGet();
      for (int i = 0; i < n; i++) {
        tokens[i] = lease[i].tokens();
      }
      return CompletableFuture.completedFuture(decide(lv, cost, true, tokens, reset, wait));
    }
    int m = n - covered;
    String[] k = new String[m];
    Limit[] lim = new Limit[m];
    for (int i = 0, j = 0; i < n; i++) {
      if (epoch[i] < 0) {
        k[j] = lv.key[i];
        lim[j++] = lv.limit[i];
      }
    }
    CompletableFuture<Decision> result = link.run(LuaScript.BUCKETS, k, args('A', cost, lim)).thenApply(r -> {
      redisDecisions.incrementAndGet();
      boolean admitted = r[0] == 1;
      for (int i = 0, j = 0; i < n; i++) {
        if (epoch[i] >= 0) {
          tokens[i] = lease[i].tokens();
        } else {
          tokens[i] = r[2 + 3 * j];
          reset[i] = time.toNanos(r[3 + 3 * j]);
          wait[i] = r[4 + 3 * j] < 0 ? Long.MAX_VALUE : time.toNanos(r[4 + 3 * j]);
          j++;
        }
      }
      return decide(lv, cost, admitted, tokens, reset, wait);
    });
    return result.whenComplete((d, err) -> {
      if (err != null || !d.allowed()) {
        for (int i = 0; i < n; i++) {
          if (epoch[i] >= 0) {
            lease[i].giveBack(epoch[i], cost);
          }
        }
      }
      if (err == null && leases != null) {
        for (int i = 0; i < n; i++) {
          if (epoch[i] < 0) {
            maybeRefill(lv.key[i], lv.limit[i], lease[i], cost);
          }
        }
      }
    });
  }

  private static Decision decide(Levels lv, int cost, boolean admitted, long[] tokens, long[] reset, long[] wait) {
    int n = lv.size();
    if (admitted) {
      int t = 0;
      for (int i = 1; i < n; i++) {
        if (tokens[i] < tokens[t]) {
          t = i;
        }
      }
      return new Decision(true, tokens[t], 0, reset[t], lv.level[t], lv.limit[t], Decision.Reason.ADMITTED);
    }
    for (int i = 0; i < n; i++) {
      if (lv.limit[i].burst() < cost) {
        return new Decision(false, tokens[i], Long.MAX_VALUE, reset[i], lv.level[i], lv.limit[i],
            Decision.Reason.COST_EXCEEDS_BURST);
      }
    }
    int d = -1;
    long retry = 1;
    for (int i = 0; i < n; i++) {
      if (wait[i] > 0 && d < 0) {
        d = i;
      }
      retry = Math.max(retry, wait[i]);
    }
    d = Math.max(d, 0);
    return new Decision(false, tokens[d], retry, reset[d], lv.level[d], lv.limit[d], Decision.Reason.EXHAUSTED);
  }

  private void maybeRefill(String key, Limit limit, Lease lease, int cost) {
    long size = leases.size(limit, lease.ratePerSecond(), cost);
    if (size == 0) {
      return;
    }
    long leftover = lease.beginRefill();
    if (leftover < 0) {
      return;
    }
    if (leftover > 0) {
      giveBack(key, leftover, limit);
    }
    String[] k = {key};
    link.run(LuaScript.BUCKETS, k, args('L', size, new Limit[] {limit})).whenComplete((r, err) -> {
      long granted = err == null ? r[0] : 0;
      if (granted > 0) {
        leaseGrants.incrementAndGet();
      }
      lease.endRefill(granted, limit, leases.clock().nanoTime() + leases.periodNanos());
    });
  }

  /** Returns {@code tokens} leased from {@code key} to Redis. */
  CompletableFuture<long[]> giveBack(String key, long tokens, Limit limit) {
    returnedTokens.addAndGet(tokens);
    return link.run(LuaScript.BUCKETS, new String[] {key}, args('R', tokens, new Limit[] {limit}));
  }

  /** Returns every level's state for {@code client} without consuming anything. */
  CompletableFuture<List<LevelState>> levels(TierSpec t, Limit global, String client) {
    Levels lv = Levels.of(keys, t, global, client);
    return link.run(LuaScript.BUCKETS, lv.key, args('P', 0, lv.limit)).thenApply(r -> {
      List<LevelState> out = new ArrayList<>(lv.size());
      for (int i = 0; i < lv.size(); i++) {
        out.add(new LevelState(lv.level[i], lv.limit[i], r[2 + 3 * i], time.toNanos(r[3 + 3 * i])));
      }
      return out;
    });
  }
}
