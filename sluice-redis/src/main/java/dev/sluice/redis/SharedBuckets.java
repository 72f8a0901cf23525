package dev.sluice.redis;

import dev.sluice.core.AggregateLevels;
import dev.sluice.core.Decision;
import dev.sluice.core.Level;
import dev.sluice.core.LevelState;
import dev.sluice.core.Limit;
import dev.sluice.core.LimiterSpec;
import dev.sluice.core.TierSpec;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * Decisions against the buckets in Redis: leased levels are taken locally, the others in one
 * script call over their keys, all or nothing. Thread-safe; never blocks.
 *
 * <p>Decision flow: each level whose bucket this node holds an unexpired lease on takes the cost
 * from the lease; if every level did, the decision is local (an already-completed future). A
 * saturated lease that is empty (its bucket was empty in Redis at the last top-up, the next one in
 * flight or paced) denies locally, giving back the other levels' takes. Otherwise one script runs
 * over the remaining keys (they share a hash tag, so this works on Cluster too); if it denies, the
 * local takes are given back, if it admits they are settled. A lease that falls below half its
 * target, and a level hot enough to lease without a usable lease, start a top-up to the
 * demand-sized target (at most one in flight per bucket), in parallel with the decision. With
 * batching on, the script call of a decision goes through the {@link Batcher}, which shares one
 * call among the decisions that arrive together and answers each exactly as its own call would.
 */
final class SharedBuckets {

  private final RedisLink link;
  private final KeySpace keys;
  private final StoreTime time;
  private final LeaseTable leases;
  private final Batcher batcher;
  final AtomicLong redisDecisions = new AtomicLong();
  /** Counted on every local decision, by every thread: striped, so the counter is no contention point. */
  final LongAdder leasedDecisions = new LongAdder();
  final LongAdder deniedLocally = new LongAdder();
  final AtomicLong leaseGrants = new AtomicLong();
  final AtomicLong returnedTokens = new AtomicLong();

