package dev.sluice.redis;

import dev.sluice.core.Decision;
import dev.sluice.core.Level;
import dev.sluice.core.Limit;
import dev.sluice.core.TierSpec;
import java.util.Arrays;
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
  private final AggregateShards shards;
  private final StoreTime time;
  private final LeaseTable leases;
  /** One batcher per shard (a batch's keys must share a Cluster slot), null when batching is off. */
  private final Batcher[] batchers;
  final AtomicLong redisDecisions = new AtomicLong();
  /** Counted on every local decision, by every thread: striped, so the counter is no contention point. */
  final LongAdder leasedDecisions = new LongAdder();
  final LongAdder deniedLocally = new LongAdder();
  final AtomicLong leaseGrants = new AtomicLong();
  final AtomicLong returnedTokens = new AtomicLong();
  /** Diagnostics of the global level's lease (for the benchmark driver). */
  final GlobalLeaseStats globalLease = new GlobalLeaseStats();

  /**
   * Creates the path; {@code leases} is null when leasing is off, {@code batchers} (one per shard)
   * when batching is.
   */
  SharedBuckets(RedisLink link, KeySpace keys, AggregateShards shards, StoreTime time, LeaseTable leases,
      Batcher[] batchers) {
    this.link = link;
    this.keys = keys;
    this.shards = shards;
    this.time = time;
    this.leases = leases;
    this.batchers = batchers;
  }

  /**
   * The levels of one request: parallel arrays, innermost first. {@code key} and {@code limit} are
   * what Redis decides (for a sharded aggregate: the shard next to the client's bucket, and the
   * shard's limit); {@code reported} is the configured limit a decision names.
   */
  private record Levels(Level[] level, String[] key, Limit[] limit, Limit[] reported, String tier, int shard) {
    static Levels of(KeySpace ks, AggregateShards sh, TierSpec t, Limit global, String client) {
      int n = 1 + (t.aggregate() != null ? 1 : 0) + (global != null ? 1 : 0);
      Level[] lv = new Level[n];
      String[] k = new String[n];
      Limit[] lim = new Limit[n];
      Limit[] rep = new Limit[n];
      lv[0] = Level.CLIENT;
      k[0] = ks.client(t.name(), client);
      lim[0] = t.clientLimit(client);
      rep[0] = lim[0];
      int shard = ks.shardOf(client);
      int i = 1;
      if (t.aggregate() != null) {
        lv[i] = Level.TIER;
        k[i] = ks.tier(t.name(), shard);
        lim[i] = sh.limit(t.aggregate());
        rep[i++] = t.aggregate();
      }
      if (global != null) {
        lv[i] = Level.GLOBAL;
        k[i] = ks.global(shard);
        lim[i] = sh.limit(global);
        rep[i] = global;
      }
      return new Levels(lv, k, lim, rep, t.name(), shard);
    }

    int size() {
      return level.length;
    }
  }

  /**
   * Per-thread scratch of the local paths, so that a decision served from leases or denied locally
   * allocates only its {@link Decision} and completed future: the per-level takes, in arrays of the
   * most levels a request has. The path to Redis copies what its callback needs.
   */
  private static final class Scratch {
    final long[] epoch = new long[3];
    final Lease[] lease = new Lease[3];
    final long[] tokens = new long[3];
    final long[] reset = new long[3];
    final long[] wait = new long[3];
  }

  private final ThreadLocal<Scratch> scratch = ThreadLocal.withInitial(Scratch::new);
  /** Slots of the recent clients' levels cache (a power of two). */
  private static final int CACHED_LEVELS = 1024;
  /**
   * Recent clients' levels, direct-mapped by the client key's hash and shared by all threads: an
   * entry is immutable (final fields), so a racy read sees a whole one or null, and a racy write only
   * replaces one. An entry is used only for the same tier spec and global limit objects and an equal
   * client key; a reconfiguration brings new spec objects, so stale entries just miss.
   */
  private final CachedLevels[] cachedLevels = new CachedLevels[CACHED_LEVELS];

  private record CachedLevels(TierSpec tier, Limit global, String client, Levels levels) {}

  /** Returns the levels of {@code client} in {@code t}, from the cache when recently seen. */
  private Levels levels(TierSpec t, Limit global, String client) {
    int h = client.hashCode();
    int slot = (h ^ (h >>> 16)) & (CACHED_LEVELS - 1);
    CachedLevels c = cachedLevels[slot];
    if (c != null && c.tier() == t && c.global() == global && client.equals(c.client())) {
      return c.levels();
    }
    Levels lv = Levels.of(keys, shards, t, global, client);
    cachedLevels[slot] = new CachedLevels(t, global, client, lv);
    return lv;
  }

  /**
   * Decides {@code cost} for {@code client} in tier {@code t} under global limit {@code global};
   * {@code useLeases} is false for a circuit breaker's probe, which must reach Redis. A decision
   * answered from leases alone (or denied locally by a saturated lease) is an already-completed
   * future.
   */
  CompletableFuture<Decision> acquire(TierSpec t, Limit global, String client, int cost, boolean useLeases) {
    Scratch sc = scratch.get();
    Levels lv = levels(t, global, client);
    int n = lv.size();
    long[] epoch = sc.epoch;
    Lease[] lease = sc.lease;
    long[] tokens = sc.tokens;
    for (int i = 0; i < n; i++) {
      epoch[i] = -1;
      lease[i] = null;
    }
    int covered = 0;
    if (leases != null && useLeases && cost <= minBurst(lv)) {
      long now = leases.clock().nanoTime();
      for (int i = 0; i < n; i++) {
        // A sharded aggregate is leased from this node's home shard first, then from the next shards
        // while a shard's lease cannot cover the cost; other levels have one lease key. Denied
        // locally only if every shard's lease is saturated (empty, top-up in flight or paced);
        // otherwise a level no lease covers is decided in Redis.
        int tries = lv.level[i] == Level.CLIENT ? 1 : shards.count();
        boolean deny = true;
        for (int j = 0; j < tries; j++) {
          String key = tries == 1 ? lv.key[i] : shards.key(lv.level[i], lv.tier, (shards.home() + j) % tries);
          Lease l = leases.lease(key);
          lease[i] = l;
          long r = l.take(now, cost, leases.windowNanos(), lv.limit[i]);
          if (r >= 0) {
            epoch[i] = Lease.epochOf(r);
            tokens[i] = Lease.leftOf(r);
            covered++;
            if (Lease.wantsTopUp(r)) {
              topUp(key, lv.limit[i], l, cost, now);
            }
            deny = false;
            break;
          }
          // Not covered: top the lease up (if the bucket is hot enough) while this decision goes on.
          // A saturated lease denies (DENY), as does one whose top-up starts now (DRY).
          boolean started = r != Lease.DENY && topUp(key, lv.limit[i], l, cost, now);
          if (r == Lease.MISS || (r == Lease.DRY && !started)) {
            deny = false;
          }
        }
        if (deny) {
          for (int j = 0; j < i; j++) {
            if (epoch[j] >= 0) {
              lease[j].giveBack(epoch[j], cost);
            }
          }
          deniedLocally.increment();
          Decision d = denyLocally(lv, i, lease[i], cost, now);
          Arrays.fill(lease, null);
          return CompletableFuture.completedFuture(d);
        }
      }
    }
    if (covered == n) {
      for (int i = 0; i < n; i++) {
        lease[i].settle(cost);
      }
      leasedDecisions.increment();
      Arrays.fill(sc.reset, 0);
      Decision d = decide(lv, cost, true, tokens, sc.reset, sc.wait);
      Arrays.fill(lease, null);
      return CompletableFuture.completedFuture(d);
    }
    return viaRedis(lv, cost, covered, Arrays.copyOf(epoch, n), Arrays.copyOf(lease, n), Arrays.copyOf(tokens, n));
  }

  /**
   * Decides the levels of {@code lv} no lease covered (epoch -1) in Redis; the covered ones are
   * settled if the decision admits and given back otherwise. The arrays are the callback's own.
   */
  private CompletableFuture<Decision> viaRedis(Levels lv, int cost, int covered, long[] epoch, Lease[] lease,
      long[] tokens) {
    Arrays.fill(scratch.get().lease, null);
    int n = lv.size();
    long[] reset = new long[n];
    long[] wait = new long[n];
    int m = n - covered;
    String[] k = new String[m];
    Limit[] lim = new Limit[m];
    for (int i = 0, j = 0; i < n; i++) {
      if (epoch[i] < 0) {
        k[j] = lv.key[i];
        lim[j++] = lv.limit[i];
      }
    }
    // All of a decision's keys are in its client's shard (one hash tag), so its shard's batcher can
    // send it with other decisions of that shard in one script call, also on a Cluster.
    CompletableFuture<long[]> call = batchers != null ? batchers[lv.shard].submit(k, lim, cost)
        : link.run(LuaScript.BUCKETS, k, time.args('A', cost, lim));
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
    return new Decision(false, 0, retry, lease.resetNanos(), lv.level[i], lv.reported[i], Decision.Reason.EXHAUSTED);
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
      return new Decision(true, tokens[t], 0, reset[t], lv.level[t], lv.reported[t], Decision.Reason.ADMITTED);
    }
    for (int i = 0; i < n; i++) {
      if (lv.limit[i].burst() < cost) {
        return new Decision(false, tokens[i], Long.MAX_VALUE, reset[i], lv.level[i], lv.reported[i],
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
    return new Decision(false, tokens[d], retry, reset[d], lv.level[d], lv.reported[d], Decision.Reason.EXHAUSTED);
  }

  /**
   * Tops up {@code lease} on {@code key} to its demand-sized target unless a top-up is in flight or
   * the bucket is not hot enough; returns whether a top-up started. A saturated reply (fewer tokens
   * than asked) paces the next top-up by the time half the target (at most half the burst) takes to
   * accrue, so a bucket that stays empty costs each node one call per pace, not one per request.
   */
  private boolean topUp(String key, Limit limit, Lease lease, int cost, long now) {
    // A lease that ran dry during its last round trip gets the node's full share (see Lease.starved).
    double demand = lease.starved() ? Double.POSITIVE_INFINITY : lease.ratePerSecond(now, leases.windowNanos());
    long size = leases.size(limit, demand, cost);
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
      call = link.run(LuaScript.BUCKETS, new String[] {key}, time.args('L', request, new Limit[] {limit}));
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
      long roundTrip = Math.max(0, at - now);
      boolean global = shards.isGlobal(key);
      if (global) {
        globalLease.reply(granted, request, roundTrip, time.toNanos(r[1]), time.toNanos(r[3]));
      }
      lease.endTopUp(granted, request, true, limit, at + leases.periodNanos(),
          at + paceNanos(size, limit, roundTrip, leases.periodNanos()), time.toNanos(r[3]));
      if (global) {
        globalLease.applied(leases.clock().nanoTime() - at);
      }
    });
    return true;
  }

  /**
   * Returns how long a saturated lease waits after a top-up reply before it asks again: the time
   * half its target (at most half the burst) takes to accrue, less the round trip just measured, so
   * consecutive top-ups reach Redis about that much accrual apart (each collects about half the
   * target, never capped at the target by pacing: a pace that ignored the round trip made each cycle
   * pace + round trip long, and once that exceeded target / rate the lease could not carry the rate).
   * At most one lease period; 0 when the round trip alone is that long.
   */
  static long paceNanos(long size, Limit limit, long roundTrip, long periodNanos) {
    long half = Math.max(1, Math.min(size, limit.burst()) / 2);
    long accrue = half > Long.MAX_VALUE / limit.rate().intervalNanos() ? periodNanos
        : Math.min(periodNanos, half * limit.rate().intervalNanos());
    return Math.max(0, accrue - roundTrip);
  }

  /**
   * Returns {@code tokens} leased from {@code key} to Redis; the stage completes when the call has
   * finished (it fails, and never throws, when the call cannot even be sent).
   */
  CompletableFuture<long[]> giveBack(String key, long tokens, Limit limit) {
    returnedTokens.addAndGet(tokens);
    try {
      return link.run(LuaScript.BUCKETS, new String[] {key}, time.args('R', tokens, new Limit[] {limit}));
    } catch (RuntimeException e) {
      return CompletableFuture.failedFuture(e);
    }
  }
}
