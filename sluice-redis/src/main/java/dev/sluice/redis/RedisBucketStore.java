package dev.sluice.redis;

import dev.sluice.core.AggregateLevels;
import dev.sluice.core.BucketStore;
import dev.sluice.core.Clock;
import dev.sluice.core.Decision;
import dev.sluice.core.Level;
import dev.sluice.core.LevelState;
import dev.sluice.core.LimiterSpec;
import dev.sluice.core.TierSpec;
import dev.sluice.core.UnknownTierException;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A {@link BucketStore} shared between edge nodes through Redis or Redis Cluster. Thread-safe;
 * never blocks the caller: stages complete on Lettuce's threads, or at once for leased and
 * fallback decisions. Build one per node with {@link #builder}.
 *
 * <p>Guarantees:
 * <ol>
 *   <li>Each decision is at most one round trip: one Lua script over the client, tier and global
 *       keys (hash-tagged into one slot), all or nothing, with {@link dev.sluice.core.Limiter}'s
 *       retry-after (the longest wait of any level) and cost-above-burst semantics; levels served
 *       from leased tokens drop out of the script, and a decision all of whose levels are leased
 *       (or that a saturated lease denies) makes no call at all. With batching (the default), the
 *       decisions that arrive while a call is in flight share the next call, evaluated in arrival
 *       order with the results sequential calls would give.
 *   <li>Buckets never admit more than {@code burst + rate * t} over a window of length t, plus
 *       the leasing slack: at most the configured fraction (default 1 %) of
 *       {@code burst + rate * P} for lease period P, across all nodes.
 *   <li>A failed or slow Redis call (default timeout 20 ms) is answered from the
 *       {@link FailureMode}; after a few consecutive failures a circuit breaker stops calling Redis
 *       for its open period, then probes; when Redis answers again the node drops its local buckets
 *       and decides from Redis (re-sync). A store whose Redis does not answer at build starts with
 *       the breaker open, so {@link #mode()} tells the truth from the first decision; every mode,
 *       the first and each change, goes to the {@link ModeListener} once and in order.
 *   <li>Reconfiguration is lazy and proportional: each key stores the limit its TAT was computed
 *       under, and the script rescales the debt on the first touch under a new limit.
 *   <li>With {@link RedisStoreBuilder#aggregateShards} k &gt; 1, each aggregate level is k
 *       sub-buckets of burst / k at rate / k under different hash tags (spread over a Cluster's
 *       masters); the bound above holds for the level, but one decision or a burst from few
 *       clients gets only its shards' share.
 *   <li>No concurrency levels: a spec with one is rejected at build and at reconfiguration
 *       ({@link IllegalArgumentException}); they need the local store.
 * </ol>
 */
public final class RedisBucketStore implements BucketStore {

  private final RedisLink link;
  private final KeySpace keys;
  private final SharedBuckets shared;
  private final BucketPeeks peeks;
  /** One per aggregate shard; null when batching is off. */
  private final Batcher[] batchers;
  /** Sends the batch calls that replies free up; null unless batching with more than one call out. */
  private final java.util.concurrent.ExecutorService batchSender;
  private final LeaseTable leases;
  private final StoreTime time;
  private final CircuitBreaker breaker;
  private final LocalShare localShare;
  private final FailureMode failureMode;
  private final String nodeId;
  private final long heartbeatTtlMs;
  private final ScheduledExecutorService scheduler;
  private final AtomicInteger liveNodes = new AtomicInteger(1);
  /**
   * The live-node count leases are sized by: the largest count seen within the last lease period,
   * so a heartbeat that lapses only because its node was slow (CPU-starved, GC) does not grow the
   * other nodes' leases past the bound; a node that is really gone frees its share one period later.
   * Updated by heartbeat replies, under {@code sizingLock}.
   */
  private volatile int sizingNodes = 1;
  private long sizingSeenAt;
  private final Object sizingLock = new Object();
  private final long leasePeriodNanos;
  private final dev.sluice.core.Clock systemClock;
  private final AtomicLong errors = new AtomicLong();
  private final AtomicLong fallbackDecisions = new AtomicLong();
  private final ModeListener modeListener;
  /** The mode last passed to {@link #modeListener}; read and written on the scheduler thread only. */
  private String reportedMode;
  private volatile LimiterSpec spec;
  private volatile boolean closed;

  RedisBucketStore(RedisStoreBuilder b, RedisLink link, boolean connected) {
    this.link = link;
    this.systemClock = b.systemClock;
    this.leasePeriodNanos = b.leasePeriod.toNanos();
    this.keys = new KeySpace(b.namespace, b.aggregateShards);
    this.time = new StoreTime(b.clock);
    time.check(b.spec);
    this.spec = b.spec;
    this.failureMode = b.failureMode;
    this.nodeId = b.nodeId != null ? b.nodeId : UUID.randomUUID().toString();
    this.modeListener = b.modeListener;
    this.scheduler = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "sluice-redis-" + nodeId);
      t.setDaemon(true);
      return t;
    });
    this.breaker = new CircuitBreaker(b.systemClock, b.breakerFailures, b.breakerOpen.toNanos(),
        open -> report(open ? failureMode.label() : "redis"));
    this.localShare = new LocalShare(b.clock != null ? b.clock : b.systemClock);
    this.leases = b.leasing
        ? new LeaseTable(b.systemClock, b.leasePeriod, b.overAdmission, b.minLease, () -> sizingNodes)
        : null;
    AggregateShards shards = new AggregateShards(keys, nodeId);
    if (b.batching) {
      // With more than one batch call out, the calls a reply frees up are sent from this thread,
      // never from the Lettuce event loop that ran the reply (see Batcher.pump).
      this.batchSender = b.batchesInFlight > 1 ? Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "sluice-redis-batch-" + nodeId);
        t.setDaemon(true);
        return t;
      }) : null;
      this.batchers = new Batcher[shards.count()];
      for (int s = 0; s < batchers.length; s++) {
        batchers[s] = new Batcher(link, time, b.systemClock, b.timeout.toNanos(), b.maxBatch, b.batchesInFlight,
            batchSender);
      }
    } else {
      this.batchSender = null;
      this.batchers = null;
    }
    this.shared = new SharedBuckets(link, keys, shards, time, leases, batchers);
    this.peeks = new BucketPeeks(link, keys, shards, time);
    this.heartbeatTtlMs = b.heartbeat.toMillis() * 3;
    if (!connected) {
      // Redis did not answer at start: decide in the failure mode until a heartbeat or a probe gets through.
      breaker.trip();
    }
    // Before the heartbeat is scheduled, so nothing can change the mode in between.
    report(mode());
    scheduler.scheduleWithFixedDelay(this::heartbeat, 0, b.heartbeat.toMillis(), TimeUnit.MILLISECONDS);
    if (leases != null) {
      long sweep = Math.max(1, b.leasePeriod.toMillis() / 4);
      scheduler.scheduleWithFixedDelay(this::expireLeases, sweep, sweep, TimeUnit.MILLISECONDS);
    }
  }

  /** Returns a builder for a store enforcing {@code spec}; name a standalone server or a Cluster. */
  public static RedisStoreBuilder builder(LimiterSpec spec) {
    return new RedisStoreBuilder(spec);
  }

  /**
   * Rejects a spec with a concurrency level: permits are counted in one process's memory, and no
   * per-node share of an in-flight limit is both simple and correct across nodes, so concurrency
   * levels need the local store.
   */
  static void checkNoConcurrency(LimiterSpec spec) {
    String at = spec.concurrency() > 0 ? "global.concurrency: " + spec.concurrency() : null;
    for (TierSpec t : spec.tiers().values()) {
      if (at == null && t.concurrency() > 0) {
        at = "tiers." + t.name() + ".concurrency: " + t.concurrency();
      }
    }
    if (at != null) {
      throw new IllegalArgumentException(at + " (expected: none; concurrency levels need the local store,"
          + " the Redis store does not enforce them)");
    }
  }

  private static TierSpec tierOf(LimiterSpec s, String tier, String key, int cost) {
    TierSpec t = s.tiers().get(tier == null ? s.defaultTier() : tier);
    if (t == null) {
      throw new UnknownTierException(tier, s.tiers().keySet());
    }
    if (cost < 1) {
      throw new IllegalArgumentException("cost: " + cost + " (expected: >= 1)");
    }
    if (key == null) {
      throw new IllegalArgumentException("key: null (expected: a client key)");
    }
    return t;
  }

  @Override
  public CompletionStage<Decision> acquire(String key, String tier, int cost) {
    LimiterSpec s = spec;
    TierSpec t;
    CompletableFuture<Decision> viaRedis;
    try {
      t = tierOf(s, tier, key, cost);
      if (closed || !breaker.allow()) {
        return CompletableFuture.completedFuture(fallback(s, t, key, cost));
      }
      // A probe of an open breaker must reach Redis, so it does not use leases.
      viaRedis = shared.acquire(t, s.global(), key, cost, breaker.closed());
    } catch (IllegalArgumentException | IllegalStateException e) {
      return CompletableFuture.failedFuture(e);
    }
    if (viaRedis.isDone() && !viaRedis.isCompletedExceptionally()) {
      // Answered from leases (or Redis already replied): no further stage.
      onSuccess();
      return viaRedis;
    }
    return viaRedis.handle((d, err) -> {
      if (err == null) {
        onSuccess();
        return d;
      }
      onFailure();
      return fallback(s, t, key, cost);
    });
  }

  private Decision fallback(LimiterSpec s, TierSpec t, String key, int cost) {
    fallbackDecisions.incrementAndGet();
    return switch (failureMode) {
      case LOCAL_SHARE -> localShare.decide(s, liveNodes.get(), key, t.name(), cost);
      case FAIL_OPEN -> new Decision(true, t.perClient().burst(), 0, 0, Level.CLIENT, t.perClient(),
          Decision.Reason.ADMITTED);
      case FAIL_CLOSED -> new Decision(false, 0, breaker.openNanos(), 0, Level.CLIENT, t.perClient(),
          Decision.Reason.EXHAUSTED);
    };
  }

  private void onSuccess() {
    if (breaker.success()) {
      localShare.reset();
    }
  }

  private void onFailure() {
    errors.incrementAndGet();
    if (breaker.failure() && leases != null) {
      // Leased tokens were taken from Redis; spending them on top of the local share would break
      // the outage bound, so they are dropped (the buckets refill them within one lease period).
      leases.drain((k, n, l) -> CompletableFuture.completedFuture(null));
    }
  }

  @Override
  public CompletionStage<List<LevelState>> levels(String key, String tier) {
    LimiterSpec s = spec;
    try {
      TierSpec t = tierOf(s, tier, key, 1);
      return peeks.levels(t, s.global(), key);
    } catch (IllegalArgumentException | IllegalStateException e) {
      return CompletableFuture.failedFuture(e);
    }
  }

  @Override
  public CompletionStage<AggregateLevels> aggregates() {
    try {
      return peeks.aggregates(spec);
    } catch (IllegalStateException e) {
      return CompletableFuture.failedFuture(e);
    }
  }

  @Override
  public void reconfigure(LimiterSpec next) {
    if (next == null) {
      throw new IllegalArgumentException("spec: null");
    }
    checkNoConcurrency(next);
    time.check(next);
    AggregateShards.check(next, keys.shards());
    spec = next;
  }

  @Override
  public LimiterSpec spec() {
    return spec;
  }

  @Override
  public String mode() {
    return breaker.closed() ? "redis" : failureMode.label();
  }

  /**
   * Tells the mode listener, on the scheduler thread, that the mode is now {@code mode}. Called
   * under the breaker's monitor (and once from the constructor), so the tasks queue in the order
   * of the changes; a report equal to the last one is dropped.
   */
  private void report(String mode) {
    try {
      scheduler.execute(() -> {
        if (mode.equals(reportedMode)) {
          return;
        }
        String from = reportedMode;
        reportedMode = mode;
        try {
          modeListener.modeChanged(from, mode);
        } catch (RuntimeException e) {
          // The listener's failure is its own; the store keeps deciding.
        }
      });
    } catch (java.util.concurrent.RejectedExecutionException e) {
      // Closed: nobody is listening any more.
    }
  }

  /** Returns this node's id, as registered in the heartbeat set. */
  public String nodeId() {
    return nodeId;
  }

  /** Returns a snapshot of this store's counters. */
  public StoreStats stats() {
    return new StoreStats(mode(), shared.redisDecisions.get(), shared.leasedDecisions.sum(),
        fallbackDecisions.get(), errors.get(), LuaScript.BUCKETS.reloads() + LuaScript.BATCH.reloads(),
        shared.leaseGrants.get(), shared.returnedTokens.get(), liveNodes.get(), shared.deniedLocally.sum());
  }

  /** Returns the batch calls sent so far (0 with batching off): with the Redis decisions, the mean batch size. */
  long batchCalls() {
    long calls = 0;
    if (batchers != null) {
      for (Batcher b : batchers) {
        calls += b.calls();
      }
    }
    return calls;
  }

  /** Returns the first shard's batcher (the only one when unsharded), null with batching off (tests). */
  Batcher batcher() {
    return batchers == null ? null : batchers[0];
  }

  /** Returns aggregate shard {@code shard}'s batcher, null with batching off (tests). */
  Batcher batcher(int shard) {
    return batchers == null ? null : batchers[shard];
  }

  /** Returns the global level's lease diagnostics ({@link GlobalLeaseStats}), for the benchmark driver. */
  String leaseDiagnostics() {
    return shared.globalLease.toString();
  }

  /** Returns tokens granted to the global level's lease so far (all top-ups), for the benchmark driver. */
  long globalLeaseTokens() {
    return shared.globalLease.tokens();
  }

  /** Returns {@link GlobalLeaseStats#fullNanos}, for the benchmark driver. */
  long globalFullNanos(boolean restart) {
    return shared.globalLease.fullNanos(restart);
  }

  /** Returns the state of this node's lease on the global bucket (shard 0), for the benchmark driver. */
  String globalLeaseState() {
    return leases == null ? "no leasing" : leases.lease(keys.global(0)).describe(leases.clock().nanoTime());
  }

  private void heartbeat() {
    if (closed) {
      return;
    }
    link.run(LuaScript.HEARTBEAT, new String[] {keys.nodes()}, new String[] {nodeId, Long.toString(heartbeatTtlMs)})
        .whenComplete((r, err) -> {
          if (err == null) {
            int live = (int) Math.max(1, r[0]);
            // Sizing first: whoever sees N live nodes (stats) also sees leases sized for at least N.
            synchronized (sizingLock) {
              long now = systemClock.nanoTime();
              if (live >= sizingNodes || now - sizingSeenAt >= leasePeriodNanos) {
                sizingNodes = live;
                sizingSeenAt = now;
              }
            }
            liveNodes.set(live);
            onSuccess();
          } else {
            onFailure();
          }
        });
  }

  private void expireLeases() {
    if (breaker.closed()) {
      leases.expire(shared::giveBack);
    }
  }

  /**
   * Returns whether no lease top-up or return is in flight: nothing this node sent to Redis in the
   * background is still to change its leases. For tests that step a manual clock.
   */
  boolean leaseCallsSettled() {
    return leases == null || leases.settled();
  }

  /** Returns unused leased tokens, leaves the heartbeat set and closes the connection. */
  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    scheduler.shutdownNow();
    List<CompletableFuture<?>> goodbyes = new java.util.ArrayList<>();
    if (leases != null && breaker.closed()) {
      leases.drain((k, n, l) -> {
        CompletableFuture<long[]> back = shared.giveBack(k, n, l);
        goodbyes.add(back);
        return back;
      });
    }
    goodbyes.add(link.run(LuaScript.HEARTBEAT, new String[] {keys.nodes()}, new String[] {nodeId, "0"}));
    try {
      CompletableFuture.allOf(goodbyes.toArray(CompletableFuture[]::new)).get(1, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
      // Best effort: a dead Redis cannot take the tokens back; they refill within one lease period.
      errors.incrementAndGet();
    } finally {
      if (batchSender != null) {
        batchSender.shutdownNow();
      }
      link.close();
    }
  }

  /** Stops this node as a crash would: no lease returns, no heartbeat removal. For chaos tests. */
  void halt() {
    closed = true;
    scheduler.shutdownNow();
    if (batchSender != null) {
      batchSender.shutdownNow();
    }
    link.close();
  }

  @Override
  public String toString() {
    return "RedisBucketStore[" + keys.prefix() + ", node " + nodeId + ", " + mode() + "]";
  }
}