  /** Creates the path; {@code leases} is null when leasing is off, {@code batcher} when batching is. */
  SharedBuckets(RedisLink link, KeySpace keys, StoreTime time, LeaseTable leases, Batcher batcher) {
    this.link = link;
    this.keys = keys;
    this.time = time;
    this.leases = leases;
    this.batcher = batcher;
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
      lim[0] = t.clientLimit(client);
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

  /**
   * Decides {@code cost} for {@code client} in tier {@code t} under global limit {@code global};
   * {@code useLeases} is false for a circuit breaker's probe, which must reach Redis. A decision
   * answered from leases alone (or denied locally by a saturated lease) is an already-completed
   * future.
   */
  CompletableFuture<Decision> acquire(TierSpec t, Limit global, String client, int cost, boolean useLeases) {
    Levels lv = Levels.of(keys, t, global, client);
    int n = lv.size();
    long[] epoch = new long[n];
    for (int i = 0; i < n; i++) {
      epoch[i] = -1;
    }
    Lease[] lease = new Lease[n];
    long[] tokens = new long[n];
    int covered = 0;
    if (leases != null && useLeases && cost <= minBurst(lv)) {
      long now = leases.clock().nanoTime();
      for (int i = 0; i < n; i++) {
        Lease l = leases.lease(lv.key[i]);
        lease[i] = l;
        long r = l.take(now, cost, leases.windowNanos(), lv.limit[i]);
        if (r >= 0) {
          epoch[i] = Lease.epochOf(r);
          tokens[i] = Lease.leftOf(r);
          covered++;
          if (Lease.wantsTopUp(r)) {
            topUp(lv.key[i], lv.limit[i], l, cost, now);
          }
          continue;
        }
        boolean deny = r == Lease.DENY;
        if (r == Lease.MISS || r == Lease.DRY) {
          // Not covered: top the lease up (if the bucket is hot enough) while this decision goes on.
          deny = topUp(lv.key[i], lv.limit[i], l, cost, now) && r == Lease.DRY;
        }
        if (deny) {
          for (int j = 0; j < i; j++) {
            if (epoch[j] >= 0) {
              lease[j].giveBack(epoch[j], cost);
            }
          }
          deniedLocally.increment();
          return CompletableFuture.completedFuture(denyLocally(lv, i, l, cost, now));
        }
      }
    }
    long[] reset = new long[n];
    long[] wait = new long[n];
    if (covered == n) {
      for (int i = 0; i < n; i++) {
        lease[i].settle(cost);
      }
      leasedDecisions.increment();
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
    CompletableFuture<long[]> call = batcher != null ? batcher.submit(k, lim, cost)
        : link.run(LuaScript.BUCKETS, k, args('A', cost, lim));
    CompletableFuture<Decision> result = call.thenApply(r -> {
      redisDecisions.incrementAndGet();
      boolean admitted = r[0] == 1;
      for (int i = 0, j = 0; i < n; i++) {
        if (epoch[i] < 0) {
          tokens[i] = r[2 + 3 * j];
          reset[i] = time.toNanos(r[3 + 3 * j]);
          wait[i] = r[4 + 3 * j] < 0 ? Long.MAX_VALUE : time.toNanos(r[4 + 3 * j]);
          j++;
        }
      }
      return decide(lv, cost, admitted, tokens, reset, wait);
    });
    if (covered == 0) {
      return result;
    }
    return result.whenComplete((d, err) -> {
      boolean spent = err == null && d.allowed();
      for (int i = 0; i < n; i++) {
        if (epoch[i] >= 0) {
          if (spent) {
            lease[i].settle(cost);
          } else {
            lease[i].giveBack(epoch[i], cost);
          }
        }
      }
    });
  }

  private static long minBurst(Levels lv) {
    long b = Long.MAX_VALUE;
    for (Limit l : lv.limit) {
      b = Math.min(b, l.burst());
    }
    return b;
  }

  /**
   * A denial by a saturated lease, without a round trip: the bucket in Redis was empty at the last
   * top-up and the next one is in flight or paced. It names that level; retry-after is the time
   * until the next top-up may ask, at least the time {@code cost} tokens take to accrue.
   */
  private static Decision denyLocally(Levels lv, int i, Lease lease, int cost, long now) {
    Limit lim = lv.limit[i];
    long accrue = cost > Long.MAX_VALUE / lim.rate().intervalNanos() ? Long.MAX_VALUE
        : cost * lim.rate().intervalNanos();
    long retry = Math.max(1, Math.max(accrue, lease.paceUntil() - now));
    return new Decision(false, 0, retry, lease.resetNanos(), lv.level[i], lim, Decision.Reason.EXHAUSTED);
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

  /**
   * Tops up {@code lease} on {@code key} to its demand-sized target unless a top-up is in flight or
   * the bucket is not hot enough; returns whether a top-up started. A saturated reply (fewer tokens
   * than asked) paces the next top-up by the time half the target (at most half the burst) takes to
   * accrue, so a bucket that stays empty costs each node one call per pace, not one per request.
   */
  private boolean topUp(String key, Limit limit, Lease lease, int cost, long now) {
    long size = leases.size(limit, lease.ratePerSecond(now, leases.windowNanos()), cost);
    Lease.TopUp tu = lease.beginTopUp(now, size, limit);
    if (tu == null) {
      return false;
    }
    if (tu.giveBack() > 0) {
      long back = tu.giveBack();
      giveBack(key, back, tu.giveBackUnder()).whenComplete((r, err) -> lease.returned(back));
    }
    if (tu.request() == 0) {
      return false;
    }
    long request = tu.request();
    CompletableFuture<long[]> call;
    try {
      call = link.run(LuaScript.BUCKETS, new String[] {key}, args('L', request, new Limit[] {limit}));
    } catch (RuntimeException e) {
      // E.g. an injected clock out of range: end the top-up so the lease is not left refilling.
      lease.endTopUp(0, request, false, limit, 0, now, 0);
      throw e;
    }
    call.whenComplete((r, err) -> {
      long at = leases.clock().nanoTime();
      if (err != null) {
        lease.endTopUp(0, request, false, limit, 0, at, 0);
        return;
      }
      long granted = r[0];
      if (granted > 0) {
        leaseGrants.incrementAndGet();
      }
      long pace = Math.max(1, Math.min(size, limit.burst()) / 2);
      long paceNanos = pace > Long.MAX_VALUE / limit.rate().intervalNanos() ? leases.periodNanos()
          : Math.min(leases.periodNanos(), pace * limit.rate().intervalNanos());
      lease.endTopUp(granted, request, true, limit, at + leases.periodNanos(), at + paceNanos, time.toNanos(r[3]));
    });
    return true;
  }

  /**
   * Returns {@code tokens} leased from {@code key} to Redis; the stage completes when the call has
   * finished (it fails, and never throws, when the call cannot even be sent).
   */
  CompletableFuture<long[]> giveBack(String key, long tokens, Limit limit) {
    returnedTokens.addAndGet(tokens);
    try {
      return link.run(LuaScript.BUCKETS, new String[] {key}, args('R', tokens, new Limit[] {limit}));
    } catch (RuntimeException e) {
      return CompletableFuture.failedFuture(e);
    }
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

  /**
   * Returns every tier aggregate and the global level of {@code s} as Redis holds them, in one
   * script call (the keys share the store's hash tag). Tokens a node holds on lease are not in
   * Redis and so not counted: this is what Redis will admit.
   */
  CompletableFuture<AggregateLevels> aggregates(LimiterSpec s) {
    List<String> names = new ArrayList<>();
    List<String> ks = new ArrayList<>();
    List<Limit> limits = new ArrayList<>();
    for (TierSpec t : s.tiers().values()) {
      if (t.aggregate() != null) {
        names.add(t.name());
        ks.add(keys.tier(t.name()));
        limits.add(t.aggregate());
      }
    }
    if (s.global() != null) {
      ks.add(keys.global());
      limits.add(s.global());
    }
    if (ks.isEmpty()) {
      return CompletableFuture.completedFuture(AggregateLevels.NONE);
    }
    Limit[] lim = limits.toArray(Limit[]::new);
    return link.run(LuaScript.BUCKETS, ks.toArray(String[]::new), args('P', 0, lim)).thenApply(r -> {
      Map<String, LevelState> tiers = new LinkedHashMap<>();
      for (int i = 0; i < names.size(); i++) {
        tiers.put(names.get(i), new LevelState(Level.TIER, lim[i], r[2 + 3 * i], time.toNanos(r[3 + 3 * i])));
      }
      int g = names.size();
      LevelState global = s.global() == null ? null
          : new LevelState(Level.GLOBAL, lim[g], r[2 + 3 * g], time.toNanos(r[3 + 3 * g]));
      return new AggregateLevels(tiers, global);
    });
  }
}
